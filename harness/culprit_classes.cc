// Bug-class suggestion and explanation for culprit analysis (see culprit.h):
// a pure function from the evidence of one failure to a class of the catalog.
//
// The rules, first match wins (the reason printed names the evidence):
//   crash inside recovery (depth >= 2, crash-safe-recovery)      C16
//   the workload damages synced data (bitflip, zero-sector, ...) C06
//   the workload injects ENOSPC or a short write                 C17
//   the workload injects fsync EIO: an acknowledged write lost, or a live
//       read wrong -> C12; another guarantee after a crash -> C13
//   a WAL was recycled (a rename *.log -> *.log)                 C07
//   culprits that land:
//     a write to a file a later landed rename moved into place    C03
//     a manifest write while a later CURRENT rename landed        C11
//     table data while a later unlink of a WAL landed             C09
//     a create/rename/link/unlink/mkdir (a name)                  C02
//     table data while a later manifest write landed              C11
//     a WAL write: recovery refused -> C05; a later write to the WAL
//         landed (a zero hole read past) -> C08; a torn record taken as
//         data -> C04; otherwise (an acknowledged write lost) -> C01
//     table or manifest data otherwise                            C11
//   culprits that must be lost:
//     a torn write read as data: zeros under zero-tail -> C08, else C04
//     a torn write that recovery refused                          C05
//     an unlink of a WAL                                          C09
//   no culprit: an ordering bug in the trace (culprit_lint.h)     C03 C11
//       C02 C09 C15 (durable-recovery: the recoveries' trace too)
//   durable-recovery or reads-stay-true broken                   C14
//   no culprit, otherwise:
//     process-kill lost an acknowledged write (user-space buffer)  C01
//     the workload crashed before (an earlier torn tail reused)   C10
//     recovery refused: the crash cut a WAL append short, or a
//         write is torn                                           C05
//     an acknowledged write lost with nothing pending to blame    C01
#include <algorithm>
#include <string>

#include "culprit.h"
#include "culprit_lint.h"

namespace powercut::harness {
namespace {

using faultfs::OpKind;
using faultfs::OpRecord;
using faultfs::PendingOpFate;
using Fate = PendingOpFate::Fate;

struct ClassRow {
  std::string_view id;
  std::string_view name;
};

constexpr ClassRow kClasses[] = {
    {"C01", "ack before durable"},
    {"C02", "missing directory fsync"},
    {"C03", "rename of an unsynced file"},
    {"C04", "torn record not detected"},
    {"C05", "benign torn tail refused"},
    {"C06", "mid-log corruption taken for end of log or skipped"},
    {"C07", "recycled log misread"},
    {"C08", "zero-filled tail trusted"},
    {"C09", "old data deleted before its replacement is durable"},
    {"C10", "append after a torn tail"},
    {"C11", "ordering across files"},
    {"C12", "fsync or write error mishandled"},
    {"C13", "false failure: memory diverges from disk"},
    {"C14", "serving unsynced data"},
    {"C15", "recovery marker ahead of the data"},
    {"C16", "non-atomic recovery (crash during recovery)"},
    {"C17", "short write or ENOSPC mishandled"},
    {"C18", "mmap misuse"},
};

using Role = FileRole;

Role RoleOf(const std::string& path) { return RoleOfPath(path); }

bool IsNameOp(OpKind kind) {
  return kind == OpKind::kCreate || kind == OpKind::kRename || kind == OpKind::kLink ||
         kind == OpKind::kUnlink || kind == OpKind::kMkDir || kind == OpKind::kRmDir;
}

bool IsDataOp(OpKind kind) { return kind == OpKind::kWrite || kind == OpKind::kTruncate; }

// The facts the rules read, gathered once.
struct Facts {
  const CulpritEvidence& e;
  std::vector<const PendingOpFate*> culprits;
  // Every operation that reached the disk in full by the crash: the trace's
  // operations minus the pending ones lost or torn, or, without a trace, the
  // pending ones that landed.
  std::vector<OpRecord> landed;

