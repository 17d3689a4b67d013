// Fuzz target: the acknowledgement lines of black-box workloads
// (blackbox/ack_lines.h). The input is cut into writes of two processes
// (each byte 0x00 switches process, 0x01 ends a write) fed to AckLineJoiner,
// which parses every completed line; each line is also parsed on its own.
// Seeds: valid ack lines ("A key value", ...) and near misses.
#include <string>
#include <string_view>

#include "ack_lines.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace powercut;
  const std::string_view text = fuzz::AsText(data, size);
  (void)blackbox::ParseAckLine(text.substr(0, text.find('\n')), "fuzz line");
  blackbox::AckLineJoiner joiner;
  int32_t pid = 100;
  uint64_t seq = 0;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '\0' && text[i] != '\x01') continue;
    ++seq;
    if (!joiner.Add(pid, text.substr(start, i - start), seq, seq).ok()) return 0;
    if (i < text.size() && text[i] == '\0') pid = pid == 100 ? 101 : 100;
    start = i + 1;
  }
  (void)joiner.Finish();
  return 0;
}
