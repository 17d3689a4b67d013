// Tests of the `powercut` command line, run as a separate process (its path
// comes from the build: POWERCUT_CLI_BINARY): bad usage and bad input exit 2
// with a message that says what is valid; a small scenario passes on the
// reference engine and fails on a canary engine that acknowledges before it
// fsyncs, whose repro file replays the violation; the JSON and JUnit reports
// are well-formed and say the same thing as the exit code. The mutant side:
// `--mutant` with a bad name exits 2 listing the valid names; `list mutants`
// prints every mutant with its class (and as JSON); and the canary: the
// plain matrix (`powercut run` over every scenario, not a test written for
// the bug) on a mutant that acknowledges before its WAL fsync must exit 1.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
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

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) / ("powercut_cli_test_" + std::string(info->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `powercut ARGS` with stdout and stderr captured. ARGS is shell text.
  CommandResult Powercut(const std::string& args) {
    const fs::path out = dir_ / "stdout", err = dir_ / "stderr";
    const std::string command = std::string(POWERCUT_CLI_BINARY) + " " + args + " >" +
                                out.string() + " 2>" + err.string() + " </dev/null";
    const int status = std::system(command.c_str());
    CommandResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = ReadFile(out);
    result.err = ReadFile(err);
    return result;
  }

  fs::path dir_;
};

constexpr const char* kScenarios = "--scenarios-dir " POWERCUT_SCENARIO_DIR;
// A small run: one explicit-step scenario, two models, a tiny state budget.
constexpr const char* kSmallRun =
    "run --scenario sync-writes --model power-loss --model reorder --max-states 2 "
    "--scenarios-dir " POWERCUT_SCENARIO_DIR;

TEST_F(CliTest, NoVerbOrAnUnknownVerbExits2WithTheVerbs) {
  CommandResult none = Powercut("");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("list"), std::string::npos) << none.err;
  CommandResult unknown = Powercut("frobnicate");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown verb 'frobnicate'"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("replay"), std::string::npos) << unknown.err;
}

TEST_F(CliTest, HelpWorksOnEveryVerb) {
  for (const char* verb : {"list", "run", "replay"}) {
    CommandResult help = Powercut(std::string(verb) + " --help");
    EXPECT_EQ(help.exit_code, 0) << verb;
    EXPECT_NE(help.out.find(std::string("usage: powercut ") + verb), std::string::npos) << help.out;
  }
  EXPECT_EQ(Powercut("--help").exit_code, 0);
}

TEST_F(CliTest, AnUnknownFlagExits2AndListsTheValidFlags) {
  CommandResult result = Powercut("run --bogus");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("unknown flag '--bogus'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("--max-states"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("--shard"), std::string::npos) << result.err;
}

TEST_F(CliTest, BadFlagValuesExit2SayingWhatIsValid) {
  struct Case {
    std::string args, expected;
  };
  for (const Case& c : std::vector<Case>{
           {"run --max-states lots", "--max-states: 'lots' is not a non-negative integer"},
           {"run --max-states 0", "--max-states: 0 is out of range"},
           {"run --shard 5/4", "--shard"},
           {"run --model wobble", "power-loss"},
           {"run --crash-points some", "valid: all, sync"},
           {"run --report xml:out.xml", "valid: text, json, junit"},
           {"run --report json:", "FORMAT:FILE"},
           {"run -j", "--jobs needs a value"},
           {"run --engine nosuchengine", "known: "},
           {"list nothing", "valid: scenarios, models, engines"},
           {"replay", "one repro FILE"},
       }) {
    CommandResult result = Powercut(c.args);
    EXPECT_EQ(result.exit_code, 2) << c.args;
    EXPECT_NE(result.err.find(c.expected), std::string::npos) << c.args << " printed:\n"
                                                              << result.err;
  }
}

TEST_F(CliTest, ABadScenarioFileExits2WithFileLineAndColumn) {
  const std::string bad = std::string(POWERCUT_BAD_SCENARIO_DIR) + "/syntax_error.toml";
  CommandResult result = Powercut("run --scenario " + bad);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(bad + ":5:"), std::string::npos) << result.err;
}

TEST_F(CliTest, AnUnknownScenarioNameExits2ListingTheKnownOnes) {
  CommandResult result = Powercut(std::string("run --scenario no-such-scenario ") + kScenarios);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("unknown scenario 'no-such-scenario'"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("sync-writes"), std::string::npos) << result.err;
}

