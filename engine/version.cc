// VersionSet: manifest reading at recovery and manifest writing afterwards
// (see version.h for the durability argument). Recovery Stats the tables the
// manifest names but does not read them (LazyTable, table_cache.h).
#include "version.h"

#include <algorithm>
#include <cassert>
#include <map>

#include "filename.h"
#include "log_reader.h"
#include "recovery_rules.h"

namespace powercut::engine {
namespace {

// What the manifest's edits add up to.
struct ManifestState {
  std::optional<uint64_t> log_number;
  std::optional<uint64_t> next_file_number;
  std::optional<uint64_t> last_sequence;
  std::map<uint64_t, TableMeta> tables;
};

void ApplyEdit(const VersionEdit& edit, ManifestState* state) {
  if (edit.log_number) state->log_number = edit.log_number;
  if (edit.next_file_number) state->next_file_number = edit.next_file_number;
  if (edit.last_sequence) state->last_sequence = edit.last_sequence;
  for (uint64_t number : edit.deleted_tables) state->tables.erase(number);
  for (const TableMeta& table : edit.new_tables) state->tables[table.number] = table;
}

// Parses CURRENT's contents: exactly "MANIFEST-NNNNNN\n".
bool ParseCurrent(std::string_view contents, uint64_t* manifest_number) {
  if (contents.size() < 2 || contents.back() != '\n') return false;
  contents.remove_suffix(1);
  FileType type;
  return ParseFileName(contents, &type, manifest_number) && type == FileType::kManifestFile &&
         contents == ManifestBaseName(*manifest_number);
}

// Writes `contents` to a new file at `path` and Syncs it (data and size),
// unless `sync` is false (the rename-unsynced-tmp mutant).
Status WriteFileSynced(faultfs::FileSystem* fs, const std::string& path, std::string_view contents,
                       bool sync = true) {
  faultfs::OpenOptions options{.read = true, .write = true, .create = true, .truncate = true};
  POWERCUT_ASSIGN_OR_RETURN(faultfs::FileHandle file, fs->Open(path, options));
  Status status;
  size_t written = 0;
  while (status.ok() && written < contents.size()) {  // a short write is not success
    Result<size_t> n = fs->Append(file, contents.substr(written));
    if (!n.ok()) {
      status = n.status();
    } else if (*n == 0) {
      status = Status::IOError("write made no progress: " + path);
    } else {
      written += *n;
    }
  }
  if (status.ok() && sync) status = fs->Sync(file);
  Status close_status = fs->Close(file);
  if (status.ok()) status = close_status;
  return NameFile(status, path);
}

}  // namespace

Status NameFile(Status status, std::string_view path) {
  if (status.ok() || status.message().find(path) != std::string::npos) return status;
  return status.WithContext(path);
}

VersionSet::VersionSet(faultfs::FileSystem* fs, std::string dbpath, Mutant mutant)
    : fs_(fs), dbpath_(std::move(dbpath)), mutant_(mutant), current_(std::make_shared<Version>()) {}

VersionSet::~VersionSet() {
  Close().IgnoreError();  // a destructor cannot report; Close() says why it failed
}

Status VersionSet::Close() {
  manifest_writer_.reset();
  if (!manifest_file_.valid()) return Status::OK();
  Status status = fs_->Close(manifest_file_);
  manifest_file_ = {};
  return status;
}

Status VersionSet::CreateNew(faultfs::FileSystem* fs, std::string_view dbpath) {
  constexpr uint64_t kFirstManifest = 1;
  VersionSet versions(fs, std::string(dbpath));
  versions.next_file_number_ = kFirstManifest + 1;
  return versions.WriteNewManifest(kFirstManifest, /*log_number=*/0, /*last_sequence=*/0, {});
}

Status VersionSet::Recover() {
  const std::string current_path = CurrentFileName(dbpath_);
  POWERCUT_ASSIGN_OR_RETURN(std::string current, faultfs::ReadFileToString(*fs_, current_path));
  uint64_t manifest_number = 0;
  if (!ParseCurrent(current, &manifest_number)) {
    return Status::Corruption(current_path + " does not name a manifest (" +
                              std::to_string(current.size()) + " bytes, truncated or garbled)");
  }
  const std::string manifest_path = ManifestFileName(dbpath_, manifest_number);
  if (!fs_->Stat(manifest_path).ok()) {
    return Status::Corruption(current_path + " names a missing manifest " + manifest_path);
  }
  VersionEdit merged;
  POWERCUT_RETURN_IF_ERROR(ReadManifest(manifest_path, &merged));
  std::vector<LiveTable> tables;
  POWERCUT_RETURN_IF_ERROR(CheckTables(merged.new_tables, &tables));
  std::lock_guard lock(mu_);
  log_number_ = *merged.log_number;
  next_file_number_ = std::max(*merged.next_file_number, manifest_number + 1);
  last_sequence_ = *merged.last_sequence;
  manifest_number_ = manifest_number;
  auto version = std::make_shared<Version>();
  version->tables = std::move(tables);
  current_ = std::move(version);
  return Status::OK();
}

// Reads every edit of the manifest at `path` into one merged edit whose
// new_tables are the live tables, newest first. Damage is decided by the
// manifest damage table (recovery_rules.h): only an edit a crash can tear is
// cut (and the manifest is then remembered as cut, to be kept as .corrupt).
Status VersionSet::ReadManifest(const std::string& path, VersionEdit* merged) {
  LogReader reader(fs_, path);
  ManifestState state;
  std::string record;
  bool any_edit = false;
  while (true) {
    POWERCUT_ASSIGN_OR_RETURN(LogReader::Event event, reader.Next(&record));
    if (event == LogReader::Event::kEnd && !reader.torn_tail()) break;
    if (event != LogReader::Event::kRecord) {
      const bool torn = event == LogReader::Event::kEnd;
      POWERCUT_RETURN_IF_ERROR(DecideManifestTail(path, reader, torn, any_edit, state.log_number));
      break;  // a cut torn tail
    }
    Result<VersionEdit> edit = VersionEdit::Decode(record);
    if (!edit.ok()) {
      return Status::Corruption("manifest " + path + " record at offset " +
                                std::to_string(reader.record_offset()) + ": " +
                                edit.status().message());
    }
    ApplyEdit(*edit, &state);
    any_edit = true;
  }
  if (!state.log_number || !state.next_file_number || !state.last_sequence) {
    return Status::Corruption("manifest " + path +
                              " lacks its snapshot (log number, next file "
                              "number or last sequence missing)");
  }
  merged->log_number = state.log_number;
  merged->next_file_number = state.next_file_number;
  merged->last_sequence = state.last_sequence;
  for (auto it = state.tables.rbegin(); it != state.tables.rend(); ++it) {
    merged->new_tables.push_back(it->second);
  }
  return Status::OK();
}

// Damage in the manifest at `path` (a torn tail if `torn`, else mid-log):
// OK to cut it (and manifest_cut_ is set), or Corruption with file and offset.
Status VersionSet::DecideManifestTail(const std::string& path, const LogReader& reader, bool torn,
                                      bool after_snapshot, std::optional<uint64_t> log_number) {
  const uint64_t offset = torn ? reader.torn_tail_offset() : reader.damage_offset();
  const std::string& reason = torn ? reader.torn_tail_reason() : reader.damage_reason();
  ManifestDamageInput input{torn ? ManifestDamage::kTornTail : ManifestDamage::kMidLog,
                            after_snapshot, false};
  std::string wal;
  if (log_number.has_value()) {
    wal = LogFileName(dbpath_, *log_number);
    input.retired_wal_present = fs_->Stat(wal).ok();
  }
  ManifestAction action = DecideManifestDamage(input);
  // manifest-damage-as-torn-tail (C06): any damaged last edit is cut, even
  // one whose retired WAL is gone (so it was synced).
  if (mutant_ == Mutant::kManifestDamageAsTornTail && torn && after_snapshot) {
    action = ManifestAction::kCutTail;
  }
  if (action == ManifestAction::kCutTail) {
    manifest_cut_ = true;
    return Status::OK();
  }
  std::string why = !torn ? "valid edits follow it"
                    : !after_snapshot
                        ? "the snapshot edit itself is damaged"
                        : "the WAL it retired (" + wal + ") is gone, so the edit had been synced";
  return Status::Corruption("manifest " + path + " damaged at offset " + std::to_string(offset) +
                            ": " + reason + "; " + why);
}

// One Stat per table, no read: the table's contents were synced before the
// manifest named it, and are verified (footer, index, checksums) on first use.
Status VersionSet::CheckTables(const std::vector<TableMeta>& metas,
                               std::vector<LiveTable>* tables) {
  for (const TableMeta& meta : metas) {
    const std::string path = TableFileName(dbpath_, meta.number);
    Result<faultfs::FileInfo> info = fs_->Stat(path);
    if (!info.ok()) {
      return Status::Corruption("table " + path + " named by the manifest is missing (" +
                                info.status().ToString() + ")");
    }
    if (info->is_directory || info->size != meta.file_size) {
      return Status::Corruption("table " + path + " is " +
                                (info->is_directory ? std::string("a directory")
                                                    : std::to_string(info->size) + " bytes") +
                                ", expected " + std::to_string(meta.file_size));
    }
    tables->push_back(LiveTable{meta, std::make_shared<LazyTable>(fs_, path, meta.file_size)});
  }
  return Status::OK();
}

VersionEdit VersionSet::SnapshotEdit(const std::vector<LiveTable>& tables) const {
  VersionEdit edit;
  edit.log_number = log_number_;
  edit.next_file_number = next_file_number_;
  edit.last_sequence = last_sequence_;
  for (const LiveTable& table : tables) edit.new_tables.push_back(table.meta);
  return edit;
}

Status VersionSet::WriteNewManifest(uint64_t manifest_number, uint64_t log_number,
                                    uint64_t last_sequence, std::vector<LiveTable> new_tables) {
  MarkFileNumberUsed(manifest_number);
  auto version = std::make_shared<Version>();
  version->tables = std::move(new_tables);
  for (const LiveTable& table : current()->tables) version->tables.push_back(table);
  std::string record;
  {
    std::lock_guard lock(mu_);
    log_number_ = log_number;
    last_sequence_ = std::max(last_sequence_, last_sequence);
    SnapshotEdit(version->tables).EncodeTo(&record);
  }
  // 1. The new manifest: written, then Synced (data) and SyncDir (name), so
  //    CURRENT can never point at a manifest that a crash could lose.
  const std::string path = ManifestFileName(dbpath_, manifest_number);
  faultfs::OpenOptions options{.read = true, .write = true, .create = true, .truncate = true};
  POWERCUT_ASSIGN_OR_RETURN(faultfs::FileHandle file, fs_->Open(path, options));
  auto writer = std::make_unique<LogWriter>(fs_, file, path, 0);
  Status status = writer->AddRecord(record);
  // current-before-manifest-sync (C11): the manifest is fsynced only after
  // CURRENT names it.
  const bool late_sync = mutant_ == Mutant::kCurrentBeforeManifestSync;
  if (status.ok() && !late_sync) status = NameFile(fs_->Sync(file), path);
  if (status.ok()) status = NameFile(fs_->SyncDir(dbpath_), dbpath_);
  // 2. CURRENT: temp -> Sync -> Rename -> SyncDir.
  if (status.ok()) status = SetCurrentFile(manifest_number);
  if (status.ok() && late_sync) status = NameFile(fs_->Sync(file), path);
  if (!status.ok()) {
    fs_->Close(file).IgnoreError();  // the write/sync error is the one to report
    return status;
  }
  POWERCUT_RETURN_IF_ERROR(Close());  // the previous manifest, if any
  manifest_file_ = file;
  manifest_writer_ = std::move(writer);
  std::lock_guard lock(mu_);
  manifest_number_ = manifest_number;
  current_ = std::move(version);
  return Status::OK();
}

Status VersionSet::SetCurrentFile(uint64_t manifest_number) {
  const std::string temp_path = TempFileName(dbpath_, manifest_number);
  const std::string current_path = CurrentFileName(dbpath_);
  // rename-unsynced-tmp (C03): the temp file is renamed with its bytes pending.
  POWERCUT_RETURN_IF_ERROR(WriteFileSynced(fs_, temp_path, ManifestBaseName(manifest_number) + "\n",
                                           /*sync=*/mutant_ != Mutant::kRenameUnsyncedTmp));
  POWERCUT_RETURN_IF_ERROR(NameFile(fs_->Rename(temp_path, current_path), current_path));
  // no-dir-fsync-after-rename (C02): the rename is left pending.
  if (mutant_ == Mutant::kNoDirFsyncAfterRename) return Status::OK();
  return NameFile(fs_->SyncDir(dbpath_), dbpath_);
}

Status VersionSet::LogAndApply(VersionEdit edit, std::vector<LiveTable> new_tables) {
  POWERCUT_RETURN_IF_ERROR(manifest_error_);
  assert(manifest_writer_ != nullptr && "LogAndApply before a manifest was written");
  const std::string& path = manifest_writer_->path();
  auto version = std::make_shared<Version>();
  for (const LiveTable& table : new_tables) edit.new_tables.push_back(table.meta);
  version->tables = std::move(new_tables);
  for (const LiveTable& table : current()->tables) {
    if (std::find(edit.deleted_tables.begin(), edit.deleted_tables.end(), table.meta.number) ==
        edit.deleted_tables.end()) {
      version->tables.push_back(table);
    }
  }
  edit.next_file_number = std::max(edit.next_file_number.value_or(0), [&] {
    std::lock_guard lock(mu_);
    return next_file_number_;
  }());
  std::string record;
  edit.EncodeTo(&record);
  Status status = manifest_writer_->AddRecord(record);
  if (status.ok()) status = NameFile(fs_->DataSync(manifest_file_), path);
  if (!status.ok()) {
    manifest_error_ = status;  // never append after a failed append or sync
    return status;
  }
  std::lock_guard lock(mu_);
  if (edit.log_number) log_number_ = *edit.log_number;
  if (edit.last_sequence) last_sequence_ = std::max(last_sequence_, *edit.last_sequence);
  current_ = std::move(version);
  return Status::OK();
}

uint64_t VersionSet::NewFileNumber() {
  std::lock_guard lock(mu_);
  return next_file_number_++;
}

void VersionSet::MarkFileNumberUsed(uint64_t number) {
  std::lock_guard lock(mu_);
  next_file_number_ = std::max(next_file_number_, number + 1);
}

std::shared_ptr<const Version> VersionSet::current() const {
  std::lock_guard lock(mu_);
  return current_;
}
uint64_t VersionSet::log_number() const {
  std::lock_guard lock(mu_);
  return log_number_;
}
uint64_t VersionSet::last_sequence() const {
  std::lock_guard lock(mu_);
  return last_sequence_;
}
uint64_t VersionSet::manifest_number() const {
  std::lock_guard lock(mu_);
  return manifest_number_;
}

}  // namespace powercut::engine
