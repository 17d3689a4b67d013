// Snapshots and crash images on the real file system (see image.h).
#include "image.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace powercut::blackbox {
namespace fs = std::filesystem;

namespace {

Result<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read " + path.string() + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status WriteWholeFile(const fs::path& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) return Status::IOError("cannot write " + path.string());
  return Status::OK();
}

}  // namespace

Result<InitialImage> SnapshotDirectory(const std::string& root, std::vector<std::string>* notes) {
  InitialImage image;
  std::error_code error;
  fs::recursive_directory_iterator it(root, error), end;
  if (error) return Status::IOError("cannot list " + root + ": " + error.message());
  for (; it != end; it.increment(error)) {
    if (error) return Status::IOError("cannot list under " + root + ": " + error.message());
    const fs::directory_entry& entry = *it;
    const std::string path = "/" + fs::relative(entry.path(), root).generic_string();
    const fs::file_status status = entry.symlink_status();
    if (fs::is_directory(status)) {
      image.directories.push_back(path);
    } else if (fs::is_regular_file(status)) {
      POWERCUT_ASSIGN_OR_RETURN(image.files[path], ReadWholeFile(entry.path()));
    } else if (notes != nullptr) {
      notes->push_back("snapshot skips " + entry.path().string() +
                       " (not a regular file or directory)");
    }
  }
  return image;
}

Status MaterialiseImage(const std::map<std::string, std::string>& dump, const std::string& dir) {
  // std::map orders "/a/" before "/a/b", so parents come first.
  for (const auto& [path, contents] : dump) {
    if (path == "/") continue;
    const fs::path target = fs::path(dir) / path.substr(1);
    if (path.back() == '/') {
      std::error_code error;
      fs::create_directories(target, error);
      if (error)
        return Status::IOError("cannot create " + target.string() + ": " + error.message());
    } else {
      POWERCUT_RETURN_IF_ERROR(WriteWholeFile(target, contents));
    }
  }
  return Status::OK();
}

std::map<std::string, std::string> DumpOf(const InitialImage& image) {
  std::map<std::string, std::string> dump = image.files;
  for (const std::string& dir : image.directories) dump[dir + "/"] = "";
  return dump;
}

Status RemoveTree(const std::string& path) {
  std::error_code error;
  fs::remove_all(path, error);
  if (error) return Status::IOError("cannot remove " + path + ": " + error.message());
  return Status::OK();
}

Result<std::string> MakeTempDirectory() {
  const char* tmp = getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/powercut-blackbox-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return Status::IOError("cannot create a directory " + pattern + ": " + std::strerror(errno));
  }
  return pattern;
}

}  // namespace powercut::blackbox
