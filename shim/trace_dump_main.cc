// powercut-trace-dump TRACE [--max-data N]: prints a black-box trace as one
// text line per committed record (FormatTraceEntry), then a summary line with
// the root, the record count, uncommitted records skipped and records dropped.
// Exit 0 on success, 1 when the trace cannot be read, 2 on bad usage.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "trace_reader.h"

int main(int argc, char** argv) {
  std::string file;
  size_t max_data = 64;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--max-data" && i + 1 < argc) {
      char* end = nullptr;
      max_data = std::strtoull(argv[++i], &end, 10);
      if (*end != '\0') {
        std::fprintf(stderr, "powercut-trace-dump: --max-data wants a number, not '%s'\n", argv[i]);
        return 2;
      }
    } else if (file.empty() && !arg.empty() && arg[0] != '-') {
      file = arg;
    } else {
      std::fprintf(stderr, "usage: powercut-trace-dump TRACE [--max-data N]\n");
      return 2;
    }
  }
  if (file.empty()) {
    std::fprintf(stderr, "usage: powercut-trace-dump TRACE [--max-data N]\n");
    return 2;
  }
  auto trace = powercut::shim::ReadTrace(file);
  if (!trace.ok()) {
    std::fprintf(stderr, "powercut-trace-dump: %s\n", trace.status().ToString().c_str());
    return 1;
  }
  for (const auto& entry : trace->entries) {
    std::printf("%s\n", powercut::shim::FormatTraceEntry(entry, max_data).c_str());
  }
  std::printf("# root=%s records=%zu uncommitted_skipped=%llu dropped=%llu\n", trace->root.c_str(),
              trace->entries.size(), static_cast<unsigned long long>(trace->skipped_uncommitted),
              static_cast<unsigned long long>(trace->dropped));
  return 0;
}
