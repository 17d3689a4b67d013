// The WAL and manifest damage decision tables: what recovery does when a
// write-ahead log or the manifest does not read back cleanly. Written as data (TigerBeetle's journal style),
// one row per case, so the policy reads in one place and a test checks that
// every combination of inputs meets exactly one row (of each table).
//
// Method. Every WAL record starts with fixed64 wal_synced_bytes: how many
// bytes of that WAL a successful DataSync had covered when the record was
// written. Let max_synced be the largest such value over every valid record
// of the WAL, including records that come after the damage. Bytes below
// max_synced were durable before the crash, and no crash model can damage
// durable bytes, so damage below max_synced is real corruption (a media
// error, a bug): recovery must fail loudly rather than silently cut
// acknowledged data (bug class C06). Damage at or after max_synced lies in
// an unsynced tail, which a crash may legitimately tear (C04/C05) or persist
// out of order (reorder: a later record lands, an earlier one does not).
// Nothing after such damage was acknowledged as durable, because an
// acknowledgement of a sync write comes only after a DataSync that would
// have covered the damaged bytes; so cutting the WAL there yields a prefix.
//
// Why a non-last WAL cannot be torn: the DB DataSyncs a WAL, successfully,
// before it creates the next one (flush step 1), and never appends to a WAL
// again once a newer one exists; a failed sync makes the DB read-only and no
// newer WAL is created. Open creates its new WAL only after the manifest that
// retires every older WAL is durable. So every WAL but the last is durable in
// full, and any damage in one is real corruption, even if it looks like a
// torn tail.
//
// The last synced record. A sync is vouched for by the records written after
// it, and a clean Close writes one more: a close marker (an empty batch)
// whose wal_synced_bytes covers every synced byte, DataSynced (Pebble's EOF
// trailer, cockroachdb/pebble#871). So in a WAL that was closed, damage to
// any acknowledged record is below max_synced and is Corruption. Known limit:
// after a CRASH, the records since the last vouched sync are vouched for by
// nothing on disk, and damage that leaves no valid record after it looks
// exactly like a tail the crash tore (under the junk tear, a torn sector
// holds arbitrary bytes), so it is cut.
// Closing that window needs a second durable write per synced group (RocksDB
// tracks synced WAL sizes in its manifest for this); see docs/engine.md.
//
// The manifest's last edit (ManifestDamageRules below). Every edit after
// the first is appended and DataSynced by a flush BEFORE the flush unlinks
// the WAL the edit retires (the prefix's log_number); a failed sync stops
// the manifest writer. So a torn last edit -- an append the crash cut --
// always leaves that WAL on disk, and its data is replayed from it. If that
// WAL is gone, the edit was synced, and damage to it is media damage:
// Corruption, never a cut (a cut would drop the edit's table from the live
// set and recovery would then delete the table holding acknowledged writes).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "powercut/engine/options.h"

namespace powercut::engine {

// Where a WAL is damaged (one reader event).
enum class WalDamage : uint8_t {
  kNone,      // the WAL read back cleanly to its end
  kTornTail,  // LogReader kEnd with torn_tail(): bad bytes, nothing valid after
  kMidLog,    // LogReader kCorruption: bad bytes followed by valid records
};

enum class WalAction : uint8_t {
  kReplayAll,         // replay every record
  kCutHere,           // replay up to the damage, drop the rest of this WAL
  kCutAndStopReplay,  // as kCutHere, and replay no later WAL either
  kFailCorruption,    // fail Open with Corruption naming the file and offset
  kSkipAndContinue,   // drop only the damaged bytes, keep replaying
};

struct WalDamageInput {
  WalDamage damage = WalDamage::kNone;
  bool below_synced = false;  // damage offset < max_synced of this WAL
  bool last_wal = true;       // no WAL with a higher number is replayed
  WalRecoveryMode mode = WalRecoveryMode::kTolerateTornTail;
};

// A row of the table. kAny matches both values of a boolean input.
enum class Match : uint8_t { kNo, kYes, kAny };

struct WalDamageRule {
  WalRecoveryMode mode;
  WalDamage damage;
  Match below_synced;
  Match last_wal;
  WalAction action;
  std::string_view why;
};

// The table itself, in reading order.
std::span<const WalDamageRule> WalDamageRules();
bool RuleMatches(const WalDamageRule& rule, const WalDamageInput& input);
// The action of the one row that matches `input`.
WalAction DecideWalDamage(const WalDamageInput& input);

// Where the manifest is damaged (the LogReader event, as for a WAL).
enum class ManifestDamage : uint8_t { kNone, kTornTail, kMidLog };

enum class ManifestAction : uint8_t {
  kReadAll,         // every edit applies
  kCutTail,         // drop the torn last edit: it was never synced
  kFailCorruption,  // fail Open with Corruption naming the file and offset
};

struct ManifestDamageInput {
  ManifestDamage damage = ManifestDamage::kNone;
  // A valid edit precedes the damage (else the snapshot itself is damaged,
  // and it was synced before CURRENT named the manifest).
  bool after_snapshot = true;
  // The WAL numbered by the valid edits' log_number is on disk.
  bool retired_wal_present = true;
};

struct ManifestDamageRule {
  ManifestDamage damage;
  Match after_snapshot;
  Match retired_wal_present;
  ManifestAction action;
  std::string_view why;
};

std::span<const ManifestDamageRule> ManifestDamageRules();
bool RuleMatches(const ManifestDamageRule& rule, const ManifestDamageInput& input);
// The action of the one row that matches `input`.
ManifestAction DecideManifestDamage(const ManifestDamageInput& input);
std::string_view ManifestActionName(ManifestAction action);

std::string_view WalActionName(WalAction action);
std::string_view WalDamageName(WalDamage damage);

}  // namespace powercut::engine
