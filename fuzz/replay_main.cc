// A plain driver for the fuzz targets: feeds every file of the directories
// (or files) named on the command line to LLVMFuzzerTestOneInput once, in
// name order. Linked with each target into fuzz_replay_<target>, it lets the
// normal (gcc) build and CTest replay the seed corpus and every input that
// ever crashed a target (fuzz/regressions/<target>/), without libFuzzer.
// Exit 0 when every input ran (a crash ends the process, failing the test);
// 2 on a missing argument or an unreadable file.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_target.h"

namespace {

std::vector<std::filesystem::path> InputsOf(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> inputs;
  if (std::filesystem::is_regular_file(root)) return {root};
  if (!std::filesystem::is_directory(root)) return inputs;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name != "README.md" && name != ".gitkeep") {
      inputs.push_back(entry.path());
    }
  }
  std::sort(inputs.begin(), inputs.end());
  return inputs;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    for (const std::filesystem::path& input : InputsOf(argv[i])) {
      std::ifstream in(input, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "cannot read %s\n", input.c_str());
        return 2;
      }
      const std::string bytes((std::istreambuf_iterator<char>(in)), {});
      std::fprintf(stderr, "input %s (%zu bytes)\n", input.c_str(), bytes.size());
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      ++count;
    }
  }
  std::printf("%zu inputs ran clean\n", count);
  return count > 0 ? 0 : 2;
}
