// The trace the shim records, as the black-box runner sees it. The shim's
// reader (shim/trace_reader.h, target powercut_trace_reader) defines
// powercut::shim::TraceEntry / Trace / ReadTrace; when the build has it this
// header only includes it. Without it (a build before the reader landed) the
// same structs are declared here and ReadTrace says the reader is missing, so
// the loader and its tests build against one definition either way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "powercut/status.h"

#ifdef POWERCUT_BLACKBOX_HAVE_TRACE_READER
#include "trace_reader.h"
#else
namespace powercut::shim {

// One recorded operation (see shim/trace_format.h for each field's meaning).
struct TraceEntry {
  uint64_t seq = 0;
  uint16_t kind = 0;
  uint16_t flag_bits = 0;
  int32_t pid = 0, tid = 0, fd = -1;
  int64_t result = 0;
  int32_t err = 0;
  uint32_t flags = 0, mode = 0;
  uint64_t offset = 0, length = 0;
  std::string path, path2, data;
};

struct Trace {
  std::string root;
  uint64_t dropped = 0;
  uint64_t skipped_uncommitted = 0;
  std::vector<TraceEntry> entries;
};

// Always an error here: the build has no trace reader.
Result<Trace> ReadTrace(const std::string& file);

}  // namespace powercut::shim
#endif
