// An editable form of a workload, and its one-line-per-operation text. A
// Workload carries made values ("v17:v17:..."), whose tags name the write
// that made them; an OpSpec keeps only the value's *size* (or an explicit
// value), so the shrinker can drop an operation and rebuild the rest with
// consistent numbers, and a repro file can spell a 100 KiB value as
// "size=102400".
//
// Line grammar (repro files, see repro.h):
//   op     := "put" KEY VALUE ["sync"] | "delete" KEY ["sync"]
//           | "batch" ["sync"] "{" entry (";" entry)* "}"
//           | "flush" | "scan" | "reopen" | "read" KEY | "crash" MODEL
//           | "fault" RULE       RULE: faultfs::FaultRule text, the rest of
//                                the line ("fault fsync-eio:/db/*.log:1")
//   entry  := "put" KEY VALUE | "delete" KEY
//   VALUE  := "size=" N          a made value of N bytes (tag of its write),
//                                N <= kMaxValueBytes
//           | QUOTED             an explicit value
//   KEY    := BARE | QUOTED      BARE: [A-Za-z0-9_.:/+-]+
//   QUOTED := '"' with \\ \" \n \t \r and \xHH escapes '"'
// e.g. `batch sync {put k1 size=8; delete "my key"}`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "powercut/status.h"
#include "workload.h"

namespace powercut::harness {

// The largest made value a line may ask for (the same bound as a scenario's
// value_bytes): a damaged or hostile "size=99999999999" is an error, not an
// allocation failure.
inline constexpr uint64_t kMaxValueBytes = 16 << 20;

struct OpSpec {
  OpType type = OpType::kPut;
  bool sync = false;                            // writes only
  std::vector<WorkloadBuilder::Entry> entries;  // put/delete: one; batch: at least one
  std::string key;                              // read only
  std::string crash_model;                      // crash only
  std::string fault_rule;                       // fault only: FaultRule text
};

// Recognises made values by their tags; any other value stays explicit.
std::vector<OpSpec> SpecFromWorkload(const Workload& workload);
// Numbers the writes 1, 2, ... and makes their values.
// REQUIRES: every write spec has its entries (batch: at least one).
Workload BuildWorkload(const std::vector<OpSpec>& specs);

std::string OpSpecToLine(const OpSpec& spec);
// InvalidArgument naming what was expected where.
Result<OpSpec> ParseOpSpecLine(std::string_view line);

}  // namespace powercut::harness
