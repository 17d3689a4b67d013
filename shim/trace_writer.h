// TraceBuilder: writes a version-1 trace file from TraceEntry values, the way
// the shim would (header, records in order, committed). For tests of the
// reader and of the black-box loader, which need traces without running a
// program under the shim; it can also plant an uncommitted record or damage.
#pragma once

#include <string>
#include <vector>

#include "powercut/status.h"
#include "trace_reader.h"

namespace powercut::shim {

class TraceBuilder {
 public:
  // REQUIRES: `root` is absolute and shorter than kTraceRootMax.
  explicit TraceBuilder(std::string root) : root_(std::move(root)) {}

  // Appends a committed record; `entry.seq` 0 means "the next number".
  TraceBuilder& Add(TraceEntry entry);
  // Appends a record reserved but never committed (a process died in it).
  TraceBuilder& AddUncommitted(TraceEntry entry);
  void set_dropped(uint64_t dropped) { dropped_ = dropped; }

  // The file's bytes (header padded to 4096, then records).
  std::string Bytes() const;
  [[nodiscard]] Status WriteTo(const std::string& file) const;

 private:
  struct Pending {
    TraceEntry entry;
    bool committed;
  };
  std::string root_;
  uint64_t dropped_ = 0;
  uint64_t next_seq_ = 1;
  std::vector<Pending> records_;
};

}  // namespace powercut::shim
