// Crash models and crash-state ids. A crash turns SimFs's current state into
// a new durable state by persisting an allowed subset of the *pending*
// (not yet durable) operations, then drops every open handle and lock. Each
// model below names which subsets are allowed; a crash state is one such
// choice, named by a compact printable id (model + trace position + choice
// digits) from which SimFs rebuilds exactly that state.
//
// The models (see docs/faultfs.md for examples):
//   process-kill     nothing is lost: the page cache survives a kill -9, so
//                    what was pending stays visible *and still pending* (a
//                    later power cut can still lose it). One state.
//   power-loss       none of the pending operations persist. One state.
//   prefix           the first i pending operations, in global issue order,
//                    i = 0..n. n+1 states.
//   per-file-prefix  a prefix of each stream independently, where a stream is
//                    one file's data operations or one directory's entry
//                    operations. Product of (stream length + 1) states.
//   reorder          any subset of the pending operations. 2^n states.
//   torn             like reorder, and each persisted write lands sector by
//                    sector (`sector_bytes`, 512 or 4096): any subset of the
//                    sectors it covers lands; the sectors that do not land
//                    hold the tear content:
//                      old    (the default; sector-atomic, what real devices
//                             do) the bytes that were there. Past the file's
//                             durable end the size covers only what landed:
//                             a sector below a landed one is a hole of zeros,
//                             and a write that lands nothing changes no size;
//                      new    (in-sector tear, harsher) the sector is torn
//                             inside: its first half holds the new bytes, the
//                             rest the old ones;
//                      junk   (harsher) deterministic garbage derived from
//                             the state id;
//                      zeros  (harsher, not a device behaviour for bytes that
//                             held data) zeros, and the write's size lands.
//   zero-tail        every pending metadata change persists (names, sizes)
//                    but no pending data does: where a write extended a file,
//                    zeros read back; where it overwrote, the old bytes. One
//                    state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/status.h"

namespace powercut::faultfs {

// Written into repro files (by name, see CrashModel::Name): never rename.
enum class CrashModelKind : uint8_t {
  kProcessKill,
  kPowerLoss,
  kPrefix,
  kPerFilePrefix,
  kReorder,
  kTorn,
  kZeroTail,
};

enum class TearContent : uint8_t { kOld, kNew, kZeros, kJunk };

struct CrashModel {
  CrashModelKind kind = CrashModelKind::kPowerLoss;
  uint32_t sector_bytes = 512;           // torn only: 512 or 4096
  TearContent tear = TearContent::kOld;  // torn only: sector-atomic by default

  // Accepts the canonical names: "process-kill", "power-loss", "prefix",
  // "per-file-prefix", "reorder", "zero-tail", and "torn[-512|-4096][-old|
  // -new|-zeros|-junk]" (defaults 512, old). Anything else is
  // InvalidArgument listing the valid names.
  static Result<CrashModel> Parse(std::string_view text);
  // The canonical name; Parse(Name()) gives back the same model. Torn models
  // are always spelled in full: "torn-4096-junk".
  std::string Name() const;
  // Every model, with torn in its default spelling: the matrix's columns.
  static std::vector<CrashModel> All();
  // True for the models with exactly one crash state.
  bool single_state() const;

  friend bool operator==(const CrashModel& a, const CrashModel& b) {
    return a.kind == b.kind && (a.kind != CrashModelKind::kTorn ||
                                (a.sector_bytes == b.sector_bytes && a.tear == b.tear));
  }
};

// Names one crash state: "reorder@57:5" style. `choices` are model-specific
// digits, one per pending operation for reorder/torn (0 = dropped; for torn,
// 1 + the landed-sector mask), one per stream for per-file-prefix, a single
// count for prefix, none for the single-state models.
struct CrashStateId {
  CrashModel model;
  uint64_t position = 0;  // SimFs::position() at the crash point
  std::vector<uint64_t> choices;

  // Compact, printable, and round-trips through Parse.
  std::string ToString() const;
  static Result<CrashStateId> Parse(std::string_view text);

  friend bool operator==(const CrashStateId& a, const CrashStateId& b) {
    return a.model == b.model && a.position == b.position && a.choices == b.choices;
  }
};

// How many crash states to visit at one crash point: all of them if there are
// at most `max_states`, otherwise `max_states` distinct ones sampled with a
// generator seeded from `seed` (and the position), so a run is reproducible.
struct EnumerationBudget {
  uint64_t max_states = 256;  // must be >= 1
  uint64_t seed = 0;
};

}  // namespace powercut::faultfs
