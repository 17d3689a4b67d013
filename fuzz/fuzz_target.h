// The one entry point every fuzz target defines (libFuzzer's), declared once
// so the targets, libFuzzer and the plain corpus driver (replay_main.cc) agree.
// Contract of every target: any input returns 0 without crashing, reading
// outside its buffers, hanging or allocating without bound; a parser's answer
// is a value or an error Status, never an abort.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace powercut::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace powercut::fuzz
