// Path helpers and small conveniences shared by every FileSystem: the one
// definition of a valid virtual path, and whole-file reads for tools/tests.
#include "powercut/faultfs/file_system.h"

namespace powercut::faultfs {

Status ValidatePath(std::string_view path) {
  if (path.empty() || path.front() != '/') {
    return Status::InvalidArgument("path must be absolute: '" + std::string(path) + "'");
  }
  if (path == "/") return Status::OK();
  if (path.back() == '/') {
    return Status::InvalidArgument("path must not end with '/': '" + std::string(path) + "'");
  }
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return Status::InvalidArgument("path has an empty, '.' or '..' component (outside the "
                                     "file system): '" + std::string(path) + "'");
    }
    if (part.find('\0') != std::string_view::npos) {
      return Status::InvalidArgument("path contains a NUL byte");
    }
    start = end + 1;
  }
  return Status::OK();
}

std::string ParentPath(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == 0 || slash == std::string_view::npos) return "/";
  return std::string(path.substr(0, slash));
}

std::string BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(path.substr(slash + 1));
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string joined(dir);
  if (joined.empty() || joined.back() != '/') joined += '/';
  joined += name;
  return joined;
}

Result<std::string> ReadFileToString(FileSystem& fs, std::string_view path) {
  POWERCUT_ASSIGN_OR_RETURN(FileHandle file, fs.Open(path, OpenOptions::ReadOnly()));
  std::string contents;
  char buffer[64 * 1024];
  uint64_t offset = 0;
  while (true) {
    Result<size_t> n = fs.Read(file, offset, std::span<char>(buffer, sizeof(buffer)));
    if (!n.ok()) {
      fs.Close(file).IgnoreError();  // the read error is the one to report
      return n.status();
    }
    if (*n == 0) break;
    contents.append(buffer, *n);
    offset += *n;
  }
  POWERCUT_RETURN_IF_ERROR(fs.Close(file));
  return contents;
}

}  // namespace powercut::faultfs
