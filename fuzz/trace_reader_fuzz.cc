// Fuzz target: the shim trace reader (shim/trace_reader.h) on any bytes, and
// the one-line form of every entry it returns. Seeds: traces made with
// TraceBuilder (a header, committed and uncommitted records).
#include <string>

#include "fuzz_target.h"
#include "trace_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace powercut;
  Result<shim::Trace> trace = shim::ParseTrace(fuzz::AsText(data, size), "fuzz.trace");
  if (!trace.ok()) return 0;
  for (const shim::TraceEntry& entry : trace->entries) {
    volatile size_t line_bytes = shim::FormatTraceEntry(entry).size();
    (void)line_bytes;
  }
  return 0;
}
