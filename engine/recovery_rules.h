// The WAL damage decision table: what recovery does when a write-ahead log
// does not read back cleanly. Written as data (TigerBeetle's journal style),
// one row per case, so the policy reads in one place and a test checks that
// every combination of inputs meets exactly one row.
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
// Known limit: a sync is vouched for only by records written after it. Media
// damage (not a crash) to records written since the last vouched sync, e.g.
// the last record of the WAL, is indistinguishable from a torn unsynced tail
// and is cut even if it had been acknowledged.
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

std::string_view WalActionName(WalAction action);
std::string_view WalDamageName(WalDamage damage);

}  // namespace powercut::engine
