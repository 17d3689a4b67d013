// Options for the reference engine: how a database is opened, how a write is
// made durable, and how recovery treats a damaged write-ahead log. Defaults
// are the safe choices; every knob says what it trades.
#pragma once

#include <cstddef>
#include <cstdint>

#include "powercut/engine/mutant.h"

namespace powercut::engine {

// What recovery does with a WAL record that fails its checksum.
enum class WalRecoveryMode : uint8_t {
  // A bad or incomplete record with nothing valid after it (a torn tail) is
  // cut off; a bad record followed by valid ones (corruption in the middle)
  // fails Open with Corruption naming the file and offset. The default.
  kTolerateTornTail,
  // Replays up to the first bad record and stops there, like RocksDB's
  // point-in-time recovery: the recovered state is a prefix, possibly shorter
  // than what was acknowledged. Reports the cut in the info log.
  kPointInTime,
  // Skips bad records and replays the rest (RocksDB's skip-any-corrupted):
  // availability over consistency; the state may not be a prefix.
  kSkipCorrupted,
};

struct Options {
  // Create the database if `path` holds none.
  bool create_if_missing = true;
  // Fail Open if a database already exists at `path`.
  bool error_if_exists = false;
  // Freeze and flush the memtable once it holds about this many bytes.
  size_t write_buffer_bytes = 4 << 20;
  // Target size of a sorted table's data block.
  size_t block_bytes = 4096;
  WalRecoveryMode wal_recovery_mode = WalRecoveryMode::kTolerateTornTail;
  // false (the default, and the only mode under SimFs in the harness): no
  // background threads; a flush runs on the writing thread, so a run is a
  // pure function of its inputs. true: a background thread writes tables.
  bool background_flush = false;
  // kNone (the default): the correct engine. Anything else puts one real
  // durability bug back in (mutant.h, docs/bugs.md) so the harness can show
  // that it catches it. Never set outside crash testing.
  Mutant mutant = Mutant::kNone;
};

struct WriteOptions {
  // true: the write is durable (its WAL record fsynced) before it returns OK.
  // false: it may be lost by a power cut, but only with every later write.
  bool sync = false;
};

struct ReadOptions {
  // Verify block checksums of tables on every read (they are always checked
  // when a block is first loaded).
  bool verify_checksums = true;
};

}  // namespace powercut::engine
