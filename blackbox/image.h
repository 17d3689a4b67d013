// Crash images on the real file system: the snapshot of the root after
// --init (the durable starting image of the trace), and the materialisation
// of a SimFs crash state into a fresh directory where the checker runs.
// Only regular files and directories are carried; anything else under the
// root (symbolic links, sockets, fifos) is skipped and named in `notes`.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "powercut/status.h"
#include "trace_loader.h"

namespace powercut::blackbox {

// Reads the tree under `root` into virtual paths ("/a/b"). IOError names
// the file that could not be read.
Result<InitialImage> SnapshotDirectory(const std::string& root, std::vector<std::string>* notes);

// Writes a SimFs dump (SimFs::DumpVisible: path -> contents, directories with
// a trailing '/') under `dir`, which must exist and be empty.
Status MaterialiseImage(const std::map<std::string, std::string>& dump, const std::string& dir);

// The dump of an InitialImage, in SimFs::DumpVisible's form.
std::map<std::string, std::string> DumpOf(const InitialImage& image);

// rm -rf `path` (no error if it does not exist).
Status RemoveTree(const std::string& path);

// Creates a fresh directory under $TMPDIR (or /tmp): "powercut-blackbox-XXXXXX".
Result<std::string> MakeTempDirectory();

}  // namespace powercut::blackbox
