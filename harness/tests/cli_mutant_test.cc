// Tests of the mutant side of the `powercut` command line, run as a separate
// process (POWERCUT_CLI_BINARY): `--mutant` with a bad name exits 2 listing
// the valid names; `list mutants` prints every mutant with its class (and
// as JSON); `mutants` rejects bad flags; and the canary: the plain matrix
// (`powercut run` over every scenario, not a test written for the bug) run
// on a mutant that acknowledges before its WAL fsync must exit 1 with a
// violation, so a harness that silently stops seeing fails CI.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "powercut/engine/mutant.h"

namespace powercut::cli {
namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class CliMutantTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) / ("powercut_cli_mutant_" + std::string(info->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `powercut ARGS` (shell text) with stdout and stderr captured.
  CommandResult Powercut(const std::string& args) {
    const fs::path out = dir_ / "stdout", err = dir_ / "stderr";
    const std::string command = std::string(POWERCUT_CLI_BINARY) + " " + args + " >" +
                                out.string() + " 2>" + err.string() + " </dev/null";
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(out), ReadFile(err)};
  }

  fs::path dir_;
};

TEST_F(CliMutantTest, AnUnknownMutantExits2ListingTheValidOnes) {
  for (const char* verb : {"run", "mutants"}) {
    CommandResult result = Powercut(std::string(verb) + " --mutant no-such-bug --max-states 1");
    EXPECT_EQ(result.exit_code, 2) << verb;
    EXPECT_NE(result.err.find("unknown mutant 'no-such-bug'"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("ack-before-wal-fsync"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("continue-append-after-write-error"), std::string::npos)
        << result.err;
  }
  CommandResult missing = Powercut("run --mutant");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--mutant needs a value"), std::string::npos) << missing.err;
}

TEST_F(CliMutantTest, ListMutantsPrintsEveryMutantWithItsClass) {
  CommandResult text = Powercut("list mutants");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  CommandResult json_result = Powercut("list mutants --json");
  ASSERT_EQ(json_result.exit_code, 0) << json_result.err;
  const nlohmann::json json = nlohmann::json::parse(json_result.out);
  ASSERT_EQ(json.size(), engine::AllMutants().size());
  size_t i = 0;
  for (const engine::MutantInfo& info : engine::AllMutants()) {
    const std::string name(info.name), bug_class(info.bug_class);
    EXPECT_NE(text.out.find(name + " "), std::string::npos) << name;
    EXPECT_NE(text.out.find(bug_class + " " + std::string(info.class_name)), std::string::npos);
    EXPECT_EQ(json[i]["name"], name);
    EXPECT_EQ(json[i]["class"], bug_class);
    EXPECT_EQ(json[i]["behaviour"], std::string(info.behaviour));
    ++i;
  }
  EXPECT_EQ(Powercut("list models --json").exit_code, 2);
}

TEST_F(CliMutantTest, MutantsRejectsBadFlags) {
  CommandResult result = Powercut("mutants --report xml:out.xml");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("expected json:FILE"), std::string::npos) << result.err;
  EXPECT_EQ(Powercut("mutants --help").exit_code, 0);
}

// The canary: the ordinary matrix, every scenario, a small budget.
TEST_F(CliMutantTest, ThePlainMatrixCatchesAnAckBeforeFsyncMutant) {
  const std::string repros = (dir_ / "repros").string();
  CommandResult result = Powercut(
      "run --mutant ack-before-wal-fsync --seed 1 --max-states 1 --shrink-runs 0 -j 2 --quiet "
      "--scenarios-dir " POWERCUT_SCENARIO_DIR " --repro-dir " +
      repros);
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("acknowledged-durable"), std::string::npos) << result.out;
  bool repro_names_the_mutant = false;
  for (const auto& entry : fs::directory_iterator(repros)) {
    repro_names_the_mutant =
        repro_names_the_mutant ||
        ReadFile(entry.path()).find("engine.mutant = ack-before-wal-fsync") != std::string::npos;
  }
  EXPECT_TRUE(repro_names_the_mutant);
}

}  // namespace
}  // namespace powercut::cli
