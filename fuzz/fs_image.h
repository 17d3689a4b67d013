// A database directory as one byte string, for the whole-database fuzz
// target: its files, each as
//   [name length: 1 byte][name][data length: 4 bytes little-endian][data]
// repeated to the end. Loading is total: a name that is not a plain file name
// ([A-Za-z0-9._-], 1..64 bytes) is skipped, a length past the end is cut to
// what is left, so every byte string is some directory image and the fuzzer's
// mutations of a real database stay loadable.
#pragma once

#include <string>
#include <string_view>

#include "powercut/faultfs/sim_fs.h"
#include "powercut/status.h"

namespace powercut::fuzz {

// Writes every file of `image` into `dir` (created) of `fs`, synced.
[[nodiscard]] Status LoadDirImage(std::string_view image, faultfs::SimFs& fs,
                                  const std::string& dir);
// The image of directory `dir` of `fs` (its regular files, sorted by name).
[[nodiscard]] Result<std::string> SaveDirImage(faultfs::FileSystem& fs, const std::string& dir);

}  // namespace powercut::fuzz
