// Mutants: switches that put one real durability bug back into the reference
// engine. Each one is the smallest change to the correct code path that
// reproduces a bug class of the catalog (docs/bugs.md, after
// ../shared/bug-catalog.md): the harness proves it can see by catching every
// one of them with the ordinary crash-test matrix, and students read the
// diff between the correct path and the mutant to see what the bug *is*.
//
// A mutant is selected with Options::mutant (`powercut run --mutant NAME`);
// kNone is the correct engine. The engine consults the switch only at the one
// place the bug lives (grep for the enumerator's name): no test hooks, no
// fault injection in engine code — faults come from the file system.
//
// Names and classes are written into reports and repro files: never rename.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace powercut::engine {

enum class Mutant : uint8_t {
  kNone = 0,
  // C01 ack before durable
  kAckBeforeWalFsync,   // ack-before-wal-fsync
  kWalUserspaceBuffer,  // wal-userspace-buffer
  // C12 fsync / write error mishandled
  kGroupCommitErrorToLeaderOnly,  // group-commit-error-to-leader-only
  kFsyncRetryOnEio,               // fsync-retry-on-eio
  kIgnoreFsyncError,              // ignore-fsync-error
  // C02 missing directory fsync
  kNoDirFsyncOnCreate,     // no-dir-fsync-on-create
  kNoDirFsyncAfterRename,  // no-dir-fsync-after-rename
  // C03 rename of an unsynced file
  kRenameUnsyncedTmp,  // rename-unsynced-tmp
  // C04 torn record not detected
  kWalNoChecksum,  // wal-no-checksum
  // C05 benign torn tail refused
  kStrictTailFailOpen,  // strict-tail-fail-open
  // C06 mid-log corruption
  kMidlogCorruptionAsEof,     // midlog-corruption-as-eof
  kMidlogCorruptionSkip,      // midlog-corruption-skip
  kManifestDamageAsTornTail,  // manifest-damage-as-torn-tail
  // C07 recycled log misread
  kRecycleWalNoLogNumber,  // recycle-wal-no-log-number
  // C08 zero-filled tail trusted
  kTrustZeroTail,  // trust-zero-tail
  // C09 old data deleted before the replacement is durable
  kDeleteWalBeforeTableDurable,  // delete-wal-before-table-durable
  // C10 append after a torn tail
  kAppendAfterTornTail,  // append-after-torn-tail
  // C11 ordering across files
  kManifestBeforeTableSync,    // manifest-before-table-sync
  kCurrentBeforeManifestSync,  // current-before-manifest-sync
  // C13 false failure, memory diverges
  kKeepServingAfterFailedWrite,  // keep-serving-after-failed-write
  // C14 serving unsynced data
  kServeUnsyncedRecoveredTail,  // serve-unsynced-recovered-tail
  // C15 recovery marker ahead of the data
  kLogNumberBeforeTableSync,  // log-number-before-table-sync
  // C16 non-atomic recovery
  kRecoveryNonAtomic,  // recovery-nonatomic
  // C17 short writes, ENOSPC
  kShortWriteAsSuccess,            // short-write-as-success
  kContinueAppendAfterWriteError,  // continue-append-after-write-error
};

struct MutantInfo {
  Mutant mutant;
  std::string_view name;        // "ack-before-wal-fsync": the --mutant spelling
  std::string_view bug_class;   // "C01": a class of docs/bugs.md
  std::string_view class_name;  // "ack before durable"
  // One sentence: what the engine does wrong, and where ("Put acknowledges
  // once the WAL record is written, before the WAL fsync (DBImpl::Write).").
  std::string_view behaviour;
};

// Every mutant except kNone, in enum order.
std::span<const MutantInfo> AllMutants();
// The entry of `mutant` (kNone has name "none", class "").
const MutantInfo& DescribeMutant(Mutant mutant);
// "none" and every AllMutants() name; nullopt for anything else.
std::optional<Mutant> ParseMutant(std::string_view name);

}  // namespace powercut::engine
