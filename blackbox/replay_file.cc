// Reading and writing replay files (format: replay_file.h).
#include "replay_file.h"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace powercut::blackbox {
namespace {

constexpr std::string_view kMagic = "powercut-blackbox-replay 1\n";

void Field(std::string& out, std::string_view tag, std::string_view body) {
  out.append(tag);
  out += " " + std::to_string(body.size()) + "\n";
  out.append(body);
  out += "\n";
}

std::string EntryNumbers(const shim::TraceEntry& e) {
  std::ostringstream text;
  text << e.seq << ' ' << e.kind << ' ' << e.flag_bits << ' ' << e.pid << ' ' << e.tid << ' '
       << e.fd << ' ' << e.result << ' ' << e.err << ' ' << e.flags << ' ' << e.mode << ' '
       << e.offset << ' ' << e.length;
  return text.str();
}

// Reads fields back in order, with byte offsets for errors.
class FieldReader {
 public:
  FieldReader(std::string path, std::string bytes)
      : path_(std::move(path)), bytes_(std::move(bytes)) {}

  Status Start() {
    if (bytes_.compare(0, kMagic.size(), kMagic) != 0) {
      return Error("not a powercut blackbox replay file (version 1)");
    }
    at_ = kMagic.size();
    return Status::OK();
  }
  bool done() const { return at_ >= bytes_.size(); }
  const std::string& path() const { return path_; }

  // The next field's tag (without consuming it).
  Result<std::string> PeekTag() const {
    const size_t space = bytes_.find(' ', at_);
    if (space == std::string::npos) return Error("truncated field header");
    return bytes_.substr(at_, space - at_);
  }

  Result<std::string> Next(std::string_view want) {
    POWERCUT_ASSIGN_OR_RETURN(std::string tag, PeekTag());
    if (tag != want)
      return Error("expected field '" + std::string(want) + "', found '" + tag + "'");
    const size_t space = at_ + tag.size();
    const size_t newline = bytes_.find('\n', space);
    uint64_t length = 0;
    const auto parsed = std::from_chars(bytes_.data() + space + 1, bytes_.data() + newline, length);
    if (newline == std::string::npos || parsed.ec != std::errc() ||
        parsed.ptr != bytes_.data() + newline || newline + 1 + length + 1 > bytes_.size() ||
        bytes_[newline + 1 + length] != '\n') {
      return Error("bad length of field '" + tag + "'");
    }
    std::string body = bytes_.substr(newline + 1, length);
    at_ = newline + 1 + length + 1;
    return body;
  }

  Status Error(std::string_view what) const {
    return Status::Corruption(path_ + ": byte offset " + std::to_string(at_) + ": " +
                              std::string(what));
  }

