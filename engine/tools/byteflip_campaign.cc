// powercut-byteflip: the byte-flip campaign (docs/reliability.md). Builds a
// small database of the reference engine on SimFs holding every file kind
// (CURRENT, a manifest with a snapshot and edits, tables, a WAL closed with
// its marker), then damages its files one place at a time -- a flipped bit at
// every byte (or every STRIDE-th byte), a zeroed sector, a misdirected write
// -- and for each damaged copy opens the database and scans it in a child
// process. Each case is classified:
//
//   correct     Open and the scan succeed and show exactly the written state
//   corruption  Open or the scan fails with Corruption naming the damaged file
//               (and an offset, for every file but CURRENT), and a failed
//               Open changed no file (the evidence is kept)
//   wrong       anything else: a state lacking or inventing data, another
//               error, an error naming no file or offset, a failed Open that
//               changed the files
//   crash       the child died of a signal
//   hang        the child did not answer within --timeout-ms (a watchdog, not
//               a measurement: a correct case takes about a millisecond)
//
// Exit status: 0 when wrong, crash and hang are all 0; 1 otherwise; 2 on bad
// usage. Every non-correct, non-corruption case is printed.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/engine/db.h"
#include "powercut/faultfs/fault_rules.h"
#include "powercut/faultfs/sim_fs.h"

