// End-to-end tests of `powercut blackbox`: the built binary runs tiny shell
// workloads under the real shim. A write acknowledged without fsync must be
// reported lost under power-loss (and its replay file must reproduce it);
// the same write made durable with sync(1) must pass under every model; bad
// flags exit 2 naming what is valid. Skipped when the build has no shim.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "image.h"

namespace powercut::blackbox {
namespace {

struct Output {
  int exit_code = -1;
  std::string text;
};

// Runs `command` through the shell, stdout and stderr together.
Output RunShell(const std::string& command) {
  Output output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return output;
  std::array<char, 4096> buffer;
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    output.text.append(buffer.data(), n);
  const int status = pclose(pipe);
  output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

std::string Quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

class EndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifndef POWERCUT_SHIM_LIBRARY
    GTEST_SKIP() << "this build has no libpowercut_shim.so";
#else
    Result<std::string> dir = MakeTempDirectory();
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
#endif
  }
  void TearDown() override {
    if (!dir_.empty()) (void)RemoveTree(dir_);
  }

  // `powercut blackbox` with the shim of this build, run inside dir_.
  Output Blackbox(const std::string& flags) {
#ifdef POWERCUT_SHIM_LIBRARY
    return RunShell("cd " + Quote(dir_) + " && POWERCUT_SHIM=" + Quote(POWERCUT_SHIM_LIBRARY) +
                    " " + Quote(POWERCUT_CLI_BINARY) + " blackbox " + flags);
#else
    return Output{};
#endif
  }

  std::string dir_;
};

// Prints `f <contents>` when f exists and is not empty.
constexpr const char* kCatChecker = "if [ -s f ]; then printf 'f %s\\n' \"$(cat f)\"; fi";

TEST_F(EndToEndTest, AckWithoutFsyncIsLostUnderPowerLoss) {
  const std::string workload =
      "printf hello > $POWERCUT_ROOT/f; echo 'A f hello' >&$POWERCUT_ACK_FD";
  Output out = Blackbox("--root root --workload " + Quote(workload) + " --check " +
                        Quote(kCatChecker) + " --model power-loss --model process-kill" +
                        " --report json:report.json --report junit:junit.xml --replay-dir rp");
  EXPECT_EQ(out.exit_code, 1) << out.text;
  EXPECT_NE(out.text.find("missing: key f, acknowledged 'A f hello'"), std::string::npos)
      << out.text;
  EXPECT_NE(out.text.find("dropped: write /f @0 +5"), std::string::npos) << out.text;
  std::ifstream json_file(dir_ + "/report.json");
  std::stringstream json;
  json << json_file.rdbuf();
  EXPECT_TRUE(std::regex_search(
      json.str(), std::regex("\"model\": \"power-loss\",\\s*\"states\": 1,\\s*\"failures\": 1")))
      << json.str();
  EXPECT_TRUE(std::regex_search(
      json.str(), std::regex("\"model\": \"process-kill\",\\s*\"states\": 1,\\s*\"failures\": 0")))
      << json.str();
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/junit.xml"));

  // The printed replay command rebuilds the image and reproduces the failure.
  std::smatch replay;
  ASSERT_TRUE(
      std::regex_search(out.text, replay, std::regex("replay: \\S+ blackbox --replay (\\S+)")));
  Output again = Blackbox("--replay " + Quote(replay[1].str()) + " --image-dir img");
  EXPECT_EQ(again.exit_code, 1) << again.text;
  EXPECT_NE(again.text.find("the failure reproduces"), std::string::npos) << again.text;
  EXPECT_TRUE(std::filesystem::is_directory(dir_ + "/img"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/img/f"));  // power-loss: the new file is gone
}

TEST_F(EndToEndTest, SyncedWritePassesEveryModel) {
  // Torn and zero-tail images may hold part of the unacknowledged write: the
  // checker validates the whole value, as a record checksum would.
  const std::string workload =
      "printf hello > $POWERCUT_ROOT/f && sync && echo 'A f hello' >&$POWERCUT_ACK_FD";
  const std::string checker = "if [ \"$(cat f 2>/dev/null)\" = hello ]; then echo f hello; fi";
  Output out = Blackbox("--root root --workload " + Quote(workload) + " --check " + Quote(checker) +
                        " --crash-points all -j 2" +
                        " --model process-kill --model power-loss --model prefix" +
                        " --model per-file-prefix --model reorder --model torn --model zero-tail");
  EXPECT_EQ(out.exit_code, 0) << out.text;
  EXPECT_NE(out.text.find(" 0 failing states"), std::string::npos) << out.text;
}

TEST_F(EndToEndTest, InitialStateAndCheckerExitCodes) {
  // --init's file is durable; the checker exits 2 on a state it finds odd.
  const std::string checker =
      "[ -s f ] || { echo 'f lost' >&2; exit 2; }; printf 'f %s\\n' \"$(cat f)\"";
  Output out = Blackbox("--root root --init 'printf old > $POWERCUT_ROOT/f' --workload " +
                        Quote("rm $POWERCUT_ROOT/f") + " --check " + Quote(checker) +
                        " --model process-kill --model power-loss");
  EXPECT_EQ(out.exit_code, 1) << out.text;
  EXPECT_NE(out.text.find("(inconsistent)"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("f lost"), std::string::npos) << out.text;
}

TEST_F(EndToEndTest, BadInputExitsTwoAndSaysWhatIsValid) {
  Output help = Blackbox("--help");
  EXPECT_EQ(help.exit_code, 0) << help.text;
  EXPECT_NE(help.text.find("--crash-points all|sync"), std::string::npos) << help.text;
  Output model = Blackbox("--root r --workload true --check true --model nope");
  EXPECT_EQ(model.exit_code, 2);
  EXPECT_NE(model.text.find("valid models"), std::string::npos) << model.text;
  Output points = Blackbox("--root r --workload true --check true --crash-points most");
  EXPECT_EQ(points.exit_code, 2);
  EXPECT_NE(points.text.find("valid: all, sync"), std::string::npos) << points.text;
  Output missing = Blackbox("--root r --workload true");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.text.find("--check is required"), std::string::npos) << missing.text;
  Output baseline = Blackbox("--root r --workload true --check 'exit 1'");
  EXPECT_EQ(baseline.exit_code, 2);
  EXPECT_NE(baseline.text.find("fails on the starting image"), std::string::npos) << baseline.text;
  Output acks = Blackbox("--root r2 --workload 'echo bogus >&$POWERCUT_ACK_FD' --check true");
  EXPECT_EQ(acks.exit_code, 2);
  EXPECT_NE(acks.text.find("ack line 1 of pid"), std::string::npos) << acks.text;
}

}  // namespace
}  // namespace powercut::blackbox
