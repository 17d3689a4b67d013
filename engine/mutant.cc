// The mutant table: one row per Mutant, its --mutant name, its bug class of
// docs/bugs.md and one truthful sentence on what the engine then does wrong
// and where. The switches themselves live at the one place each bug lives
// (grep for the enumerator); this file only names them.
#include "powercut/engine/mutant.h"

#include <cassert>

namespace powercut::engine {
namespace {

using M = Mutant;

// clang-format off
constexpr MutantInfo kNoneInfo{M::kNone, "none", "", "", "the correct engine"};

constexpr MutantInfo kMutants[] = {
  {M::kAckBeforeWalFsync, "ack-before-wal-fsync", "C01", "ack before durable",
   "A sync write is acknowledged once its WAL record is written: the DataSync is skipped, "
   "so the WAL is synced only when the memtable is flushed (DBImpl::SyncWal)."},
  {M::kWalUserspaceBuffer, "wal-userspace-buffer", "C01", "ack before durable",
   "WAL records wait in a user-space buffer that reaches write() only when it holds 4 KiB or "
   "the WAL is rolled or closed; a sync write DataSyncs the file without the buffered records "
   "and is acknowledged (DBImpl::AppendToWal)."},
  {M::kGroupCommitErrorToLeaderOnly, "group-commit-error-to-leader-only", "C12",
   "fsync / write error mishandled",
   "When the group's WAL append or DataSync fails, only the leader gets the error: followers "
   "are told OK and the error is not kept sticky, so the next write is appended after the lost "
   "bytes and acknowledged (DBImpl::WriteQueued)."},
  {M::kFsyncRetryOnEio, "fsync-retry-on-eio", "C12", "fsync / write error mishandled",
   "A failed WAL DataSync is retried once, and the retry's success acknowledges the write, "
   "although the failed fsync may have dropped the dirty data (DBImpl::SyncWal)."},
  {M::kIgnoreFsyncError, "ignore-fsync-error", "C12", "fsync / write error mishandled",
   "The WAL DataSync's return value is ignored: a sync write is acknowledged even when its "
   "fsync failed (DBImpl::SyncWal)."},
  {M::kNoDirFsyncOnCreate, "no-dir-fsync-on-create", "C02", "missing directory fsync",
   "No SyncDir after a new WAL or table is created, so acknowledged records can live in a "
   "file whose name a power cut takes away (DBImpl::CreateWal, DBImpl::WriteTable)."},
  {M::kNoDirFsyncAfterRename, "no-dir-fsync-after-rename", "C02", "missing directory fsync",
   "Open creates its new WAL before switching CURRENT (LevelDB's order) and does not SyncDir "
   "after the CURRENT rename, so the old manifest and replayed WALs are unlinked while the "
   "rename may still be lost (VersionSet::SetCurrentFile, DBImpl::Recover)."},
  {M::kRenameUnsyncedTmp, "rename-unsynced-tmp", "C03", "rename of an unsynced file",
   "CURRENT's temp file is renamed over CURRENT without being fsynced first, so the rename "
   "can persist while its contents do not (VersionSet::SetCurrentFile)."},
  {M::kWalNoChecksum, "wal-no-checksum", "C04", "torn record not detected",
   "The WAL reader does not verify fragment checksums (length-only framing), so a torn or "
   "damaged record whose length fits is replayed (LogReader::ParseFragment)."},
  {M::kStrictTailFailOpen, "strict-tail-fail-open", "C05", "benign torn tail refused",
   "Any torn tail of a WAL (a partial, junk or zero-filled last record) fails Open with "
   "Corruption instead of being cut (DBImpl::ReplayWal)."},
  {M::kMidlogCorruptionAsEof, "midlog-corruption-as-eof", "C06", "mid-log corruption",
   "A damaged WAL record followed by valid ones is taken as the end of the log: replay stops "
   "there, silently dropping the later records and every later WAL (DBImpl::ReplayWal)."},
  {M::kMidlogCorruptionSkip, "midlog-corruption-skip", "C06", "mid-log corruption",
   "A damaged WAL record followed by valid ones is skipped and replay continues, reporting OK "
   "(DBImpl::ReplayWal)."},
  {M::kManifestDamageAsTornTail, "manifest-damage-as-torn-tail", "C06", "mid-log corruption",
   "A damaged last manifest edit is cut as if a crash had torn it, even when the WAL it retired "
   "is gone (which proves the edit was synced); recovery then drops the edit's table from the "
   "live set and deletes it (VersionSet::ReadManifest)."},
  {M::kRecycleWalNoLogNumber, "recycle-wal-no-log-number", "C07", "recycled log misread",
   "A flushed WAL is kept for reuse instead of unlinked; the next WAL is that file renamed and "
   "overwritten from offset 0 without truncation, and records carry no log number, so stale "
   "records after the new ones replay as valid (DBImpl::FlushImmutable, DBImpl::CreateWal)."},
  {M::kTrustZeroTail, "trust-zero-tail", "C08", "zero-filled tail trusted",
   "The WAL reader takes zero bytes for padding and skips over them to the next non-zero byte, "
   "so a record after a zero-filled hole is replayed as if nothing were missing "
   "(LogReader::ParseFragment)."},
  {M::kDeleteWalBeforeTableDurable, "delete-wal-before-table-durable", "C09",
   "old data deleted before the replacement is durable",
   "A flush unlinks the old WAL before it writes and syncs the table and the manifest edit "
   "(DBImpl::FlushImmutable)."},
  {M::kAppendAfterTornTail, "append-after-torn-tail", "C10", "append after a torn tail",
   "Open reuses the newest replayed WAL and appends new records at its physical end, after any "
   "torn tail, instead of starting a new WAL (DBImpl::Recover)."},
  {M::kManifestBeforeTableSync, "manifest-before-table-sync", "C11", "ordering across files",
   "A flush appends and syncs the manifest edit naming the new table before the table file is "
   "fsynced (DBImpl::FlushImmutable)."},
  {M::kCurrentBeforeManifestSync, "current-before-manifest-sync", "C11", "ordering across files",
   "CURRENT is switched to a new manifest before that manifest is fsynced "
   "(VersionSet::WriteNewManifest)."},
  {M::kKeepServingAfterFailedWrite, "keep-serving-after-failed-write", "C13",
   "false failure, memory diverges",
   "A failed WAL append or DataSync is reported, but the batch is still applied to the memtable "
   "and served, and the error is not sticky, so later writes are accepted (DBImpl::WriteQueued)."},
  {M::kServeUnsyncedRecoveredTail, "serve-unsynced-recovered-tail", "C14",
   "serving unsynced data",
   "Open replays the WALs into the memtable and serves them without writing a table or syncing "
   "them; the replayed WALs stay live and unsynced while new writes go to a new WAL "
   "(DBImpl::Recover)."},
  {M::kLogNumberBeforeTableSync, "log-number-before-table-sync", "C15",
   "recovery marker ahead of the data",
   "A flush first logs and syncs a manifest edit advancing log_number past the old WAL, then "
   "writes the table (DBImpl::FlushImmutable)."},
  {M::kRecoveryNonAtomic, "recovery-nonatomic", "C16", "non-atomic recovery",
   "Open writes the new manifest naming its replay table and deletes the replayed WALs before "
   "that table is fsynced (DBImpl::Recover)."},
  {M::kShortWriteAsSuccess, "short-write-as-success", "C17", "short writes, ENOSPC",
   "The log writer takes a short write for a complete one and moves on (LogWriter::WriteFully)."},
  {M::kContinueAppendAfterWriteError, "continue-append-after-write-error", "C17",
   "short writes, ENOSPC",
   "After a failed WAL append the log writer counts the bytes as written and keeps appending, "
   "and the DB keeps acknowledging later writes (LogWriter::WriteFully, DBImpl::WriteQueued)."},
};
// clang-format on

}  // namespace

std::span<const MutantInfo> AllMutants() { return kMutants; }

const MutantInfo& DescribeMutant(Mutant mutant) {
  for (const MutantInfo& info : kMutants) {
    if (info.mutant == mutant) return info;
  }
  assert(mutant == Mutant::kNone && "a Mutant without a row in kMutants");
  return kNoneInfo;
}

std::optional<Mutant> ParseMutant(std::string_view name) {
  if (name == kNoneInfo.name) return Mutant::kNone;
  for (const MutantInfo& info : kMutants) {
    if (info.name == name) return info.mutant;
  }
  return std::nullopt;
}

}  // namespace powercut::engine
