// FaultInjector: SimFs's error-injection rules (fault_rules.h) while a program
// runs — which fsync fails, which write is short or out of space, which read
// fails — with the counters each rule needs and the log of every fault that
// fired. It decides; SimFs applies the consequences (the after-fsync-failure
// page-cache profile, the short write). Bitflips change data, so SimFs applies
// them itself when the rule is added and only records them here.
// Injected errors are IOError with the errno a kernel would give, marked
// injected, with the path in the message. Private to faultfs.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "powercut/faultfs/fault_rules.h"
#include "powercut/status.h"

namespace powercut::faultfs {

class FaultInjector {
 public:
  // Adds an fsync-eio, enospc, short-write or read-eio rule. InvalidArgument
  // for a bitflip (SimFs applies those) or a malformed rule.
  Status Add(const FaultRule& rule);
  void Clear() { rules_.clear(); }

  // Called for every fsync, fdatasync and directory fsync (`operation` is
  // "fsync", "fdatasync" or "fsync-dir"). Returns the after-failure profile if
  // a rule makes this call fail with EIO.
  std::optional<FsyncFailureProfile> OnFsync(std::string_view operation, std::string_view path,
                                             uint64_t position);
  // Called for every write of `length` > 0 bytes. Returns how many bytes may be
  // written (length, or fewer for a short write or a write crossing an ENOSPC
  // limit), or the injected ENOSPC error when none may.
  Result<uint64_t> OnWrite(std::string_view path, uint64_t length, uint64_t position);
  // Called for every read of [offset, offset+length). The injected EIO if a
  // read-eio rule covers part of the range.
  Status OnRead(std::string_view path, uint64_t offset, uint64_t length, uint64_t position);

  void Record(const FaultRule& rule, std::string_view operation, std::string_view path,
              uint64_t position);
  const std::vector<FiredFault>& fired() const { return fired_; }

 private:
  struct ActiveRule {
    FaultRule rule;
    uint64_t matching_calls = 0;  // fsync-eio, short-write: calls seen so far
    uint64_t bytes_written = 0;   // enospc: bytes written to matching paths
  };
  // True if this call is the rule's Nth matching one (counting it).
  static bool CountAndCheckNth(ActiveRule& active);

  std::vector<ActiveRule> rules_;
  std::vector<FiredFault> fired_;
};

// fnmatch(3) over the whole virtual path ('*' also matches '/').
bool PathMatchesGlob(std::string_view glob, std::string_view path);

}  // namespace powercut::faultfs
