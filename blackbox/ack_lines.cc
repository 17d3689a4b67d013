// AckLineJoiner and ParseAckLine: the acknowledgement lines of the black-box
// protocol (see ack_lines.h). Grammar, fields separated by exactly one space:
//   W <key> <value> | A <key> <value> | D <key>
// Keys and values are non-empty and contain no whitespace; a '\r' before the
// '\n' is tolerated (a workload written on another system).
#include "ack_lines.h"

#include <cctype>

#include "powercut/printable.h"

namespace powercut::blackbox {
namespace {

constexpr std::string_view kValidLines = "valid lines: 'W key value', 'A key value', 'D key'";

std::vector<std::string_view> SplitOnSpaces(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    const size_t space = line.find(' ', start);
    fields.push_back(line.substr(start, space - start));
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  return fields;
}

Status BadLine(std::string_view where, std::string_view line, std::string_view why) {
  return Status::InvalidArgument(std::string(where) + ": '" + PrintableBytes(line) +
                                 "': " + std::string(why) + " (" + std::string(kValidLines) + ")");
}

}  // namespace

std::string AckEvent::ToString() const {
  switch (kind) {
    case AckKind::kWrite:
      return "W " + key + " " + value;
    case AckKind::kAcknowledge:
      return "A " + key + " " + value;
    case AckKind::kDelete:
      return "D " + key;
  }
  return "?";
}

Result<AckEvent> ParseAckLine(std::string_view line, std::string_view where) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  for (char c : line) {
    if (c != ' ' && std::isspace(static_cast<unsigned char>(c))) {
      return BadLine(where, line, "keys and values cannot contain tabs or other whitespace");
    }
  }
  const std::vector<std::string_view> fields = SplitOnSpaces(line);
  for (std::string_view field : fields) {
    if (field.empty())
      return BadLine(where, line, "empty field (fields are separated by one space)");
  }
  AckEvent event;
  const std::string_view tag = fields[0];
  if (tag == "W" || tag == "A") {
    event.kind = tag == "W" ? AckKind::kWrite : AckKind::kAcknowledge;
    if (fields.size() != 3) return BadLine(where, line, "expected 3 fields");
    event.value = std::string(fields[2]);
  } else if (tag == "D") {
    event.kind = AckKind::kDelete;
    if (fields.size() != 2) return BadLine(where, line, "expected 2 fields");
  } else {
    return BadLine(where, line, "unknown tag '" + std::string(tag) + "'");
  }
  event.key = std::string(fields[1]);
  return event;
}

Status AckLineJoiner::ParseLine(int32_t pid, Pending& pending, std::string_view line) {
  ++pending.lines;
  const std::string where = "ack line " + std::to_string(pending.lines) + " of pid " +
                            std::to_string(pid) + " (trace seq " + std::to_string(pending.seq) +
                            ")";
  if (line.empty() || line == "\r") return Status::OK();  // blank lines carry nothing
  POWERCUT_ASSIGN_OR_RETURN(AckEvent event, ParseAckLine(line, where));
  event.seq = pending.seq;
  event.position = pending.position;
  event.pid = pid;
  event.line = pending.lines;
  events_.push_back(std::move(event));
  return Status::OK();
}

Status AckLineJoiner::Add(int32_t pid, std::string_view data, uint64_t seq, uint64_t position) {
  Pending& pending = pending_[pid];
  pending.seq = seq;
  pending.position = position;
  size_t start = 0;
  while (true) {
    const size_t newline = data.find('\n', start);
    if (newline == std::string_view::npos) break;
    pending.text.append(data.substr(start, newline - start));
    const std::string line = std::move(pending.text);
    pending.text.clear();
    POWERCUT_RETURN_IF_ERROR(ParseLine(pid, pending, line));
    start = newline + 1;
  }
  pending.text.append(data.substr(start));
  return Status::OK();
}

Status AckLineJoiner::Finish() {
  for (auto& [pid, pending] : pending_) {
    if (pending.text.empty()) continue;
    const std::string line = std::move(pending.text);
    pending.text.clear();
    POWERCUT_RETURN_IF_ERROR(ParseLine(pid, pending, line));
  }
  return Status::OK();
}

}  // namespace powercut::blackbox
