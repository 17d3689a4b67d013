// PendingOp: one not-yet-durable operation of SimFs, with everything needed
// to apply it to any Image — the visible image when it is issued, the durable
// image when a sync makes it durable, a crash state's image when a crash model
// chooses to persist it. Operations are addressed by inode, not by path, so
// they can be applied in any subset and order a crash model allows:
//   data ops  (write, truncate)                   change one file inode
//   entry ops (create, link, unlink, rename,      change directory entries;
//              mkdir, rmdir)                      a rename changes two
// Applying an op never fails: a directory or file missing from the image is
// created as an orphan (unreachable until its own entry op lands), and an
// unlink/rename/rmdir removes a name only if it still names the op's inode.
// Private to faultfs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "powercut/faultfs/sim_fs.h"
#include "sim_image.h"

namespace powercut::faultfs {

struct PendingOp {
  OpRecord record;  // kind, paths, offset/length and position, as reported
  // Data ops and create/link/unlink/rename: the file. mkdir/rmdir: the new or
  // removed directory.
  uint64_t inode = 0;
  // Entry ops: the directory whose entry `name` changes (rename: the source;
  // link: where the new name goes).
  uint64_t dir = 0;
  std::string name;
  // Rename only: the destination directory and name (dir2 == dir within one
  // directory).
  uint64_t dir2 = 0;
  std::string name2;
  // Truncate: the new size. Write: the offset is record.offset.
  uint64_t size = 0;
  std::shared_ptr<const std::string> data;  // write: the bytes (shared, never mutated)
  // Rename only: the target named another file, which this rename replaced
  // (ext4's auto_da_alloc keys on it).
  bool replaces_file = false;
  // A rename becomes durable once both directories have been synced since.
  bool dir_synced = false;
  bool dir2_synced = false;

  OpKind kind() const { return record.kind; }
  bool is_data_op() const { return kind() == OpKind::kWrite || kind() == OpKind::kTruncate; }
  bool is_write() const { return kind() == OpKind::kWrite; }
  // True for an entry op that changes an entry of directory `dir_inode`.
  bool ChangesEntryOf(uint64_t dir_inode) const;
  // The directory whose entry-op stream this op belongs to (per-file-prefix):
  // a rename belongs to its destination's stream.  REQUIRES: !is_data_op()
  uint64_t stream_dir() const { return kind() == OpKind::kRename ? dir2 : dir; }
  uint64_t write_end() const { return record.offset + (data ? data->size() : 0); }
};

// Applies `op` in full to `image`.
void ApplyOp(Image& image, const PendingOp& op);
// Applies an entry op (names only).  REQUIRES: !op.is_data_op()
void ApplyEntryOp(Image& image, const PendingOp& op);

}  // namespace powercut::faultfs
