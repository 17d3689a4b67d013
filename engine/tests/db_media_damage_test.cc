// Media damage to a closed database (issue 11): a byte of a synced file goes
// bad after the database was closed cleanly. Recovery must never answer that
// with a state that silently lacks an acknowledged write: it either recovers
// everything or fails Open/Get with Corruption naming the file and offset,
// and a failed Open leaves every file as it was (the evidence). A torn tail
// that a crash CAN make is still cut, and the cut file is kept as
// NAME.corrupt instead of being deleted.
//
//   - The last manifest edit, damaged after the flush that wrote it had
//     deleted the WAL it retired: that WAL's absence proves the edit was
//     synced, so the damage is not a torn tail (the engine used to cut it and
//     delete the table holding the third key).
//   - The last WAL record of a cleanly closed database (one synced put per
//     process, as powercut-kv does): Close vouches for it with a marker
//     record, so damage to it is Corruption (the engine used to cut it and
//     delete the WAL).
#include <gtest/gtest.h>

#include "db_test_util.h"
#include "log_format.h"
#include "log_reader.h"
#include "powercut/engine/db.h"
#include "powercut/faultfs/sim_fs.h"

namespace powercut::engine {
namespace {

using faultfs::CrashModel;
using faultfs::CrashModelKind;
using faultfs::CrashStateId;
using faultfs::FaultRule;
using faultfs::SimFs;
using testing::KvState;
using testing::ScanAll;

constexpr WriteOptions kSync{.sync = true};
constexpr std::string_view kDb = "/db";

std::unique_ptr<DB> OpenOrDie(SimFs& fs) {
  auto db = DB::Open({}, kDb, &fs);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

// The one file of `fs` whose name starts with `prefix` and ends with `suffix`.
std::string OnlyFile(const SimFs& fs, std::string_view prefix, std::string_view suffix) {
  std::string found;
  for (const auto& [path, contents] : fs.DumpVisible()) {
    std::string_view name = std::string_view(path).substr(kDb.size() + 1);
    if (!path.starts_with(std::string(kDb) + "/") || !name.starts_with(prefix) ||
        !name.ends_with(suffix)) {
      continue;
    }
    EXPECT_TRUE(found.empty()) << "two files match: " << found << " and " << path;
    found = path;
  }
  EXPECT_FALSE(found.empty()) << "no file " << prefix << "*" << suffix;
  return found;
}

// The offset of the first payload byte of the last logical record of `path`.
uint64_t LastRecordPayload(SimFs& fs, const std::string& path) {
  LogReader reader(&fs, path);
  std::string record;
  uint64_t last = 0;
  while (true) {
    Result<LogReader::Event> event = reader.Next(&record);
    EXPECT_TRUE(event.ok());
    if (!event.ok() || *event == LogReader::Event::kEnd) break;
    EXPECT_EQ(*event, LogReader::Event::kRecord);
    last = reader.record_offset() + log::kHeaderSize;
  }
  return last;
}

void FlipBit(SimFs& fs, const std::string& path, uint64_t offset) {
  Result<FaultRule> rule =
      FaultRule::Parse("bitflip:" + path + ":" + std::to_string(offset) + ":2");
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  ASSERT_TRUE(fs.AddFaultRule(*rule).ok());
}

// Open after the damage: Corruption naming `path` and `offset`, and nothing
// on disk changed (no file deleted, renamed or rewritten).
void ExpectCorruptionKeepingEvidence(SimFs& fs, const std::string& path, uint64_t offset) {
  const auto before = fs.DumpVisible();
  auto db = DB::Open({}, kDb, &fs);
  ASSERT_FALSE(db.ok()) << "Open hid the damage of " << path;
  EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
  EXPECT_NE(db.status().message().find(path), std::string::npos) << db.status().ToString();
  EXPECT_NE(db.status().message().find("offset " + std::to_string(offset)), std::string::npos)
      << db.status().ToString();
  EXPECT_EQ(fs.DumpVisible(), before) << "a failed Open changed the files";
}

// Three rounds of (synced put, flush) in one session, as the issue's
// powercut-kv session: the manifest ends with the third round's edit, and
// the WAL that edit retired is deleted.
TEST(DbMediaDamageTest, DamagedLastManifestEditIsCorruptionNotATornTail) {
  SimFs fs;
  {
    std::unique_ptr<DB> db = OpenOrDie(fs);
    ASSERT_NE(db, nullptr);
    for (const char* key : {"k1", "k2", "k3"}) {
      ASSERT_TRUE(db->Put(kSync, key, std::string("v") + key).ok());
      ASSERT_TRUE(db->Flush().ok());
    }
    ASSERT_TRUE(db->Close().ok());
  }
  const std::string manifest = OnlyFile(fs, "MANIFEST-", "");
  const uint64_t last_edit = LastRecordPayload(fs, manifest);
  ASSERT_GT(last_edit, log::kHeaderSize) << "the manifest has a snapshot and edits";
  FlipBit(fs, manifest, last_edit + 1);
  ExpectCorruptionKeepingEvidence(fs, manifest, last_edit - log::kHeaderSize);
}

// A torn manifest edit that a crash CAN make (the flush's edit was never
// synced, so the WAL it would retire is still there) is still cut: its data
// is replayed from that WAL. The cut manifest is kept as .corrupt.
TEST(DbMediaDamageTest, TornLastManifestEditWithItsWalPresentIsCut) {
  SimFs fs;
  {
    std::unique_ptr<DB> db = OpenOrDie(fs);
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->Put(kSync, "k1", "v1").ok());
    ASSERT_TRUE(db->Flush().ok());
    ASSERT_TRUE(db->Put(kSync, "k2", "v2").ok());
    ASSERT_TRUE(db->Close().ok());
  }
  // Append a damaged "edit" to the manifest: torn, with WAL log_number present.
  const std::string manifest = OnlyFile(fs, "MANIFEST-", "");
  std::string bytes = fs.DumpVisible().at(manifest);
  bytes.append("\x11\x22\x33\x44\x09\x00\x01garbage!!", 16);
  ASSERT_TRUE(testing::WriteRawFile(fs, manifest, bytes).ok());
  std::unique_ptr<DB> db = OpenOrDie(fs);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(*ScanAll(*db), (KvState{{"k1", "v1"}, {"k2", "v2"}}));
  ASSERT_TRUE(db->Close().ok());
  EXPECT_EQ(fs.DumpVisible().count(manifest + ".corrupt"), 1u) << "the cut manifest is kept";
}

// One synced put per session, as powercut-kv does: the WAL holds one record,
// acknowledged durable, and Close vouches for it.
TEST(DbMediaDamageTest, DamagedLastWalRecordOfAClosedDatabaseIsCorruption) {
  SimFs fs;
  for (const char* key : {"k1", "k2"}) {
    std::unique_ptr<DB> db = OpenOrDie(fs);
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->Put(kSync, key, std::string("v") + key).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  const std::string wal = OnlyFile(fs, "", ".log");
  FlipBit(fs, wal, log::kHeaderSize + 12);  // inside the first (data) record
  ExpectCorruptionKeepingEvidence(fs, wal, 0);
}

// The close marker starts in a 4 KiB sector of its own: a lost sector
// holding the acknowledged records cannot take the marker with it.
TEST(DbMediaDamageTest, AZeroedSectorOfAClosedWalIsCorruption) {
  SimFs fs;
  {
    std::unique_ptr<DB> db = OpenOrDie(fs);
    ASSERT_NE(db, nullptr);
    for (const char* key : {"k1", "k2", "k3"}) ASSERT_TRUE(db->Put(kSync, key, "v").ok());
    ASSERT_TRUE(db->Close().ok());
  }
  const std::string wal = OnlyFile(fs, "", ".log");
  Result<FaultRule> rule = FaultRule::Parse("zero-sector:" + wal + ":0:4096");
  ASSERT_TRUE(rule.ok());
  ASSERT_TRUE(fs.AddFaultRule(*rule).ok());
  ExpectCorruptionKeepingEvidence(fs, wal, 0);
}

// A crash tears the unsynced tail: it is cut (no write after the last sync
// was acknowledged durable), and the WAL is kept as .corrupt, not deleted.
TEST(DbMediaDamageTest, TornUnsyncedWalTailIsCutAndKept) {
  SimFs fs;
  std::unique_ptr<DB> live = OpenOrDie(fs);
  ASSERT_NE(live, nullptr);
  ASSERT_TRUE(live->Put(kSync, "k1", "v1").ok());
  ASSERT_TRUE(live->Put({}, "k2", std::string(3000, 'x')).ok());
  // A zero-tail crash: the unsynced record's size persists, its data does not.
  auto crashed =
      fs.Crash(CrashStateId{CrashModel{.kind = CrashModelKind::kZeroTail}, fs.position(), {}});
  ASSERT_TRUE(crashed.ok()) << crashed.status().ToString();
  live.reset();
  const std::string wal = OnlyFile(**crashed, "", ".log");
  std::unique_ptr<DB> db = OpenOrDie(**crashed);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(*ScanAll(*db), (KvState{{"k1", "v1"}}));
  ASSERT_TRUE(db->Close().ok());
  EXPECT_EQ((*crashed)->DumpVisible().count(wal + ".corrupt"), 1u) << "the cut WAL is kept";
}

// The user chose availability (skip-corrupted): the damaged record is
// dropped, and the WAL holding it is kept as .corrupt, not deleted.
TEST(DbMediaDamageTest, SkippedDamageKeepsTheWalAsCorrupt) {
  SimFs fs;
  {
    std::unique_ptr<DB> db = OpenOrDie(fs);
    ASSERT_NE(db, nullptr);
    for (const char* key : {"k1", "k2", "k3"}) ASSERT_TRUE(db->Put(kSync, key, "v").ok());
    ASSERT_TRUE(db->Close().ok());
  }
  const std::string wal = OnlyFile(fs, "", ".log");
  FlipBit(fs, wal, log::kHeaderSize + 12);  // the first record: k1
  Options skip;
  skip.wal_recovery_mode = WalRecoveryMode::kSkipCorrupted;
  auto db = DB::Open(skip, kDb, &fs);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(*ScanAll(**db), (KvState{{"k2", "v"}, {"k3", "v"}}));
  ASSERT_TRUE((*db)->Close().ok());
  EXPECT_EQ(fs.DumpVisible().count(wal + ".corrupt"), 1u) << "the skipped bytes are kept";
}

}  // namespace
}  // namespace powercut::engine
