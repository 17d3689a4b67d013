// FaultInjector: rule matching, counters and the fired-fault log (see
// sim_faults.h).
#include "sim_faults.h"

#include <fnmatch.h>

#include <algorithm>
#include <cerrno>
#include <string>

namespace powercut::faultfs {

bool PathMatchesGlob(std::string_view glob, std::string_view path) {
  return fnmatch(std::string(glob).c_str(), std::string(path).c_str(), 0) == 0;
}

Status FaultInjector::Add(const FaultRule& rule) {
  switch (rule.kind) {
    case FaultKind::kBitFlip:
    case FaultKind::kZeroSector:
    case FaultKind::kMisdirect:
      return Status::InvalidArgument("media-damage rules are applied by SimFs when added: " +
                                     rule.ToString());
    case FaultKind::kReadEio:
      if (rule.length == 0) {
        return Status::InvalidArgument("read-eio rule needs a LENGTH > 0: " + rule.ToString());
      }
      break;
    default:
      break;
  }
  if (rule.path_glob.empty()) {
    return Status::InvalidArgument("fault rule needs a path glob: " + rule.ToString());
  }
  rules_.push_back(ActiveRule{rule});
  return Status::OK();
}

bool FaultInjector::CountAndCheckNth(ActiveRule& active) {
  ++active.matching_calls;
  return active.rule.nth == 0 || active.matching_calls == active.rule.nth;
}

void FaultInjector::Record(const FaultRule& rule, std::string_view operation, std::string_view path,
                           uint64_t position) {
  fired_.push_back(
      FiredFault{rule.ToString(), std::string(operation), std::string(path), position});
}

std::optional<FsyncFailureProfile> FaultInjector::OnFsync(std::string_view operation,
                                                          std::string_view path,
                                                          uint64_t position) {
  std::optional<FsyncFailureProfile> verdict;
  for (ActiveRule& active : rules_) {
    if (active.rule.kind != FaultKind::kFsyncEio) continue;
    if (!PathMatchesGlob(active.rule.path_glob, path)) continue;
    // Every matching rule counts this call, even if an earlier one fired.
    if (CountAndCheckNth(active) && !verdict.has_value()) {
      verdict = active.rule.after_failure;
      Record(active.rule, operation, path, position);
    }
  }
  return verdict;
}

Result<uint64_t> FaultInjector::OnWrite(std::string_view path, uint64_t length, uint64_t position) {
  uint64_t allowed = length;
  for (ActiveRule& active : rules_) {
    if (active.rule.kind != FaultKind::kShortWrite) continue;
    if (!PathMatchesGlob(active.rule.path_glob, path)) continue;
    if (!CountAndCheckNth(active)) continue;
    uint64_t short_bytes =
        active.rule.bytes != 0 ? active.rule.bytes : std::max<uint64_t>(1, length / 2);
    if (short_bytes < allowed) {
      allowed = short_bytes;
      Record(active.rule, "write", path, position);
    }
  }
  for (ActiveRule& active : rules_) {
    if (active.rule.kind != FaultKind::kEnospc) continue;
    if (!PathMatchesGlob(active.rule.path_glob, path)) continue;
    uint64_t remaining = active.rule.bytes - std::min(active.rule.bytes, active.bytes_written);
    if (remaining == 0) {
      Record(active.rule, "write", path, position);
      return Status::FromErrno("write", path, ENOSPC).MarkInjected();
    }
    if (allowed > remaining) {
      allowed = remaining;
      Record(active.rule, "write", path, position);
    }
  }
  for (ActiveRule& active : rules_) {
    if (active.rule.kind != FaultKind::kEnospc) continue;
    if (PathMatchesGlob(active.rule.path_glob, path)) active.bytes_written += allowed;
  }
  return allowed;
}

Status FaultInjector::OnRead(std::string_view path, uint64_t offset, uint64_t length,
                             uint64_t position) {
  for (const ActiveRule& active : rules_) {
    if (active.rule.kind != FaultKind::kReadEio) continue;
    if (!PathMatchesGlob(active.rule.path_glob, path)) continue;
    uint64_t bad_begin = active.rule.offset;
    uint64_t bad_end = active.rule.offset + active.rule.length;
    if (offset < bad_end && offset + length > bad_begin && length > 0) {
      Record(active.rule, "read", path, position);
      std::string context = "read at offset " + std::to_string(offset) + " of";
      return Status::FromErrno(context, path, EIO).MarkInjected();
    }
  }
  return Status::OK();
}

}  // namespace powercut::faultfs