TEST_F(CliTest, ListShowsScenariosModelsAndEngines) {
  CommandResult result = Powercut(std::string("list ") + kScenarios);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  for (const char* expected : {"sync-writes", "torn-512-old", "per-file-prefix", "reference"}) {
    EXPECT_NE(result.out.find(expected), std::string::npos) << expected << "\n" << result.out;
  }
  CommandResult models = Powercut("list models");
  EXPECT_EQ(models.exit_code, 0);
  EXPECT_EQ(models.out.find("sync-writes"), std::string::npos) << "only models were asked for";
}

TEST_F(CliTest, ASmallScenarioPassesOnTheReferenceEngineWithWellFormedReports) {
  const fs::path json = dir_ / "report.json", junit = dir_ / "junit.xml";
  // A plain FILE takes its format from its name: junit.xml is JUnit.
  CommandResult result = Powercut(std::string(kSmallRun) + " --report json:" + json.string() +
                                  " --report " + junit.string());
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("seed 1"), std::string::npos) << result.out;

  const nlohmann::json report = nlohmann::json::parse(ReadFile(json));  // throws if malformed
  EXPECT_EQ(report.at("violations"), 0);
  EXPECT_GT(report.at("states_checked").get<uint64_t>(), 0u);
  ASSERT_EQ(report.at("cells").size(), 2u);  // sync-writes x {power-loss, reorder}
  EXPECT_EQ(report.at("cells")[0].at("scenario"), "sync-writes");
  EXPECT_TRUE(report.at("failures").empty());

  const std::string xml = ReadFile(junit);
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\"", 0), 0u) << xml;
  EXPECT_NE(xml.find("<testsuite name=\"sync-writes\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testcase classname=\"powercut.sync-writes\" name=\"reorder\">"),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("<failure"), std::string::npos) << xml;
  EXPECT_NE(xml.find("</testsuites>"), std::string::npos) << xml;
}

TEST_F(CliTest, TheAckBeforeFsyncCanaryFailsAndItsReproReplaysTheViolation) {
  const fs::path json = dir_ / "report.json", junit = dir_ / "junit.xml";
  const fs::path repros = dir_ / "repros";
  CommandResult result = Powercut(
      std::string(kSmallRun) + " --engine broken-ack-before-fsync --report json:" + json.string() +
      " --report junit:" + junit.string() + " --repro-dir " + repros.string());
  ASSERT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("FAIL sync-writes seed 1"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("replay " + repros.string()), std::string::npos) << result.out;

  const nlohmann::json report = nlohmann::json::parse(ReadFile(json));
  EXPECT_GT(report.at("violations").get<uint64_t>(), 0u);
  ASSERT_FALSE(report.at("failures").empty());
  const nlohmann::json& failure = report.at("failures")[0];
  EXPECT_EQ(failure.at("guarantee"), "acknowledged-durable");
  const std::string repro = failure.at("repro");
  ASSERT_FALSE(repro.empty());

  const std::string xml = ReadFile(junit);
  EXPECT_NE(xml.find("<failure type=\"acknowledged-durable\""), std::string::npos) << xml;

  CommandResult replay = Powercut("replay " + repro);
  EXPECT_EQ(replay.exit_code, 1) << replay.out << replay.err;
  EXPECT_NE(replay.out.find("acknowledged-durable"), std::string::npos) << replay.out;
}

TEST_F(CliTest, ReplayOfAMissingOrGarbledFileExits2) {
  EXPECT_EQ(Powercut("replay " + (dir_ / "missing.repro").string()).exit_code, 2);
  const fs::path garbled = dir_ / "garbled.repro";
  std::ofstream(garbled) << "this is not a repro file\n";
  CommandResult result = Powercut("replay " + garbled.string());
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find(garbled.string()), std::string::npos) << result.err;
}

TEST_F(CliTest, AnUnknownMutantExits2ListingTheValidOnes) {
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

TEST_F(CliTest, ListMutantsPrintsEveryMutantWithItsClass) {
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

TEST_F(CliTest, MutantsRejectsBadFlags) {
  CommandResult result = Powercut("mutants --report xml:out.xml");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("expected json:FILE"), std::string::npos) << result.err;
  EXPECT_EQ(Powercut("mutants --help").exit_code, 0);
}

// The canary: the ordinary matrix, every scenario, a small budget.
TEST_F(CliTest, ThePlainMatrixCatchesAnAckBeforeFsyncMutant) {
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
