// MemoryFs implementation: maps guarded by one mutex, simple and strict
// enough for unit tests (bad paths, missing parents, unknown handles and
// writes through read-only handles are all reported).
#include "memory_fs_support.h"

#include <algorithm>

namespace powercut::engine::testing {

using faultfs::FileHandle;
using faultfs::FileInfo;
using faultfs::FileLock;
using faultfs::OpenOptions;

MemoryFs::MemoryFs() { dirs_.insert("/"); }

std::string MemoryFs::Contents(std::string_view path) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(std::string(path));
  return it == files_.end() ? std::string() : *it->second;
}

void MemoryFs::SetContents(std::string_view path, std::string_view data) {
  std::lock_guard lock(mu_);
  Data& slot = files_[std::string(path)];
  if (slot == nullptr) slot = std::make_shared<std::string>();
  slot->assign(data);
}

void MemoryFs::SetAppendLimit(size_t bytes) {
  std::lock_guard lock(mu_);
  append_limit_ = bytes;
}

void MemoryFs::FailAppendsAfter(int appends) {
  std::lock_guard lock(mu_);
  appends_before_failure_ = appends;
}

int MemoryFs::append_calls() const {
  std::lock_guard lock(mu_);
  return append_calls_;
}

Result<MemoryFs::Handle*> MemoryFs::FindHandle(FileHandle file) {
  auto it = handles_.find(file.id);
  if (it == handles_.end()) {
    return Status::InvalidArgument("unknown file handle " + std::to_string(file.id));
  }
  return &it->second;
}

Status MemoryFs::CheckParentExists(std::string_view path) const {
  POWERCUT_RETURN_IF_ERROR(faultfs::ValidatePath(path));
  if (path == "/") return Status::InvalidArgument("the root has no parent");
  if (dirs_.count(faultfs::ParentPath(path)) == 0) {
    return Status::NotFound("parent directory of " + std::string(path) + " does not exist");
  }
  return Status::OK();
}

bool MemoryFs::HasChildren(const std::string& dir) const {
  const std::string prefix = dir == "/" ? "/" : dir + "/";
  auto starts = [&](const std::string& p) {
    return p.size() > prefix.size() && p.starts_with(prefix);
  };
  return std::any_of(files_.begin(), files_.end(),
                     [&](const auto& f) { return starts(f.first); }) ||
         std::any_of(dirs_.begin(), dirs_.end(), [&](const auto& d) { return starts(d); });
}

Result<FileHandle> MemoryFs::Open(std::string_view path, const OpenOptions& options) {
  std::lock_guard lock(mu_);
  POWERCUT_RETURN_IF_ERROR(CheckParentExists(path));
  const std::string key(path);
  if (dirs_.count(key) != 0) return Status::InvalidArgument("open of a directory: " + key);
  auto it = files_.find(key);
  if (it == files_.end()) {
    if (!options.create) return Status::NotFound("open " + key + ": no such file");
    it = files_.emplace(key, std::make_shared<std::string>()).first;
  } else if (options.create && options.exclusive) {
    return Status::IOError("open " + key + ": file exists");
  }
  if (options.truncate) it->second->clear();
  const uint64_t id = next_id_++;
  handles_[id] = Handle{key, it->second, options.write};
  return FileHandle{id};
}

Status MemoryFs::Close(FileHandle file) {
  std::lock_guard lock(mu_);
  if (handles_.erase(file.id) == 0) return Status::InvalidArgument("close of an unknown handle");
  return Status::OK();
}

Result<size_t> MemoryFs::Read(FileHandle file, uint64_t offset, std::span<char> buffer) {
  std::lock_guard lock(mu_);
  POWERCUT_ASSIGN_OR_RETURN(Handle * handle, FindHandle(file));
  const std::string& data = *handle->data;
  if (offset >= data.size()) return size_t{0};
  const size_t count = std::min<size_t>(buffer.size(), data.size() - offset);
  std::copy_n(data.data() + offset, count, buffer.data());
  return count;
}

Result<size_t> MemoryFs::Write(FileHandle file, uint64_t offset, std::string_view data) {
  std::lock_guard lock(mu_);
  POWERCUT_ASSIGN_OR_RETURN(Handle * handle, FindHandle(file));
  if (!handle->writable) return Status::InvalidArgument("write to read-only " + handle->path);
  std::string& contents = *handle->data;
  if (contents.size() < offset + data.size()) contents.resize(offset + data.size(), '\0');
  contents.replace(offset, data.size(), data);
  return data.size();
}

Result<size_t> MemoryFs::Append(FileHandle file, std::string_view data) {
  std::lock_guard lock(mu_);
  ++append_calls_;
  POWERCUT_ASSIGN_OR_RETURN(Handle * handle, FindHandle(file));
  if (!handle->writable) return Status::InvalidArgument("append to read-only " + handle->path);
  if (appends_before_failure_ == 0) {
    return Status::IOError("append " + handle->path + ": injected failure", 5).MarkInjected();
  }
  if (appends_before_failure_ > 0) --appends_before_failure_;
  const size_t count = append_limit_ == 0 ? data.size() : std::min(data.size(), append_limit_);
  handle->data->append(data.substr(0, count));
  return count;
}

