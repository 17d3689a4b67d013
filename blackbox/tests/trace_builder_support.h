// Builds shim traces in memory for the black-box tests: each call appends
// one entry with the next seq, under the fake root kRoot, so a test reads as
// the list of calls a program made.
#pragma once

#include <cstdint>
#include <string>

#include "trace_reader.h"

namespace powercut::blackbox::testing_support {

inline constexpr const char* kRoot = "/real/root";

class TraceBuilder {
 public:
  // `path` is relative to kRoot ("/a"); "" for none.
  shim::TraceEntry& Add(uint16_t kind, std::string path = "", int32_t fd = -1, int32_t pid = 100);
  shim::TraceEntry& Open(std::string path, int32_t fd, uint32_t flags, int32_t pid = 100);
  shim::TraceEntry& Write(std::string path, int32_t fd, uint64_t offset, std::string data,
                          int32_t pid = 100);
  shim::TraceEntry& Ack(std::string line, int32_t pid = 100);
  // The trace so far (root kRoot).
  shim::Trace Build() const;

 private:
  uint64_t seq_ = 0;
  shim::Trace trace_;
};

}  // namespace powercut::blackbox::testing_support
