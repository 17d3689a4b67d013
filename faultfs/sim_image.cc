// Image: one copy-on-write file-system tree of SimFs (see sim_image.h).
#include "sim_image.h"

#include <algorithm>
#include <cassert>
#include <set>

#include "powercut/faultfs/file_system.h"

namespace powercut::faultfs {

Image::Image() { dirs_[kRootInode] = CowPtr<DirEntries>::Make(); }

const FileData* Image::file(uint64_t inode) const {
  auto it = files_.find(inode);
  return it == files_.end() ? nullptr : it->second.get();
}

const DirEntries* Image::dir(uint64_t inode) const {
  auto it = dirs_.find(inode);
  return it == dirs_.end() ? nullptr : it->second.get();
}

FileData& Image::MutableFile(uint64_t inode) {
  CowPtr<FileData>& slot = files_[inode];
  if (!slot) slot = CowPtr<FileData>::Make();
  return slot.MakeUnique();  // a copy shares the chunks: it copies pointers, not bytes
}

DirEntries& Image::MutableDir(uint64_t inode) {
  CowPtr<DirEntries>& slot = dirs_[inode];
  if (!slot) slot = CowPtr<DirEntries>::Make();
  return slot.MakeUnique();
}

void Image::EnsureFile(uint64_t inode) {
  if (files_.find(inode) == files_.end()) files_[inode] = CowPtr<FileData>::Make();
}

void Image::EnsureDir(uint64_t inode) {
  if (dirs_.find(inode) == dirs_.end()) dirs_[inode] = CowPtr<DirEntries>::Make();
}

void Image::ShareFileFrom(const Image& from, uint64_t inode) {
  auto it = from.files_.find(inode);
  files_[inode] = it == from.files_.end() ? CowPtr<FileData>::Make() : it->second;
}

std::optional<DirEntry> Image::Lookup(std::string_view path) const {
  if (path == "/") return DirEntry{kRootInode, true};
  Result<PathLocation> location = Locate(path);
  if (!location.ok()) return std::nullopt;
  return location->entry;
}

Result<PathLocation> Image::Locate(std::string_view path) const {
  assert(ValidatePath(path).ok() && path != "/");
  uint64_t current = kRootInode;
  size_t start = 1;
  while (true) {
    size_t slash = path.find('/', start);
    const DirEntries* entries = dir(current);
    assert(entries != nullptr);
    std::string_view name = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    auto it = entries->find(name);
    if (slash == std::string_view::npos) {
      PathLocation location{current, std::string(name), std::nullopt};
      if (it != entries->end()) location.entry = it->second;
      return location;
    }
    std::string parent(path.substr(0, slash));
    if (it == entries->end()) {
      return Status::NotFound("directory " + parent + " does not exist (for " + std::string(path) +
                              ")");
    }
    if (!it->second.is_directory) {
      return Status::NotFound(parent + " is a file, not a directory (for " + std::string(path) +
                              ")");
    }
    current = it->second.inode;
    start = slash + 1;
  }
}

void Image::CollectReachable(uint64_t start, std::vector<uint64_t>& out) const {
  std::vector<uint64_t> stack{start};
  while (!stack.empty()) {
    uint64_t inode = stack.back();
    stack.pop_back();
    out.push_back(inode);
    const DirEntries* entries = dir(inode);
    if (entries == nullptr) continue;
    for (const auto& [name, entry] : *entries) {
      if (entry.is_directory) {
        stack.push_back(entry.inode);
      } else {
        out.push_back(entry.inode);
      }
    }
  }
}

bool Image::HoldsInodeOutside(const std::vector<uint64_t>& sorted_inodes) const {
  auto outside = [&](uint64_t inode) {
    return !std::binary_search(sorted_inodes.begin(), sorted_inodes.end(), inode);
  };
  for (const auto& [inode, data] : files_) {
    if (outside(inode)) return true;
  }
  for (const auto& [inode, entries] : dirs_) {
    if (outside(inode)) return true;
  }
  return false;
}

void Image::CollectGarbage(const std::vector<uint64_t>& extra_roots) {
  std::vector<uint64_t> live;
  CollectReachable(kRootInode, live);
  for (uint64_t root : extra_roots) CollectReachable(root, live);
  std::sort(live.begin(), live.end());
  auto is_live = [&](uint64_t inode) {
    return std::binary_search(live.begin(), live.end(), inode);
  };
  std::erase_if(files_, [&](const auto& item) { return !is_live(item.first); });
  std::erase_if(dirs_, [&](const auto& item) { return !is_live(item.first); });
}

void Image::AddToDigest(DigestBuilder& digest) const { AddDirToDigest(kRootInode, digest); }

void Image::AddDirToDigest(uint64_t inode, DigestBuilder& digest) const {
  const DirEntries* entries = dir(inode);
  digest.AddNumber(entries == nullptr ? 0 : entries->size());
  if (entries == nullptr) return;
  for (const auto& [name, entry] : *entries) {
    digest.AddBytes(name);
    digest.AddNumber(entry.is_directory ? 1 : 0);
    if (entry.is_directory) {
      AddDirToDigest(entry.inode, digest);
      continue;
    }
    const FileData* data = file(entry.inode);
    digest.AddNumber(data == nullptr ? 0 : data->size());
    if (data != nullptr) data->VisitBytes([&](std::string_view bytes) { digest.AddBytes(bytes); });
  }
}

std::map<std::string, std::string> Image::Dump() const {
  std::map<std::string, std::string> out;
  DumpDir(kRootInode, "", out);
  return out;
}

void Image::DumpDir(uint64_t inode, const std::string& path,
                    std::map<std::string, std::string>& out) const {
  const DirEntries* entries = dir(inode);
  if (entries == nullptr) return;
  for (const auto& [name, entry] : *entries) {
    std::string child = path + "/" + name;
    if (entry.is_directory) {
      out[child + "/"] = "";
      DumpDir(entry.inode, child, out);
    } else {
      const FileData* data = file(entry.inode);
      out[child] = data == nullptr ? std::string() : data->ReadAll();
    }
  }
}

}  // namespace powercut::faultfs
