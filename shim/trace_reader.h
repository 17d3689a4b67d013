// The black-box trace reader: loads a trace file written by
// libpowercut_shim.so (format: shim/trace_format.h, prose: docs/shim.md) into
// memory, keeping only committed records, sorted by sequence number. Used by
// the black-box runner (the loader into SimFs), `powercut-trace-dump` and the
// shim's tests. Every malformed input is a Corruption status naming the file
// and the byte offset at fault; a record left uncommitted by a process that
// died mid-record is skipped and counted, never an error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/status.h"

namespace powercut::shim {

// One committed record (TraceRecord plus its variable-length parts).
struct TraceEntry {
  uint64_t seq = 0;
  uint16_t kind = 0;       // TraceKind
  uint16_t flag_bits = 0;  // TraceFlagBits
  int32_t pid = 0;
  int32_t tid = 0;
  int32_t fd = -1;
  int64_t result = 0;
  int32_t err = 0;
  uint32_t flags = 0;
  uint32_t mode = 0;
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string path;
  std::string path2;
  std::string data;
};

struct Trace {
  std::string root;                  // TraceHeader::root
  uint64_t dropped = 0;              // records lost because the capacity ran out
  uint64_t skipped_uncommitted = 0;  // records of processes that died mid-record
  std::vector<TraceEntry> entries;   // committed records, sorted by seq
};

// Reads and validates `file`. Errors: NotFound/IOError when it cannot be
// read; Corruption("<file>: offset N: what") when it is not a version-1 trace.
[[nodiscard]] Result<Trace> ReadTrace(const std::string& file);

// Parses a trace already in memory; `name` is used in error messages.
[[nodiscard]] Result<Trace> ParseTrace(std::string_view bytes, const std::string& name);

// "write", "fsync", ... ; "kind-<n>" for a number outside TraceKind.
std::string TraceKindName(uint16_t kind);

// One line per entry, stable for tests and people:
// `seq=3 pid=12 tid=12 write fd=4 path=/r/a offset=0 length=5 result=5 data="hello"`
// (fields that do not apply to the kind are left out; data is C-escaped and
// cut at `max_data` bytes with "..." appended).
std::string FormatTraceEntry(const TraceEntry& entry, size_t max_data = 64);

}  // namespace powercut::shim