namespace {

using powercut::Result;
using powercut::Status;
using powercut::engine::DB;
using Files = std::map<std::string, std::string>;
using KvState = std::map<std::string, std::string>;

constexpr std::string_view kDb = "/db";

enum class Outcome : char { kCorrect = 'c', kCorruption = 'k', kWrong = 'w' };

struct Config {
  uint64_t stride = 1;     // bitflip every STRIDE-th byte
  bool all_bits = false;   // all 8 bits of each byte (else bit offset % 8)
  int timeout_ms = 10000;  // hang watchdog per case
  bool verbose = false;
};

struct Tally {
  std::map<std::string, std::map<std::string, uint64_t>> by_kind;  // file kind -> outcome -> n
  uint64_t bad = 0;
};

// The written state: every write synced, so every one must survive.
KvState Expected() {
  KvState state;
  for (int i = 0; i < 9; ++i) {
    state["key" + std::to_string(i)] = "value-" + std::to_string(i) + std::string(24, 'a' + i);
  }
  return state;
}

// Three rounds of synced puts, flushes after the first two, then Close: two
// tables, a manifest (snapshot + two edits), a WAL with records + marker.
Result<Files> BuildDatabase() {
  powercut::faultfs::SimFs fs;
  POWERCUT_ASSIGN_OR_RETURN(std::unique_ptr<DB> db, DB::Open({}, kDb, &fs));
  int round = 0;
  for (const auto& [key, value] : Expected()) {
    POWERCUT_RETURN_IF_ERROR(db->Put({.sync = true}, key, value));
    if (++round % 3 == 0 && round < 9) POWERCUT_RETURN_IF_ERROR(db->Flush());
  }
  POWERCUT_RETURN_IF_ERROR(db->Close());
  return fs.DumpVisible();
}

std::string KindOf(std::string_view path) {
  if (path.ends_with("/CURRENT")) return "CURRENT";
  if (path.find("/MANIFEST-") != std::string_view::npos) return "manifest";
  if (path.ends_with(".log")) return "WAL";
  if (path.ends_with(".sst")) return "table";
  return "other";
}

// Whether `status` is the Corruption a user can act on for damage in `path`.
bool NamesDamage(const Status& status, const std::string& path) {
  if (!status.IsCorruption() || status.message().find(path) == std::string::npos) return false;
  return KindOf(path) == "CURRENT" || status.message().find("offset") != std::string::npos;
}

// Runs in the child: opens the damaged copy and classifies the outcome.
std::pair<Outcome, std::string> Check(const Files& files, const std::string& rule_text,
                                      const std::string& path) {
  powercut::faultfs::SimFs fs;
  for (const auto& [name, contents] : files) {
    if (name.ends_with('/')) continue;  // a directory: made with the files in it
    if (!fs.AddDurableFile(name, contents).ok()) return {Outcome::kWrong, "setup: " + name};
  }
  Result<powercut::faultfs::FaultRule> rule = powercut::faultfs::FaultRule::Parse(rule_text);
  if (!rule.ok() || !fs.AddFaultRule(*rule).ok()) return {Outcome::kWrong, "bad rule"};
  const Files damaged = fs.DumpVisible();
  Result<std::unique_ptr<DB>> db = DB::Open({}, kDb, &fs);
  if (!db.ok()) {
    if (fs.DumpVisible() != damaged) {
      return {Outcome::kWrong, "a failed Open changed the files: " + db.status().ToString()};
    }
    if (NamesDamage(db.status(), path)) return {Outcome::kCorruption, db.status().ToString()};
    return {Outcome::kWrong, "Open: " + db.status().ToString()};
  }
  KvState state;
  std::unique_ptr<powercut::engine::Iterator> it = (*db)->NewIterator({});
  for (it->SeekToFirst(); it->Valid(); it->Next()) state[std::string(it->key())] = it->value();
  const Status scan = it->status();
  it.reset();
  (*db)->Close().IgnoreError();  // the outcome is decided by Open and the scan
  if (!scan.ok()) {
    if (NamesDamage(scan, path)) return {Outcome::kCorruption, scan.ToString()};
    return {Outcome::kWrong, "scan: " + scan.ToString()};
  }
  if (state != Expected()) {
    return {Outcome::kWrong, "silently wrong: " + std::to_string(state.size()) + " keys"};
  }
  return {Outcome::kCorrect, ""};
}

// Forks a child that runs Check; returns the outcome name and a message.
std::pair<std::string, std::string> RunCase(const Files& files, const std::string& rule,
                                            const std::string& path, int timeout_ms) {
  int fds[2];
  if (pipe(fds) != 0) return {"wrong", "pipe failed"};
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    auto [outcome, message] = Check(files, rule, path);
    std::string line = std::string(1, static_cast<char>(outcome)) + message;
    ssize_t written = write(fds[1], line.data(), line.size());
    _exit(written == static_cast<ssize_t>(line.size()) ? 0 : 3);
  }
  close(fds[1]);
  std::string answer;
  pollfd pfd{fds[0], POLLIN, 0};
  bool hung = false;
  while (true) {
    const int ready = poll(&pfd, 1, timeout_ms);
    if (ready == 0) {
      hung = true;
      kill(child, SIGKILL);
      break;
    }
    char buffer[4096];
    const ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    answer.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  int wait_status = 0;
  waitpid(child, &wait_status, 0);
  if (hung) return {"hang", "no answer in " + std::to_string(timeout_ms) + " ms"};
  if (WIFSIGNALED(wait_status)) return {"crash", "signal " + std::to_string(WTERMSIG(wait_status))};
  if (answer.empty()) return {"wrong", "the child exited without an answer"};
  const Outcome outcome = static_cast<Outcome>(answer[0]);
  const std::string name = outcome == Outcome::kCorrect      ? "correct"
                           : outcome == Outcome::kCorruption ? "corruption"
                                                             : "wrong";
  return {name, answer.substr(1)};
}

// Every damage case for one file: the rule texts.
std::vector<std::string> CasesFor(const std::string& path, uint64_t size, const Config& config) {
  std::vector<std::string> rules;
  for (uint64_t offset = 0; offset < size; offset += config.stride) {
    for (uint32_t bit = 0; bit < 8; ++bit) {
      if (!config.all_bits && bit != offset % 8) continue;
      rules.push_back("bitflip:" + path + ":" + std::to_string(offset) + ":" + std::to_string(bit));
    }
  }
  for (uint64_t sector_bytes : {512, 4096}) {
    for (uint64_t sector = 0; sector < size; sector += sector_bytes) {
      rules.push_back("zero-sector:" + path + ":" + std::to_string(sector) + ":" +
                      std::to_string(sector_bytes));
    }
  }
  // A misdirected write: each 32-byte piece lands 32 bytes further on.
  constexpr uint64_t kPiece = 32;
  for (uint64_t from = 0; from + 2 * kPiece <= size; from += kPiece) {
    rules.push_back("misdirect:" + path + ":" + std::to_string(from) + ":" +
                    std::to_string(from + kPiece) + ":" + std::to_string(kPiece));
  }
  return rules;
}

void Record(Tally& tally, const std::string& path, const std::string& rule,
            const std::pair<std::string, std::string>& result, const Config& config) {
  const std::string damage = rule.substr(0, rule.find(':'));
  ++tally.by_kind[KindOf(path) + " " + damage][result.first];
  const bool bad = result.first != "correct" && result.first != "corruption";
  tally.bad += bad;
  if (bad || config.verbose) {
    std::printf("%s %s: %s\n", result.first.c_str(), rule.c_str(), result.second.c_str());
  }
}

void PrintTally(const Tally& tally) {
  std::printf("%-22s %8s %8s %11s %6s %6s %6s\n", "file damage", "cases", "correct", "corruption",
              "wrong", "crash", "hang");
  std::map<std::string, uint64_t> total;
  for (const auto& [kind, outcomes] : tally.by_kind) {
    uint64_t cases = 0;
    for (const auto& [name, n] : outcomes) {
      cases += n;
      total[name] += n;
    }
    auto get = [&](const char* name) {
      auto it = outcomes.find(name);
      return it == outcomes.end() ? uint64_t{0} : it->second;
    };
    std::printf("%-22s %8lu %8lu %11lu %6lu %6lu %6lu\n", kind.c_str(), cases, get("correct"),
                get("corruption"), get("wrong"), get("crash"), get("hang"));
  }
  uint64_t cases = 0;
  for (const auto& [name, n] : total) cases += n;
  std::printf("%-22s %8lu %8lu %11lu %6lu %6lu %6lu\n", "total", cases, total["correct"],
              total["corruption"], total["wrong"], total["crash"], total["hang"]);
}

int Usage(const char* problem) {
  std::fprintf(stderr,
               "powercut-byteflip: %s\nusage: powercut-byteflip [--stride N] [--all-bits] "
               "[--timeout-ms N] [--verbose]\n",
               problem);
  return 2;
}

bool ParseArgs(int argc, char** argv, Config* config, std::string* problem) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--all-bits") {
      config->all_bits = true;
    } else if (arg == "--verbose") {
      config->verbose = true;
    } else if ((arg == "--stride" || arg == "--timeout-ms") && has_value) {
      char* end = nullptr;
      const long value = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || value < 1 || value > 1000000) {
        *problem = std::string(arg) + " needs a number from 1 to 1000000, not '" + argv[i] + "'";
        return false;
      }
      if (arg == "--stride") config->stride = static_cast<uint64_t>(value);
      if (arg == "--timeout-ms") config->timeout_ms = static_cast<int>(value);
    } else {
      *problem = "unknown or incomplete argument '" + std::string(arg) + "'";
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  std::string problem;
  if (!ParseArgs(argc, argv, &config, &problem)) return Usage(problem.c_str());
  Result<Files> files = BuildDatabase();
  if (!files.ok()) {
    std::fprintf(stderr, "powercut-byteflip: building the database: %s\n",
                 files.status().ToString().c_str());
    return 2;
  }
  Tally tally;
  for (const auto& [path, contents] : *files) {
    if (path.ends_with('/')) continue;
    std::printf("file %s (%s, %zu bytes)\n", path.c_str(), KindOf(path).c_str(), contents.size());
    for (const std::string& rule : CasesFor(path, contents.size(), config)) {
      Record(tally, path, rule, RunCase(*files, rule, path, config.timeout_ms), config);
    }
  }
  PrintTally(tally);
  return tally.bad == 0 ? 0 : 1;
}