Status MemoryFs::Truncate(FileHandle file, uint64_t size) {
  std::lock_guard lock(mu_);
  POWERCUT_ASSIGN_OR_RETURN(Handle * handle, FindHandle(file));
  if (!handle->writable) return Status::InvalidArgument("truncate of read-only " + handle->path);
  handle->data->resize(size, '\0');
  return Status::OK();
}

Status MemoryFs::Sync(FileHandle file) { return DataSync(file); }

Status MemoryFs::DataSync(FileHandle file) {
  std::lock_guard lock(mu_);
  POWERCUT_ASSIGN_OR_RETURN(Handle * handle, FindHandle(file));
  (void)handle;  // everything is "durable" at once in this file system
  return Status::OK();
}

Result<uint64_t> MemoryFs::Size(FileHandle file) {
  std::lock_guard lock(mu_);
  POWERCUT_ASSIGN_OR_RETURN(Handle * handle, FindHandle(file));
  return static_cast<uint64_t>(handle->data->size());
}

Status MemoryFs::SyncDir(std::string_view dir) {
  std::lock_guard lock(mu_);
  if (dirs_.count(std::string(dir)) == 0)
    return Status::NotFound("no directory " + std::string(dir));
  return Status::OK();
}

Status MemoryFs::SyncAll() { return Status::OK(); }

Status MemoryFs::Rename(std::string_view from, std::string_view to) {
  std::lock_guard lock(mu_);
  POWERCUT_RETURN_IF_ERROR(CheckParentExists(from));
  POWERCUT_RETURN_IF_ERROR(CheckParentExists(to));
  auto it = files_.find(std::string(from));
  if (it == files_.end()) return Status::NotFound("rename: no file " + std::string(from));
  if (dirs_.count(std::string(to)) != 0) return Status::InvalidArgument("rename onto a directory");
  Data data = it->second;
  files_.erase(it);
  files_[std::string(to)] = std::move(data);
  return Status::OK();
}

Status MemoryFs::Link(std::string_view existing, std::string_view new_path) {
  std::lock_guard lock(mu_);
  POWERCUT_RETURN_IF_ERROR(CheckParentExists(new_path));
  auto it = files_.find(std::string(existing));
  if (it == files_.end()) return Status::NotFound("link: no file " + std::string(existing));
  if (files_.count(std::string(new_path)) != 0 || dirs_.count(std::string(new_path)) != 0) {
    return Status::IOError("link: " + std::string(new_path) + " exists");
  }
  files_[std::string(new_path)] = it->second;
  return Status::OK();
}

Status MemoryFs::Unlink(std::string_view path) {
  std::lock_guard lock(mu_);
  if (files_.erase(std::string(path)) == 0) {
    return Status::NotFound("unlink: no file " + std::string(path));
  }
  return Status::OK();
}

Status MemoryFs::MkDir(std::string_view path) {
  std::lock_guard lock(mu_);
  POWERCUT_RETURN_IF_ERROR(CheckParentExists(path));
  const std::string key(path);
  if (dirs_.count(key) != 0 || files_.count(key) != 0)
    return Status::IOError("mkdir: exists " + key);
  dirs_.insert(key);
  return Status::OK();
}

Status MemoryFs::RmDir(std::string_view path) {
  std::lock_guard lock(mu_);
  const std::string key(path);
  if (key == "/" || dirs_.count(key) == 0) return Status::NotFound("rmdir: no directory " + key);
  if (HasChildren(key)) return Status::IOError("rmdir: not empty " + key);
  dirs_.erase(key);
  return Status::OK();
}

Result<std::vector<std::string>> MemoryFs::List(std::string_view dir) {
  std::lock_guard lock(mu_);
  const std::string key(dir);
  if (dirs_.count(key) == 0) return Status::NotFound("list: no directory " + key);
  std::set<std::string> names;
  auto add_child = [&](const std::string& p) {
    if (p != "/" && faultfs::ParentPath(p) == key) names.insert(faultfs::BaseName(p));
  };
  for (const auto& [p, data] : files_) add_child(p);
  for (const auto& d : dirs_) add_child(d);
  return std::vector<std::string>(names.begin(), names.end());
}

Result<FileInfo> MemoryFs::Stat(std::string_view path) {
  std::lock_guard lock(mu_);
  const std::string key(path);
  if (dirs_.count(key) != 0) return FileInfo{.is_directory = true, .size = 0};
  auto it = files_.find(key);
  if (it == files_.end()) return Status::NotFound("stat: no such file " + key);
  return FileInfo{.is_directory = false, .size = it->second->size()};
}

Result<FileLock> MemoryFs::Lock(std::string_view path) {
  std::lock_guard lock(mu_);
  POWERCUT_RETURN_IF_ERROR(CheckParentExists(path));
  const std::string key(path);
  for (const auto& [id, held] : locks_) {
    if (held == key) return Status::IOError("lock " + key + ": already held", 11);
  }
  if (files_.count(key) == 0) files_.emplace(key, std::make_shared<std::string>());
  const uint64_t id = next_id_++;
  locks_[id] = key;
  return FileLock{id};
}

Status MemoryFs::Unlock(FileLock lock) {
  std::lock_guard guard(mu_);
  if (locks_.erase(lock.id) == 0) return Status::InvalidArgument("unlock of an unknown lock");
  return Status::OK();
}

}  // namespace powercut::engine::testing
