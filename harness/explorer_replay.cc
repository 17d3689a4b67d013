// ReplayCrashPath (see explorer.h): the main line again, with one crash path
// followed exactly instead of every state explored. Repro files and the
// shrinker are built on it.
#include <utility>

#include "explorer.h"
#include "explorer_crash_checker.h"
#include "explorer_main_line.h"

namespace powercut::harness {

using explorer_internal::CrashChecker;
using explorer_internal::CrashPoint;
using explorer_internal::MainLine;

Result<ReplayVerdict> ReplayCrashPath(const Workload& workload, const EngineFactory& engine,
                                      const EngineSettings& settings,
                                      const std::vector<faultfs::CrashStateId>& crash_path,
                                      const ReplayOptions& options) {
  ReplayVerdict verdict;
  std::optional<CrashChecker> checker;
  MainLine* main_line_ptr = nullptr;
  auto on_point = [&](const CrashPoint& point) -> Status {
    if (crash_path.empty() || point.position != crash_path.front().position ||
        point.after_ack != options.after_ack) {
      return Status::OK();
    }
    verdict.reached = true;
    bool inner_reached = true;
    POWERCUT_RETURN_IF_ERROR(checker->Replay(*point.fs, crash_path, point.depth,
                                             point.lossless_so_far, &verdict.violations,
                                             &inner_reached));
    verdict.reached = inner_reached;
    POWERCUT_ASSIGN_OR_RETURN(verdict.fates, point.fs->DescribeCrash(crash_path.front()));
    std::vector<std::string> lines = main_line_ptr->ContextLines(point.position, point.after_ack);
    for (const std::string& line : lines) verdict.ops_around += line + "\n";
    for (Violation& violation : verdict.violations) violation.context_ops = lines;
    main_line_ptr->Stop();
    return Status::OK();
  };
  MainLine main_line({.workload = &workload,
                      .engine = &engine,
                      .settings = settings,
                      .crash_points = options.crash_points,
                      .seed = options.seed,
                      .profile = options.profile},
                     on_point);
  main_line_ptr = &main_line;
  checker.emplace(
      explorer_internal::CheckerConfig{.engine = &engine,
                                       .settings = settings,
                                       .max_depth = 3,
                                       .check_durable_recovery = options.check_durable_recovery,
                                       .seed = options.seed},
      &main_line.oracle());
  POWERCUT_ASSIGN_OR_RETURN(std::vector<Violation> main_violations, main_line.Run());
  if (crash_path.empty()) {
    verdict.reached = true;
    verdict.violations = std::move(main_violations);
  }
  std::string path_text;
  for (const faultfs::CrashStateId& id : crash_path) {
    path_text += (path_text.empty() ? "" : " > ") + id.ToString();
  }
  for (Violation& violation : verdict.violations) {
    if (!crash_path.empty()) violation.crash_state_id = path_text;
  }
  return verdict;
}

}  // namespace powercut::harness
