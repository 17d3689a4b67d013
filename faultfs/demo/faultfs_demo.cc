// faultfs-demo: shows, on a three-file example, what each crash model leaves
// behind. It runs a short script on SimFs (a synced table file that then gets
// an unsynced overwrite, a log with two unsynced appends, and a CURRENT file
// replaced by rename without a directory fsync), lists the operations that
// are still pending at the crash point, and for every crash model prints each
// crash state's id, what became of each pending operation, and the files the
// program would find after restart. It is what `ci/matrix` runs until the
// harness exists, and the quickest way to see the persistence rules at work.
//
// Usage: faultfs-demo [--model NAME] [--seed N] [--max-states N] [--help]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/faultfs/crash_model.h"
#include "powercut/faultfs/sim_fs.h"

namespace powercut::faultfs {
namespace {

struct Flags {
  std::vector<CrashModel> models = CrashModel::All();
  EnumerationBudget budget{.max_states = 8, .seed = 0};
};

constexpr std::string_view kUsage =
    "usage: faultfs-demo [--model NAME] [--seed N] [--max-states N] [--help]\n"
    "  --model NAME      show this crash model (repeatable; default: all): process-kill,\n"
    "                    power-loss, prefix, per-file-prefix, reorder, zero-tail,\n"
    "                    torn[-512|-4096][-old|-new|-zeros|-junk]\n"
    "  --seed N          seed for sampling crash states when there are more than\n"
    "                    --max-states of them (default 0)\n"
    "  --max-states N    crash states to show per model, N >= 1 (default 8)\n";

bool ParseNumber(std::string_view text, uint64_t& value) {
  if (text.empty() || text.size() > 19) return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

// Returns the flag's value ("--flag V" or "--flag=V"), advancing `i`.
bool TakeValue(int argc, char** argv, int& i, std::string_view flag, std::string& value) {
  std::string_view arg = argv[i];
  if (arg == flag) {
    if (i + 1 >= argc) return false;
    value = argv[++i];
    return true;
  }
  if (arg.size() > flag.size() && arg.substr(0, flag.size()) == flag && arg[flag.size()] == '=') {
    value = std::string(arg.substr(flag.size() + 1));
    return true;
  }
  return false;
}

// Parses the command line; on a bad flag prints why and the usage, and
// returns false.
bool ParseFlags(int argc, char** argv, Flags& flags, bool& help) {
  bool model_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string value;
    std::string error;
    if (arg == "--help" || arg == "-h") {
      help = true;
    } else if (TakeValue(argc, argv, i, "--model", value)) {
      Result<CrashModel> model = CrashModel::Parse(value);
      if (!model.ok()) {
        error = model.status().message();
      } else {
        if (!model_given) flags.models.clear();  // the first --model replaces "all"
        flags.models.push_back(*model);
        model_given = true;
      }
    } else if (TakeValue(argc, argv, i, "--seed", value)) {
      if (!ParseNumber(value, flags.budget.seed)) error = "--seed takes a decimal number";
    } else if (TakeValue(argc, argv, i, "--max-states", value)) {
      if (!ParseNumber(value, flags.budget.max_states) || flags.budget.max_states == 0) {
        error = "--max-states takes a number >= 1";
      }
    } else {
      error = "unknown or incomplete flag '" + std::string(arg) + "'";
    }
    if (!error.empty()) {
      std::fprintf(stderr, "faultfs-demo: %s\n%.*s", error.c_str(), static_cast<int>(kUsage.size()),
                   kUsage.data());
      return false;
    }
  }
  return true;
}

// --- The example ----------------------------------------------------------

Status Check(const Status& status, std::string_view what) {
  return status.ok() ? status : status.WithContext(what);
}

// Runs the script; afterwards five operations are pending. Prints the trace.
Status RunExample(SimFs& fs) {
  POWERCUT_RETURN_IF_ERROR(fs.AddDurableFile("/db/CURRENT", "MANIFEST-1"));
  POWERCUT_RETURN_IF_ERROR(fs.AddDurableFile("/db/wal.log", "rec1;"));
  std::vector<OpRecord> trace;
  fs.SetObserver([&trace](const OpRecord& op) { trace.push_back(op); });

  // 1. A table file written, fsynced, and its name made durable: then
  //    overwritten in place without a sync.
  POWERCUT_ASSIGN_OR_RETURN(FileHandle table, fs.Open("/db/table.sst", OpenOptions::CreateNew()));
  POWERCUT_RETURN_IF_ERROR(Check(fs.Write(table, 0, "table-v1").status(), "write table"));
  POWERCUT_RETURN_IF_ERROR(fs.Sync(table));
  POWERCUT_RETURN_IF_ERROR(fs.SyncDir("/db"));
  POWERCUT_RETURN_IF_ERROR(Check(fs.Write(table, 0, "TABLE").status(), "overwrite table"));
  // 2. Two records appended to the log, never synced.
  POWERCUT_ASSIGN_OR_RETURN(FileHandle wal, fs.Open("/db/wal.log", OpenOptions::ReadWriteCreate()));
  POWERCUT_RETURN_IF_ERROR(Check(fs.Append(wal, "rec2;").status(), "append rec2"));
  // rec3 is 600 bytes: it spans two 512-byte sectors, so a torn crash can
  // land one without the other.
  const std::string record3 = "rec3:" + std::string(594, 'x') + ";";
  POWERCUT_RETURN_IF_ERROR(Check(fs.Append(wal, record3).status(), "append rec3"));
  // 3. CURRENT replaced the careful way, except for the last step: the temp
  //    file is synced, renamed over CURRENT, but /db is never fsynced.
  POWERCUT_ASSIGN_OR_RETURN(FileHandle tmp, fs.Open("/db/CURRENT.tmp", OpenOptions::CreateNew()));
  POWERCUT_RETURN_IF_ERROR(Check(fs.Write(tmp, 0, "MANIFEST-2").status(), "write CURRENT.tmp"));
  POWERCUT_RETURN_IF_ERROR(fs.Sync(tmp));
  POWERCUT_RETURN_IF_ERROR(fs.Rename("/db/CURRENT.tmp", "/db/CURRENT"));
  for (FileHandle file : {table, wal, tmp}) POWERCUT_RETURN_IF_ERROR(fs.Close(file));
  fs.SetObserver(nullptr);

  std::printf(
      "The example. Durable at the start: /db/CURRENT = \"MANIFEST-1\", "
      "/db/wal.log = \"rec1;\".\nThen the program does (position: operation):\n");
  for (const OpRecord& op : trace) {
    std::printf("  %3llu: %s%s\n", static_cast<unsigned long long>(op.position),
                op.ToString().c_str(),
                IsPersistencePoint(op.kind) ? "   <- persistence point" : "");
  }
  return Status::OK();
}

// --- Printing a crash state -----------------------------------------------

// One byte as printed inside quotes.
std::string ShowByte(unsigned char c) {
  if (c == 0) return "\\0";
  if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '*') return std::string(1, c);
  char hex[8];
  std::snprintf(hex, sizeof(hex), "\\x%02x", c);
  return hex;
}

// File contents for one line: a run of 4 or more equal bytes as "b*N" ("\0*10",
// "x*595"), other bytes as themselves or \xHH; cut after ~48 characters.
std::string Abbreviate(std::string_view bytes) {
  std::string text;
  size_t i = 0;
  while (i < bytes.size() && text.size() < 48) {
    size_t run = 1;
    while (i + run < bytes.size() && bytes[i + run] == bytes[i]) ++run;
    if (run < 4) run = 1;
    text += ShowByte(static_cast<unsigned char>(bytes[i]));
    if (run > 1) text += "*" + std::to_string(run);
    i += run;
  }
  std::string shown = "\"" + text + "\"";
  if (i < bytes.size()) shown += "... (" + std::to_string(bytes.size()) + " bytes)";
  return shown;
}

std::string_view FateName(PendingOpFate::Fate fate) {
  switch (fate) {
    case PendingOpFate::Fate::kPersisted:
      return "persisted";
    case PendingOpFate::Fate::kDropped:
      return "lost";
    case PendingOpFate::Fate::kTorn:
      return "torn";
  }
  return "?";
}

// "    ops: 1=persisted 2=lost 3=torn", then one line per distinct detail:
// "      op 3: sectors 0 of 2 landed; rest zeros" ("ops 1,2: ..." when shared).
void PrintFates(const std::vector<PendingOpFate>& fates) {
  if (fates.empty()) {
    std::printf("    (nothing was pending)\n");
    return;
  }
  std::string summary = "    ops:";
  std::vector<std::pair<std::string, std::string>> details;  // (op numbers, detail)
  for (size_t i = 0; i < fates.size(); ++i) {
    std::string number = std::to_string(i + 1);
    summary += " " + number + "=" + std::string(FateName(fates[i].fate));
    if (fates[i].detail.empty()) continue;
    if (!details.empty() && details.back().second == fates[i].detail) {
      details.back().first += "," + number;
    } else {
      details.emplace_back(number, fates[i].detail);
    }
  }
  std::printf("%s\n", summary.c_str());
  for (const auto& [numbers, detail] : details) {
    bool several = numbers.find(',') != std::string::npos;
    std::printf("      op%s %s: %s\n", several ? "s" : "", numbers.c_str(), detail.c_str());
  }
}

// Prints one state: its id, the fate of each pending op, and the files.
Status PrintState(const SimFs& fs, const CrashStateId& id) {
  // Every id must rebuild itself from its text: that is what a repro file holds.
  POWERCUT_ASSIGN_OR_RETURN(CrashStateId reparsed, CrashStateId::Parse(id.ToString()));
  if (!(reparsed == id)) return Status::Corruption("id does not round-trip: " + id.ToString());
  POWERCUT_ASSIGN_OR_RETURN(std::vector<PendingOpFate> fates, fs.DescribeCrash(reparsed));
  POWERCUT_ASSIGN_OR_RETURN(std::unique_ptr<SimFs> crashed, fs.Crash(reparsed));

  std::printf("  state %s\n", id.ToString().c_str());
  PrintFates(fates);
  for (const auto& [path, contents] : crashed->DumpVisible()) {
    if (!path.empty() && path.back() == '/') continue;  // directories show through their files
    std::printf("    %-16s %s\n", path.c_str(), Abbreviate(contents).c_str());
  }
  return Status::OK();
}

std::string_view ModelSummary(CrashModelKind kind) {
  switch (kind) {
    case CrashModelKind::kProcessKill:
      return "kill -9: the page cache survives, every pending operation is still there";
    case CrashModelKind::kPowerLoss:
      return "power cut, nothing of the pending operations persists";
    case CrashModelKind::kPrefix:
      return "the first i pending operations persist, in issue order";
    case CrashModelKind::kPerFilePrefix:
      return "a prefix of each file's (and directory's) operations, independently";
    case CrashModelKind::kReorder:
      return "any subset of the pending operations persists";
    case CrashModelKind::kTorn:
      return "like reorder, and a persisted write may land only sector by sector";
    case CrashModelKind::kZeroTail:
      return "names and sizes persist but no data: appended bytes read back as zeros";
  }
  return "";
}

// What to look for in the model's states, on this example.
std::string_view ModelNote(CrashModelKind kind) {
  switch (kind) {
    case CrashModelKind::kProcessKill:
      return "A kill -9 is no power cut: nothing is lost, but nothing became durable either.";
    case CrashModelKind::kPowerLoss:
      return "Only synced state survives: the old table bytes, the log without its appends,\n"
             "  and the OLD CURRENT: the rename was never made durable by an fsync of /db.";
    case CrashModelKind::kPrefix:
      return "Operations land in issue order: each state is the previous one plus one op.";
    case CrashModelKind::kPerFilePrefix:
      return "Each file and directory keeps its own order, but not across them: CURRENT can\n"
             "  name MANIFEST-2 while the log lost its appends.";
    case CrashModelKind::kReorder:
      return "No order at all: rec3 can land without rec2, leaving a hole of zeros in the\n"
             "  log that a reader must not take for the end of it.";
    case CrashModelKind::kTorn:
      return "A write can land in part, sector by sector; what did not land holds the tear\n"
             "  content. rec3 spans two 512-byte sectors, so under torn-512 one can land\n"
             "  without the other (under torn-4096 it is a single sector).";
    case CrashModelKind::kZeroTail:
      return "Sizes survive without data: the log keeps its length but its tail reads as\n"
             "  zeros, which recovery must treat as a torn tail, not as records.";
  }
  return "";
}

Status ShowModel(const SimFs& fs, const CrashModel& model, const EnumerationBudget& budget) {
  std::printf("\n== %s: %s ==\n", model.Name().c_str(),
              std::string(ModelSummary(model.kind)).c_str());
  POWERCUT_ASSIGN_OR_RETURN(std::unique_ptr<CrashStateEnumerator> states,
                            fs.EnumerateCrashStates(model, budget));
  uint64_t shown = 0;
  while (std::optional<CrashStateId> id = states->Next()) {
    POWERCUT_RETURN_IF_ERROR(PrintState(fs, *id));
    ++shown;
  }
  unsigned long long space = states->state_space();
  if (states->exhaustive()) {
    std::printf("  (%llu state%s: all shown)\n", space, space == 1 ? "" : "s");
  } else {
    std::printf("  (%llu states; %llu sampled with seed %llu -- use --max-states %llu for all)\n",
                space, static_cast<unsigned long long>(shown),
                static_cast<unsigned long long>(budget.seed), space);
  }
  std::printf("  What to notice: %s\n", std::string(ModelNote(model.kind)).c_str());
  return Status::OK();
}

int Run(const Flags& flags) {
  SimFs fs;
  Status status = RunExample(fs);
  if (!status.ok()) {
    std::fprintf(stderr, "faultfs-demo: the example failed: %s\n", status.ToString().c_str());
    return 1;
  }
  std::printf("\nPending (not yet durable) at the crash point, position %llu:\n",
              static_cast<unsigned long long>(fs.position()));
  std::vector<OpRecord> pending = fs.PendingOps();
  for (size_t i = 0; i < pending.size(); ++i) {
    std::printf("  op %zu: %s\n", i + 1, pending[i].ToString().c_str());
  }
  for (const CrashModel& model : flags.models) {
    status = ShowModel(fs, model, flags.budget);
    if (!status.ok()) {
      std::fprintf(stderr, "faultfs-demo: %s: %s\n", model.Name().c_str(),
                   status.ToString().c_str());
      return 1;
    }
  }
  std::printf(
      "\nEach state id above rebuilds its state exactly: "
      "SimFs::Crash(CrashStateId::Parse(\"<id>\")).\n");
  return 0;
}

}  // namespace
}  // namespace powercut::faultfs

int main(int argc, char** argv) {
  powercut::faultfs::Flags flags;
  bool help = false;
  if (!powercut::faultfs::ParseFlags(argc, argv, flags, help)) return 2;
  if (help) {
    std::printf("faultfs-demo: what each crash model leaves behind, on a three-file example.\n%.*s",
                static_cast<int>(powercut::faultfs::kUsage.size()),
                powercut::faultfs::kUsage.data());
    return 0;
  }
  return powercut::faultfs::Run(flags);
}
