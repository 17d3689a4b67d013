// Acknowledgement lines of the black-box protocol (DESIGN.md, step 3): the
// workload writes `W key value`, `A key value` and `D key` lines to
// POWERCUT_ACK_FD; the shim stamps each write into the trace (kTraceAck), so a
// line may arrive in pieces, and several processes may write at once.
// AckLineJoiner joins the pieces per process into lines and parses each one,
// remembering the trace seq and SimFs position where the line was completed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/status.h"

namespace powercut::blackbox {

enum class AckKind : uint8_t {
  kWrite,        // W key value: about to write (the value may appear)
  kAcknowledge,  // A key value: the write is acknowledged durable
  kDelete,       // D key: the delete is acknowledged durable
};

struct AckEvent {
  AckKind kind = AckKind::kWrite;
  std::string key;
  std::string value;      // empty for kDelete
  uint64_t seq = 0;       // trace seq of the record that completed the line
  uint64_t position = 0;  // SimFs position when it completed (ops before it)
  int32_t pid = 0;
  uint64_t line = 0;  // 1-based number of the line among this pid's lines

  // "A key value" (the line as written).
  std::string ToString() const;
};

// Parses one line (without its '\n'). `where` names it in the error:
// "ack line 3 of pid 42 (trace seq 17)". InvalidArgument says what is valid.
Result<AckEvent> ParseAckLine(std::string_view line, std::string_view where);

// Joins the ack data of each pid into lines.
// Thread-safety: none (one loader thread).
class AckLineJoiner {
 public:
  // Appends `data` written by `pid`; every line it completes is parsed and
  // appended to events(). A bad line is InvalidArgument naming it.
  Status Add(int32_t pid, std::string_view data, uint64_t seq, uint64_t position);
  // Parses the unterminated last piece of each pid, if any (a workload that
  // ends without a newline still acknowledged its last line).
  Status Finish();
  const std::vector<AckEvent>& events() const { return events_; }

 private:
  struct Pending {
    std::string text;
    uint64_t lines = 0;
    uint64_t seq = 0;
    uint64_t position = 0;
  };
  Status ParseLine(int32_t pid, Pending& pending, std::string_view line);

  std::map<int32_t, Pending> pending_;
  std::vector<AckEvent> events_;
};

}  // namespace powercut::blackbox
