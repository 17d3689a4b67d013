// Helpers shared by the DB tests: raw file access that bypasses the engine
// (to damage or inspect a database the way a crash or a disk would), and a
// dump of the whole visible key-value state.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "powercut/engine/db.h"
#include "powercut/faultfs/file_system.h"

namespace powercut::engine::testing {

using KvState = std::map<std::string, std::string>;

// Replaces the file at `path` with `contents`, synced.
inline Status WriteRawFile(faultfs::FileSystem& fs, std::string_view path,
                           std::string_view contents) {
  faultfs::OpenOptions options{.read = true, .write = true, .create = true, .truncate = true};
  POWERCUT_ASSIGN_OR_RETURN(faultfs::FileHandle file, fs.Open(path, options));
  Result<size_t> written = fs.Write(file, 0, contents);
  Status status = written.ok() ? fs.Sync(file) : written.status();
  Status close_status = fs.Close(file);
  return status.ok() ? close_status : status;
}

// Every key and value the database shows, through its iterator.
inline Result<KvState> ScanAll(DB& db) {
  KvState state;
  std::unique_ptr<Iterator> it = db.NewIterator({});
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    state.emplace(std::string(it->key()), std::string(it->value()));
  }
  if (!it->status().ok()) return it->status();
  return state;
}

}  // namespace powercut::engine::testing
