// VersionSet: the live set of tables and the manifest that records it. It is
// the engine's memory of what is durable in tables: which table files are
// live, below which number WALs are obsolete (log_number), the next free file
// number, and the last sequence number the tables cover.
//
// The manifest is a log (log_format.h) of VersionEdits. A new manifest always
// starts with a full snapshot edit and is made durable (Sync + SyncDir)
// before CURRENT is switched to it (write temp -> Sync -> Rename -> SyncDir),
// so CURRENT never names a manifest whose contents or name could be lost
// (bug classes C02, C03, C11). Later edits are appended and DataSynced before
// anything relies on them. A manifest is never appended to after it was read
// back at recovery: Open always writes a fresh one, so an edit never lands
// after a torn tail (C10).
//
// A Version is an immutable snapshot of the table set, shared by readers and
// iterators through std::shared_ptr. Its tables are LazyTables
// (table_cache.h): Recover only checks that each table the manifest names
// exists with the recorded size (one Stat each); the footer and index are
// read and verified on the table's first use, so Open costs the same for a
// large database as for a small one. This is safe because a table is synced
// (bytes and name) before a manifest names it, and damage is reported on
// first read as Corruption naming the table, never served.
//
// Thread-safety: counters and current() may be read from any thread. Recover,
// WriteNewManifest and LogAndApply perform I/O and must be called by one
// thread at a time (the DB's flush path or Open).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "log_writer.h"
#include "powercut/engine/mutant.h"
#include "powercut/faultfs/file_system.h"
#include "powercut/status.h"
#include "table.h"
#include "table_cache.h"
#include "version_edit.h"

namespace powercut::engine {

class LogReader;

struct LiveTable {
  TableMeta meta;
  std::shared_ptr<LazyTable> table;  // opened on first use
};

struct Version {
  std::vector<LiveTable> tables;  // newest first (highest file number first)
};

class VersionSet {
 public:
  // `mutant` (mutant.h): kNone but in a mutated engine.
  VersionSet(faultfs::FileSystem* fs, std::string dbpath, Mutant mutant = Mutant::kNone);
  ~VersionSet();
  VersionSet(const VersionSet&) = delete;
  VersionSet& operator=(const VersionSet&) = delete;

  // Writes the first manifest of a new database (MANIFEST-000001, an empty
  // snapshot), syncs it and its name, then points CURRENT at it.
  static Status CreateNew(faultfs::FileSystem* fs, std::string_view dbpath);

  // Reads CURRENT, the manifest it names (a torn tail is cut; a damaged
  // record followed by valid ones is Corruption with file and offset), and
  // checks that every table it lists exists with the recorded size (else
  // Corruption naming it). Tables are not read here: see LazyTable.
  Status Recover();

  // Writes a new manifest MANIFEST-<manifest_number> holding a snapshot of
  // the current state plus `new_tables`, with `log_number` and
  // `last_sequence`; Syncs it, SyncDirs, switches CURRENT to it. Later
  // LogAndApply calls append to it.
  Status WriteNewManifest(uint64_t manifest_number, uint64_t log_number, uint64_t last_sequence,
                          std::vector<LiveTable> new_tables);

  // Appends `edit` (with next_file_number filled in) plus `new_tables` to the
  // manifest, DataSyncs it, then applies it. After any error the manifest is
  // dead: every later call fails with the first error.
  Status LogAndApply(VersionEdit edit, std::vector<LiveTable> new_tables);

  uint64_t NewFileNumber();
  // Makes sure later numbers are above `number` (a file seen on disk).
  void MarkFileNumberUsed(uint64_t number);

  std::shared_ptr<const Version> current() const;
  uint64_t log_number() const;
  uint64_t last_sequence() const;
  uint64_t manifest_number() const;

  // Closes the manifest handle; nothing is synced.
  Status Close();

  // After Recover: whether a torn last edit was cut from the manifest read
  // (recovery then keeps that manifest as NAME.corrupt instead of deleting it).
  bool manifest_cut() const { return manifest_cut_; }

 private:
  // Reads every edit of the manifest at `path` into one merged snapshot edit
  // (its new_tables are the live tables, newest first).
  Status ReadManifest(const std::string& path, VersionEdit* merged);
  // Damage found by `reader` in the manifest (recovery_rules.h's manifest
  // table): OK if it is a torn edit to cut, else Corruption naming the file
  // and offset. `log_number`: what the edits before the damage say.
  Status DecideManifestTail(const std::string& path, const LogReader& reader, bool torn,
                            bool after_snapshot, std::optional<uint64_t> log_number);
  // Stats every table of `metas` and makes a not-yet-opened LiveTable of it.
  Status CheckTables(const std::vector<TableMeta>& metas, std::vector<LiveTable>* tables);
  Status SetCurrentFile(uint64_t manifest_number);
  VersionEdit SnapshotEdit(const std::vector<LiveTable>& tables) const;

  faultfs::FileSystem* const fs_;
  const std::string dbpath_;
  const Mutant mutant_;

  mutable std::mutex mu_;  // guards the fields below
  std::shared_ptr<const Version> current_;
  uint64_t log_number_ = 0;
  uint64_t next_file_number_ = 2;
  uint64_t last_sequence_ = 0;
  uint64_t manifest_number_ = 0;

  // The open manifest (only the single I/O caller touches these).
  faultfs::FileHandle manifest_file_;
  std::unique_ptr<LogWriter> manifest_writer_;
  Status manifest_error_;      // sticky: the first failed append or sync
  bool manifest_cut_ = false;  // Recover cut a torn last edit
};

// Adds `path` to an error message that does not name it yet, so every error
// the engine returns names its file.
Status NameFile(Status status, std::string_view path);

}  // namespace powercut::engine
