// TraceBuilder (trace_builder_support.h).
#include "trace_builder_support.h"

#include "trace_format.h"

namespace powercut::blackbox::testing_support {

using shim::TraceEntry;

TraceEntry& TraceBuilder::Add(uint16_t kind, std::string path, int32_t fd, int32_t pid) {
  TraceEntry entry;
  entry.seq = ++seq_;
  entry.kind = kind;
  entry.pid = pid;
  entry.tid = pid;
  entry.fd = fd;
  entry.path = path.empty() ? "" : std::string(kRoot) + path;
  trace_.entries.push_back(entry);
  return trace_.entries.back();
}

TraceEntry& TraceBuilder::Open(std::string path, int32_t fd, uint32_t flags, int32_t pid) {
  TraceEntry& e = Add(kTraceOpen, std::move(path), -1, pid);
  e.flags = flags;
  e.result = fd;
  return e;
}

TraceEntry& TraceBuilder::Write(std::string path, int32_t fd, uint64_t offset, std::string data,
                                int32_t pid) {
  TraceEntry& e = Add(kTraceWrite, std::move(path), fd, pid);
  e.offset = offset;
  e.data = std::move(data);
  e.result = static_cast<int64_t>(e.data.size());
  return e;
}

TraceEntry& TraceBuilder::Ack(std::string line, int32_t pid) {
  TraceEntry& e = Add(kTraceAck, "", -1, pid);
  e.data = std::move(line);
  return e;
}

shim::Trace TraceBuilder::Build() const {
  shim::Trace trace = trace_;
  trace.root = kRoot;
  return trace;
}

}  // namespace powercut::blackbox::testing_support