  explicit Facts(const CulpritEvidence& evidence) : e(evidence) {
    for (size_t index : e.culprits) {
      if (index < e.fates.size()) culprits.push_back(&e.fates[index]);
    }
    std::vector<uint64_t> not_landed;
    for (const PendingOpFate& fate : e.fates) {
      if (fate.fate != Fate::kPersisted) not_landed.push_back(fate.op.position);
    }
    for (const OpRecord& op : e.trace) {
      bool lost = std::find(not_landed.begin(), not_landed.end(), op.position) != not_landed.end();
      if (!lost && !op.failed) landed.push_back(op);
    }
    for (const PendingOpFate& fate : e.fates) {
      bool traced = std::any_of(e.trace.begin(), e.trace.end(), [&](const OpRecord& op) {
        return op.position == fate.op.position;
      });
      if (fate.fate == Fate::kPersisted && !traced) landed.push_back(fate.op);
    }
  }
  bool HasFault(std::string_view kind) const {
    return std::any_of(e.faults.begin(), e.faults.end(),
                       [&](const std::string& rule) { return rule.starts_with(kind); });
  }
  // A culprit of `kind` (any when nullopt) on a file of `role`.
  const PendingOpFate* Culprit(std::optional<OpKind> kind, std::optional<Role> role) const {
    for (const PendingOpFate* fate : culprits) {
      if (kind.has_value() && fate->op.kind != *kind) continue;
      if (role.has_value() && RoleOf(fate->op.path) != *role) continue;
      return fate;
    }
    return nullptr;
  }
  // A landed `kind` op on a file of `role` (a rename: its destination),
  // issued after position `after`.
  const OpRecord* LandedAfter(OpKind kind, Role role, uint64_t after) const {
    for (const OpRecord& op : landed) {
      const std::string& path = kind == OpKind::kRename ? op.path2 : op.path;
      if (op.kind == kind && op.position > after && RoleOf(path) == role) return &op;
    }
    return nullptr;
  }
  // A culprit data op whose file a later landed rename moved (the rename's
  // source is the path it wrote).
  std::pair<const PendingOpFate*, const OpRecord*> RenamedUnsyncedData() const {
    for (const PendingOpFate* fate : culprits) {
      if (!IsDataOp(fate->op.kind)) continue;
      for (const OpRecord& rename : landed) {
        if (rename.kind == OpKind::kRename && rename.path == fate->op.path &&
            rename.position > fate->op.position) {
          return {fate, &rename};
        }
      }
    }
    return {nullptr, nullptr};
  }
  // A rename of one WAL onto another name of a WAL: a recycled log file.
  const OpRecord* WalRecycled() const {
    for (const OpRecord& op : landed) {
      if (op.kind == OpKind::kRename && RoleOf(op.path) == Role::kWal &&
          RoleOf(op.path2) == Role::kWal) {
        return &op;
      }
    }
    return nullptr;
  }
  // A landed write to the same file beyond the end of `op`.
  const OpRecord* LandedWriteBeyond(const OpRecord& op) const {
    for (const OpRecord& other : landed) {
      if (other.kind == OpKind::kWrite && other.path == op.path &&
          other.offset >= op.offset + op.length) {
        return &other;
      }
    }
    return nullptr;
  }
  bool AnyTorn() const {
    return std::any_of(e.fates.begin(), e.fates.end(),
                       [](const PendingOpFate& fate) { return fate.fate == Fate::kTorn; });
  }
  bool ReadAsData() const {
    return e.guarantee == Guarantee::kNoInvention || e.guarantee == Guarantee::kAtomicBatches ||
           e.guarantee == Guarantee::kNoHole;
  }
};

ClassSuggestion Suggest(std::string_view id, std::string reason) {
  return ClassSuggestion{std::string(id), std::string(BugClassName(id)), std::move(reason)};
}

std::string Op(const PendingOpFate* fate) { return fate->op.ToString(); }

std::optional<ClassSuggestion> FromContext(const Facts& f) {
  const CulpritEvidence& e = f.e;
  if (e.crash_depth >= 2 || e.guarantee == Guarantee::kCrashSafeRecovery) {
    return Suggest("C16", "the failing crash came inside a recovery (crash depth " +
                              std::to_string(e.crash_depth) +
                              "): recovery's own writes were not made durable in a safe order");
  }
  if (f.HasFault("bitflip") || f.HasFault("zero-sector") || f.HasFault("misdirect")) {
    return Suggest("C06",
                   "the workload damages already-synced data (a flipped bit, a zeroed sector "
                   "or a misdirected write) and recovery then broke " +
                       std::string(GuaranteeName(e.guarantee)) + " instead of failing loudly");
  }
  if (f.HasFault("enospc") || f.HasFault("short-write")) {
    return Suggest("C17",
                   "the workload injects a failed or short write (ENOSPC / short "
                   "write) and the engine went on as if it had succeeded");
  }
  if (f.HasFault("fsync-eio") || f.HasFault("read-eio")) {
    if (!e.main_line && e.guarantee != Guarantee::kAcknowledgedDurable) {
      return Suggest("C13", "after an injected fsync error, the recovered state breaks " +
                                std::string(GuaranteeName(e.guarantee)) +
                                ": the engine kept in memory (and went on building on) a "
                                "write it had reported as failed");
    }
    return Suggest("C12",
                   "the workload injects fsync EIO and the engine's handling of the "
                   "error broke " +
                       std::string(GuaranteeName(e.guarantee)) +
                       (e.main_line ? " in the running engine: the error was not "
                                      "propagated to every writer"
                                    : ": a write was acknowledged after a failed fsync"));
  }
  if (const OpRecord* recycle = f.WalRecycled()) {
    return Suggest("C07", "a WAL file was recycled (" + recycle->ToString() +
                              ") and recovery then broke " +
                              std::string(GuaranteeName(e.guarantee)) +
                              ": records of its previous life were read as live ones");
  }
  return std::nullopt;
}

std::optional<ClassSuggestion> FromNamesAndOrdering(const Facts& f) {
  if (auto [data, rename] = f.RenamedUnsyncedData(); data != nullptr) {
    return Suggest("C03", "the " + rename->ToString() +
                              " landed but the data of the renamed "
                              "file did not (" +
                              Op(data) + "): it was renamed before being fsynced");
  }
  const PendingOpFate* manifest_data = f.Culprit(OpKind::kWrite, Role::kManifest);
  const OpRecord* current =
      manifest_data == nullptr
          ? nullptr
          : f.LandedAfter(OpKind::kRename, Role::kCurrent, manifest_data->op.position);
  if (current != nullptr) {
    return Suggest("C11", "CURRENT was switched (" + current->ToString() +
                              ") while the "
                              "manifest's data was lost (" +
                              Op(manifest_data) +
                              "): the pointer "
                              "became durable before the file it points to");
  }
  const PendingOpFate* table = f.Culprit(std::nullopt, Role::kTable);
  const OpRecord* wal_unlink =
      table == nullptr ? nullptr : f.LandedAfter(OpKind::kUnlink, Role::kWal, table->op.position);
  if (wal_unlink != nullptr) {
    return Suggest("C09", "the " + wal_unlink->ToString() +
                              " landed while the table that "
                              "replaces it did not (" +
                              Op(table) + ")");
  }
  for (const PendingOpFate* fate : f.culprits) {
    if (!IsNameOp(fate->op.kind)) continue;
    return Suggest("C02", "the " + Op(fate) +
                              " never reached the disk: no directory fsync "
                              "of its parent came after it, so the name was lost");
  }
  const OpRecord* manifest_write =
      table == nullptr ? nullptr
                       : f.LandedAfter(OpKind::kWrite, Role::kManifest, table->op.position);
  if (manifest_write != nullptr) {
    return Suggest("C11", "the manifest edit landed (" + manifest_write->ToString() +
                              ") while the table it names did not (" + Op(table) +
                              "): the table was not fsynced before the edit");
  }
  return std::nullopt;
}

std::optional<ClassSuggestion> FromLostData(const Facts& f) {
  const CulpritEvidence& e = f.e;
  const PendingOpFate* wal = f.Culprit(std::nullopt, Role::kWal);
  if (wal != nullptr) {
    if (e.guarantee == Guarantee::kRecovers) {
      return Suggest("C05",
                     "recovery refused to open a state whose only damage is the "
                     "unfinished tail of the WAL (" +
                         Op(wal) + ")");
    }
    if (const OpRecord* later = f.LandedWriteBeyond(wal->op)) {
      if (f.ReadAsData()) {
        return Suggest("C08", "the " + Op(wal) + " was lost while the later " + later->ToString() +
                                  " landed, leaving a zero-filled hole "
                                  "that recovery read past as if nothing were missing");
      }
    }
    if (wal->fate == Fate::kTorn && f.ReadAsData()) {
      return Suggest(
          "C04", "a torn WAL record (" + Op(wal) + ", " + wal->detail + ") was replayed as data");
    }
    return Suggest("C01", "the WAL data of an acknowledged write was still pending (" + Op(wal) +
                              ") at the crash: the write was acknowledged before its fsync");
  }
  for (const PendingOpFate* fate : f.culprits) {
    Role role = RoleOf(fate->op.path);
    if (role == Role::kTable || role == Role::kManifest) {
      return Suggest("C11", "the data of " + fate->op.path + " was lost (" + Op(fate) +
                                ") while files that depend on it were durable");
    }
  }
  return std::nullopt;
}

std::optional<ClassSuggestion> FromLandedDamage(const Facts& f) {
  const CulpritEvidence& e = f.e;
  for (const PendingOpFate* fate : f.culprits) {
    if (fate->fate == Fate::kTorn && f.ReadAsData()) {
      bool zeros = e.model.has_value() && e.model->kind == faultfs::CrashModelKind::kZeroTail;
      return Suggest(zeros ? "C08" : "C04", "the torn " + Op(fate) + " (" + fate->detail +
                                                ") was read back as data" +
                                                (zeros ? ": a zero-filled tail was trusted" : ""));
    }
    if (fate->fate == Fate::kTorn && e.guarantee == Guarantee::kRecovers) {
      return Suggest("C05", "recovery refused a state whose only damage is the torn " + Op(fate));
    }
  }
  const PendingOpFate* wal_unlink = f.Culprit(OpKind::kUnlink, Role::kWal);
  if (wal_unlink != nullptr) {
    return Suggest("C09", "the state passes if the " + Op(wal_unlink) +
                              " is undone: the WAL was deleted before its replacement was "
                              "durable");
  }
  return std::nullopt;
}

// No operation of the crash is to blame: look for an ordering bug in the
// trace (and, for durable-recovery, in the recoveries after the crash).
std::optional<ClassSuggestion> FromTraceOrdering(const Facts& f) {
  std::vector<OpRecord> ops = f.e.trace;
  if (f.e.guarantee == Guarantee::kDurableRecovery || f.e.guarantee == Guarantee::kReadsStayTrue) {
    ops.insert(ops.end(), f.e.recovery_trace.begin(), f.e.recovery_trace.end());
  }
  std::optional<TraceFinding> finding = TraceOrderingBug(ops);
  if (!finding.has_value()) return std::nullopt;
  return Suggest(finding->bug_class,
                 "no single lost operation is to blame, but the trace "
                 "orders two operations wrongly: " +
                     finding->reason);
}

std::optional<ClassSuggestion> DurabilityOfServedData(const Facts& f) {
  const CulpritEvidence& e = f.e;
  if (e.guarantee == Guarantee::kDurableRecovery || e.guarantee == Guarantee::kReadsStayTrue) {
    return Suggest("C14",
                   "what recovery served did not survive the next power cut: it was "
                   "served from data that was never made durable");
  }
  return std::nullopt;
}

std::optional<ClassSuggestion> WithoutCulprits(const Facts& f) {
  const CulpritEvidence& e = f.e;
  bool process_kill = e.model.has_value() && e.model->kind == faultfs::CrashModelKind::kProcessKill;
  if (process_kill && e.guarantee == Guarantee::kAcknowledgedDurable) {
    return Suggest("C01",
                   "an acknowledged write was lost by a process kill, which loses no "
                   "file operation: it never reached the file system (buffered in "
                   "user space)");
  }
  if (e.workload_crashes) {
    return Suggest("C10",
                   "no operation of the last crash is to blame, and the workload "
                   "crashed before: the damage an earlier crash left was built upon");
  }
  if (e.guarantee == Guarantee::kRecovers && !e.trace.empty() &&
      e.trace.back().kind == OpKind::kWrite && RoleOf(e.trace.back().path) == Role::kWal) {
    return Suggest("C05",
                   "recovery refused a state whose WAL ends in a record cut short (the "
                   "crash came right after the " +
                       e.trace.back().ToString() + ", in the middle of an append)");
  }
  if (e.guarantee == Guarantee::kRecovers && f.AnyTorn()) {
    return Suggest("C05", "recovery refused a state whose only damage is a torn write");
  }
  if (e.guarantee == Guarantee::kAcknowledgedDurable && !e.main_line) {
    return Suggest("C01",
                   "an acknowledged write is lost although no pending operation is to "
                   "blame: its data never reached the file system before the ack");
  }
  return std::nullopt;
}

}  // namespace

std::string_view BugClassName(std::string_view bug_class) {
  for (const ClassRow& row : kClasses) {
    if (row.id == bug_class) return row.name;
  }
  return {};
}

ClassSuggestion SuggestBugClass(const CulpritEvidence& evidence) {
  const Facts facts(evidence);
  if (auto s = FromContext(facts)) return *s;
  if (!facts.culprits.empty() && !evidence.culprits_by_dropping) {
    if (auto s = FromNamesAndOrdering(facts)) return *s;
    if (auto s = FromLostData(facts)) return *s;
  }
  if (!facts.culprits.empty() && evidence.culprits_by_dropping) {
    if (auto s = FromLandedDamage(facts)) return *s;
  }
  if (facts.culprits.empty()) {
    if (auto s = FromTraceOrdering(facts)) return *s;
  }
  if (auto s = DurabilityOfServedData(facts)) return *s;
  if (auto s = WithoutCulprits(facts)) return *s;
  return ClassSuggestion{"", "", "no rule matches the evidence"};
}

}  // namespace powercut::harness
