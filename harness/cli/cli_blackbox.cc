// `powercut blackbox`: runs the black-box protocol (DESIGN.md) on a program
// powercut does not link with. It records the workload under the shim,
// explores its crash states with the runner of blackbox/, prints a summary
// and every failure (with the pending operations it lost and a replay
// command), writes the reports asked for, and saves each failure as a replay
// file that `powercut blackbox --replay FILE` rebuilds. Exit 0: no failing
// state; 1: failing states; 2: bad usage or input (flags, --init failing,
// the checker failing on the starting image, a trace that cannot be loaded).
#include "cli_blackbox.h"

#include <cstdio>
#include <filesystem>
#include <utility>

#include "cli.h"
#include "reports.h"

namespace powercut::cli {
namespace {

using faultfs::CrashModel;

constexpr std::string_view kVerb = "blackbox";

std::vector<CrashModel> DefaultModels() {
  std::vector<CrashModel> models;
  for (const char* name : {"power-loss", "prefix", "reorder", "torn", "zero-tail"}) {
    models.push_back(CrashModel::Parse(name).value());
  }
  return models;
}

Status AddReport(std::string_view text, BlackboxConfig& config) {
  POWERCUT_ASSIGN_OR_RETURN(auto report, ParseReportFlag(text));
  config.reports.push_back(std::move(report));
  return Status::OK();
}

void AddFlags(FlagParser& parser, BlackboxConfig& config) {
  parser.AddString("root", "DIR", "the directory the program works in (created; must be empty)",
                   &config.root);
  parser.AddString("init", "CMD", "fills DIR before the workload; the result is durable",
                   &config.init);
  parser.AddString("workload", "CMD", "the program under test, run under the shim",
                   &config.workload);
  parser.AddString("check", "CMD",
                   "recovers a crash image ($POWERCUT_IMAGE, also its cwd) and prints\n"
                   "`key value` lines; exit 1: cannot recover, 2: inconsistent",
                   &config.check);
  parser.AddValue(
      "model", "M",
      "a crash model (repeatable; default power-loss, prefix, reorder, torn,\nzero-tail; see "
      "`powercut list models`)",
      [&config](std::string_view v) -> Status {
        POWERCUT_ASSIGN_OR_RETURN(CrashModel model, CrashModel::Parse(v));
        config.models.push_back(model);
        return Status::OK();
      },
      /*repeatable=*/true);
  parser.AddValue(
      "profile", "NAME",
      "a file-system profile: strict-posix, ext4-ordered, ext4-writeback\n(repeatable: "
      "each is judged on its own; default strict-posix)",
      [&config](std::string_view v) -> Status {
        POWERCUT_ASSIGN_OR_RETURN(faultfs::PersistenceProfile profile, faultfs::ParseProfile(v));
        for (faultfs::PersistenceProfile seen : config.profiles) {
          if (seen == profile) return Status::OK();
        }
        config.profiles.push_back(profile);
        return Status::OK();
      },
      /*repeatable=*/true);
  parser.AddUint("seed", "N", "seeds the sampling of large crash-state spaces (default 1)",
                 &config.seed, 0, UINT64_MAX);
  parser.AddUint("max-states", "N", "crash states per crash point and model (default 16)",
                 &config.max_states, 1, UINT64_MAX);
  parser.AddValue("crash-points", "all|sync",
                  "every file operation, or (default) each persistence point, the\noperation "
                  "before it, each acknowledgement and the last operation",
                  [&config](std::string_view v) -> Status {
                    if (v != "all" && v != "sync") {
                      return Status::InvalidArgument(
                          "'" + std::string(v) + "' is not a crash-point set (valid: all, sync)");
                    }
                    config.all_crash_points = v == "all";
                    return Status::OK();
                  });
  parser.AddUint("jobs", "N", "checker processes run at once (default 1)", &config.jobs, 1, 256);
  parser.AddAlias('j', "jobs");
  parser.AddUint("timeout", "S", "seconds a checker run may take; 0: no limit (default 60)",
                 &config.timeout_seconds, 0, 86400);
  parser.AddValue(
      "report", "[FORMAT:]FILE",
      "also write the report as text, json or junit (repeatable; a plain\nFILE: *.json json, *.xml "
      "junit, else text)",
      [&config](std::string_view v) { return AddReport(v, config); },
      /*repeatable=*/true);
  parser.AddString("keep-images", "DIR", "keep every checked crash image under DIR (image-N)",
                   &config.keep_images);
  parser.AddString("replay-dir", "DIR",
                   "where replay files of failures go (default " + config.replay_dir + ")",
                   &config.replay_dir);
  parser.AddString("replay", "FILE", "rebuild one saved failure's image and run the checker again",
                   &config.replay);
  parser.AddString("image-dir", "DIR",
                   "with --replay: where to rebuild the image (default: a new\n"
                   "temporary directory)",
                   &config.image_dir);
}

Status Validate(const BlackboxConfig& config) {
  if (!config.replay.empty()) return Status::OK();
  for (const auto& [flag, value] :
       {std::pair<const char*, const std::string*>{"--root", &config.root},
        {"--workload", &config.workload},
        {"--check", &config.check}}) {
    if (value->empty()) return Status::InvalidArgument(std::string(flag) + " is required");
  }
  return Status::OK();
}

}  // namespace

int BlackboxMain(const std::vector<std::string>& args) {
  BlackboxConfig config;
  FlagParser parser(
      "powercut blackbox --root DIR --workload CMD --check CMD [flags]\n"
      "       powercut blackbox --replay FILE [--image-dir DIR] [--check CMD]",
      "Runs a program under the LD_PRELOAD shim, recording its file operations and\n"
      "acknowledgements (ack lines on $POWERCUT_ACK_FD: `W key value`, `A key value`,\n"
      "`D key`), then rebuilds its crash images under each crash model, runs the checker\n"
      "on each and judges the recovered `key value` state against the acknowledgements\n"
      "(DESIGN.md, the black-box protocol v1; docs/blackbox.md).");
  AddFlags(parser, config);
  Status status = parser.Parse(args);
  if (status.ok() && parser.help_requested()) {
    std::fputs(parser.Usage().c_str(), stdout);
    return kExitOk;
  }
  if (status.ok()) status = Validate(config);
  if (!status.ok()) return UsageError(kVerb, parser, status);
  if (config.models.empty()) config.models = DefaultModels();
  if (config.profiles.empty()) config.profiles = {faultfs::PersistenceProfile::kStrictPosix};
  return config.replay.empty() ? RunBlackbox(config) : ReplayBlackbox(config);
}

}  // namespace powercut::cli
