// Trace rules of culprit analysis (private to the harness): file roles from
// names, and orderings in a file-operation trace that are durability bugs
// whatever the crash — a rename of unsynced data, CURRENT switched before its
// manifest is synced, an unlink before the rename it depends on is durable,
// a WAL retired before its table is written, a manifest synced before the
// table it names.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "powercut/faultfs/sim_fs.h"

namespace powercut::harness {

// LevelDB-style names: *.log WAL, *.sst/*.ldb table, MANIFEST-*, CURRENT,
// *.tmp/*.dbtmp temp files.
enum class FileRole { kWal, kTable, kManifest, kCurrent, kTemp, kOther };
FileRole RoleOfPath(const std::string& path);
bool RoleIs(const std::string& path, FileRole role);

struct TraceFinding {
  std::string bug_class;  // "C03"
  std::string reason;     // names the two operations
};

// The first ordering bug in `ops` (oldest first), in the order the header
// lists them; nullopt if none.
std::optional<TraceFinding> TraceOrderingBug(const std::vector<faultfs::OpRecord>& ops);

}  // namespace powercut::harness
