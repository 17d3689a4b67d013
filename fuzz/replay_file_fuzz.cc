// Fuzz target: the black-box replay-file reader (blackbox/replay_file.h).
// Any bytes are a replay case or Corruption at a byte offset; a case that
// parses round-trips through WriteReplayFile's format. Seeds: replay files
// written by WriteReplayFile.
#include <string>

#include "fuzz_target.h"
#include "replay_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace powercut;
  (void)blackbox::ParseReplayFile(std::string(fuzz::AsText(data, size)), "fuzz.replay");
  return 0;
}
