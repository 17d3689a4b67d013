// Directory images for the whole-database fuzz target (see fs_image.h).
#include "fs_image.h"

#include <algorithm>

namespace powercut::fuzz {
namespace {

bool IsPlainName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

Status WriteFile(faultfs::FileSystem& fs, const std::string& path, std::string_view data) {
  faultfs::OpenOptions options{.read = true, .write = true, .create = true, .truncate = true};
  POWERCUT_ASSIGN_OR_RETURN(faultfs::FileHandle file, fs.Open(path, options));
  Result<size_t> written = fs.Write(file, 0, data);
  Status status = written.ok() ? fs.Sync(file) : written.status();
  Status closed = fs.Close(file);
  return status.ok() ? closed : status;
}

}  // namespace

Status LoadDirImage(std::string_view image, faultfs::SimFs& fs, const std::string& dir) {
  POWERCUT_RETURN_IF_ERROR(fs.MkDir(dir));
  size_t at = 0;
  while (at < image.size()) {
    const size_t name_bytes = static_cast<unsigned char>(image[at++]);
    const std::string_view name = image.substr(at, std::min(name_bytes, image.size() - at));
    at += name.size();
    uint32_t data_bytes = 0;
    for (int i = 0; i < 4 && at < image.size(); ++i, ++at) {
      data_bytes |= static_cast<uint32_t>(static_cast<unsigned char>(image[at])) << (8 * i);
    }
    const std::string_view data =
        image.substr(at, std::min<size_t>(data_bytes, image.size() - at));
    at += data.size();
    if (IsPlainName(name)) POWERCUT_RETURN_IF_ERROR(WriteFile(fs, dir + "/" + std::string(name), data));
  }
  return fs.SyncDir(dir);
}

Result<std::string> SaveDirImage(faultfs::FileSystem& fs, const std::string& dir) {
  POWERCUT_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.List(dir));
  std::sort(names.begin(), names.end());
  std::string image;
  for (const std::string& name : names) {
    if (!IsPlainName(name)) continue;
    POWERCUT_ASSIGN_OR_RETURN(std::string data, faultfs::ReadFileToString(fs, dir + "/" + name));
    image += static_cast<char>(name.size());
    image += name;
    for (int i = 0; i < 4; ++i) image += static_cast<char>((data.size() >> (8 * i)) & 0xff);
    image += data;
  }
  return image;
}

}  // namespace powercut::fuzz
