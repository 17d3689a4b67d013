// Image: one complete file-system tree as SimFs keeps it — the durable image,
// the visible image, or a crash state's image. Inodes are kept apart from
// names: `files` maps a file inode to its bytes, `dirs` maps a directory inode
// to its entries (name -> inode), and the tree hangs off kRootInode. A file
// whose name is gone (an unlinked file still open, a file whose create never
// became durable) is simply an inode no directory names: an orphan.
//
// Both maps hold copy-on-write pointers (cow_ptr.h), so copying an Image costs one pointer per
// inode, and Mutable*() copies a file or directory only if another image
// still shares it (copy-on-write). Private to faultfs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cow_ptr.h"
#include "file_data.h"
#include "powercut/faultfs/sim_fs.h"
#include "powercut/status.h"

namespace powercut::faultfs {

inline constexpr uint64_t kRootInode = 1;

struct DirEntry {
  uint64_t inode = 0;
  bool is_directory = false;
  friend bool operator==(const DirEntry&, const DirEntry&) = default;
};
using DirEntries = std::map<std::string, DirEntry, std::less<>>;

// Where a path lives: its parent directory's inode, its last component, and
// the entry under that name, if any.
struct PathLocation {
  uint64_t parent = 0;
  std::string name;
  std::optional<DirEntry> entry;
};

class Image {
 public:
  Image();  // an empty root directory

  // nullptr if the inode is not in this image.
  const FileData* file(uint64_t inode) const;
  const DirEntries* dir(uint64_t inode) const;
  // The inode's contents, private to this image; created empty if absent.
  FileData& MutableFile(uint64_t inode);
  DirEntries& MutableDir(uint64_t inode);
  void EnsureFile(uint64_t inode);
  void EnsureDir(uint64_t inode);
  // Makes this image's file `inode` the very same bytes as `from`'s (shared,
  // not copied); an empty file if `from` does not hold the inode.
  void ShareFileFrom(const Image& from, uint64_t inode);

  // The entry `path` names (the root is {kRootInode, directory}).
  // REQUIRES: ValidatePath(path).ok()
  std::optional<DirEntry> Lookup(std::string_view path) const;
  // The parent directory and last component of `path`. NotFound when a parent
  // directory is missing or is a file.  REQUIRES: valid path, not "/".
  Result<PathLocation> Locate(std::string_view path) const;

  // Drops every inode that is neither reachable from the root nor from one of
  // `extra_roots` (open handles, pending operations).
  void CollectGarbage(const std::vector<uint64_t>& extra_roots);
  // Adds to `out` every inode reachable from `start` (itself included).
  void CollectReachable(uint64_t start, std::vector<uint64_t>& out) const;
  // Whether the image holds an inode that is not in `sorted_inodes`.
  bool HoldsInodeOutside(const std::vector<uint64_t>& sorted_inodes) const;
  // How many entry operations that remove or replace a name (unlink, rmdir,
  // rename) were applied: garbage can appear only when this grows, or when a
  // handle or pending operation that kept an unnamed inode alive goes away.
  uint64_t name_removals() const { return name_removals_; }
  void CountNameRemoval() { ++name_removals_; }

  // path -> contents for every file reachable from the root; directories as
  // "path/" -> "" (the root itself is not listed).
  std::map<std::string, std::string> Dump() const;
  // Adds the tree reachable from the root (names, kinds, bytes) to `digest`,
  // in Dump() order, without copying file bytes.
  void AddToDigest(DigestBuilder& digest) const;

 private:
  void DumpDir(uint64_t inode, const std::string& path,
               std::map<std::string, std::string>& out) const;
  void AddDirToDigest(uint64_t inode, DigestBuilder& digest) const;

  std::map<uint64_t, CowPtr<FileData>> files_;
  std::map<uint64_t, CowPtr<DirEntries>> dirs_;
  uint64_t name_removals_ = 0;
};

}  // namespace powercut::faultfs