 private:
  std::string path_;
  std::string bytes_;
  size_t at_ = 0;
};

Result<shim::TraceEntry> ReadEntry(FieldReader& reader) {
  POWERCUT_ASSIGN_OR_RETURN(std::string numbers, reader.Next("entry"));
  shim::TraceEntry e;
  std::istringstream in(numbers);
  int64_t kind = 0, flag_bits = 0;
  in >> e.seq >> kind >> flag_bits >> e.pid >> e.tid >> e.fd >> e.result >> e.err >> e.flags >>
      e.mode >> e.offset >> e.length;
  if (!in || kind < 0 || kind > 0xffff || flag_bits < 0 || flag_bits > 0xffff) {
    return reader.Error("bad entry numbers '" + numbers + "'");
  }
  e.kind = static_cast<uint16_t>(kind);
  e.flag_bits = static_cast<uint16_t>(flag_bits);
  POWERCUT_ASSIGN_OR_RETURN(e.path, reader.Next("path"));
  POWERCUT_ASSIGN_OR_RETURN(e.path2, reader.Next("path2"));
  POWERCUT_ASSIGN_OR_RETURN(e.data, reader.Next("data"));
  return e;
}

// The fields after the header ones: initial, dir, file/data, trace-root, entry.
Status ReadBody(FieldReader& reader, ReplayCase& replay) {
  while (!reader.done()) {
    POWERCUT_ASSIGN_OR_RETURN(std::string tag, reader.PeekTag());
    if (tag == "profile") {
      POWERCUT_ASSIGN_OR_RETURN(std::string name, reader.Next("profile"));
      Result<faultfs::PersistenceProfile> profile = faultfs::ParseProfile(name);
      if (!profile.ok()) return reader.Error(profile.status().message());
      replay.profile = *profile;
    } else if (tag == "initial") {
      POWERCUT_ASSIGN_OR_RETURN(std::string pair, reader.Next("initial"));
      const size_t space = pair.find(' ');
      if (space == std::string::npos) return reader.Error("bad initial pair '" + pair + "'");
      replay.initial[pair.substr(0, space)] = pair.substr(space + 1);
    } else if (tag == "dir") {
      POWERCUT_ASSIGN_OR_RETURN(std::string dir, reader.Next("dir"));
      replay.image.directories.push_back(std::move(dir));
    } else if (tag == "file") {
      POWERCUT_ASSIGN_OR_RETURN(std::string path, reader.Next("file"));
      POWERCUT_ASSIGN_OR_RETURN(replay.image.files[path], reader.Next("data"));
    } else if (tag == "trace-root") {
      POWERCUT_ASSIGN_OR_RETURN(replay.trace.root, reader.Next("trace-root"));
    } else if (tag == "entry") {
      POWERCUT_ASSIGN_OR_RETURN(shim::TraceEntry entry, ReadEntry(reader));
      replay.trace.entries.push_back(std::move(entry));
    } else {
      return reader.Error("unknown field '" + tag + "'");
    }
  }
  return Status::OK();
}

}  // namespace

Status WriteReplayFile(const std::string& path, const ReplayCase& replay) {
  std::string out(kMagic);
  Field(out, "root", replay.root);
  Field(out, "check", replay.check_command);
  Field(out, "timeout", std::to_string(replay.timeout_seconds));
  Field(out, "state", replay.id.ToString());
  if (replay.profile != faultfs::PersistenceProfile::kStrictPosix) {
    Field(out, "profile", faultfs::ProfileName(replay.profile));
  }
  for (const auto& [key, value] : replay.initial) Field(out, "initial", key + " " + value);
  for (const std::string& dir : replay.image.directories) Field(out, "dir", dir);
  for (const auto& [file, contents] : replay.image.files) {
    Field(out, "file", file);
    Field(out, "data", contents);
  }
  Field(out, "trace-root", replay.trace.root);
  for (const shim::TraceEntry& e : replay.trace.entries) {
    Field(out, "entry", EntryNumbers(e));
    Field(out, "path", e.path);
    Field(out, "path2", e.path2);
    Field(out, "data", e.data);
  }
  std::error_code error;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(out.data(), static_cast<std::streamsize>(out.size()));
  file.close();
  if (!file) return Status::IOError("cannot write replay file " + path);
  return Status::OK();
}

Result<ReplayCase> ReadReplayFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::NotFound("cannot read replay file " + path);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  FieldReader reader(path, bytes.str());
  POWERCUT_RETURN_IF_ERROR(reader.Start());
  ReplayCase replay;
  POWERCUT_ASSIGN_OR_RETURN(replay.root, reader.Next("root"));
  POWERCUT_ASSIGN_OR_RETURN(replay.check_command, reader.Next("check"));
  POWERCUT_ASSIGN_OR_RETURN(std::string timeout, reader.Next("timeout"));
  replay.timeout_seconds = std::strtod(timeout.c_str(), nullptr);
  POWERCUT_ASSIGN_OR_RETURN(std::string state, reader.Next("state"));
  Result<faultfs::CrashStateId> id = faultfs::CrashStateId::Parse(state);
  if (!id.ok()) return reader.Error("bad crash-state id: " + id.status().message());
  replay.id = *id;
  POWERCUT_RETURN_IF_ERROR(ReadBody(reader, replay));
  return replay;
}

}  // namespace powercut::blackbox
