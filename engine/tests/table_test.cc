// Table tests: a table written by TableBuilder reads back exactly (Get at
// snapshots, full iteration, Seek), the builder survives short appends and
// reports failed ones, and every kind of damage — a flipped byte in a data
// block, a block trailer, the index, the footer; a bad magic; a truncated or
// too-short file — surfaces as Corruption naming the file, never as data.
#include "table.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "dbformat.h"
#include "memory_fs_support.h"
#include "table_builder.h"
#include "table_format.h"

namespace powercut::engine {
namespace {

constexpr char kPath[] = "/db/000005.sst";
using Entries = std::vector<std::pair<std::string, std::string>>;  // internal key, value

std::string UserKey(int i) {
  char key[32];
  std::snprintf(key, sizeof(key), "key%08d", i);
  return key;
}

// n keys, one version each, sequence i + 1.
Entries MakeEntries(int n) {
  Entries entries;
  entries.reserve(n);
  for (int i = 0; i < n; ++i) {
    entries.emplace_back(MakeInternalKey(UserKey(i), i + 1, kTypeValue),
                         "value-" + std::to_string(i));
  }
  return entries;
}

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fs_.MkDir("/db").ok()); }

  // Writes `entries` (sorted) as a table at kPath.
  void WriteTable(const Entries& entries, size_t block_bytes = 4096) {
    Result<faultfs::FileHandle> file = fs_.Open(kPath, faultfs::OpenOptions::CreateNew());
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    TableBuilder builder(&fs_, *file, kPath, block_bytes);
    for (const auto& [key, value] : entries) ASSERT_TRUE(builder.Add(key, value).ok());
    ASSERT_TRUE(builder.Finish().ok());
    EXPECT_EQ(builder.NumEntries(), entries.size());
    EXPECT_EQ(builder.FileSize(), fs_.Contents(kPath).size());
    if (!entries.empty()) {
      EXPECT_EQ(builder.smallest_key(), entries.front().first);
      EXPECT_EQ(builder.largest_key(), entries.back().first);
    }
    ASSERT_TRUE(fs_.Close(*file).ok());
  }

  Result<std::unique_ptr<Table>> OpenTable() {
    return Table::Open(&fs_, kPath, fs_.Contents(kPath).size());
  }

  // Handles of the data blocks, from the table's own index.
  std::vector<table_format::BlockHandle> DataBlocks(const Table& table) {
    std::vector<table_format::BlockHandle> handles;
    std::unique_ptr<InternalIterator> iter = Block::NewIterator(table.index_block());
    for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
      Result<table_format::BlockHandle> handle = table.DecodeIndexValue(iter->value());
      EXPECT_TRUE(handle.ok());
      if (handle.ok()) handles.push_back(*handle);
    }
    return handles;
  }

  void FlipByte(uint64_t offset) {
    std::string bytes = fs_.Contents(kPath);
    ASSERT_LT(offset, bytes.size());
    bytes[offset] ^= 0x20;
    fs_.SetContents(kPath, bytes);
  }

  testing::MemoryFs fs_;
};

void ExpectCorruptionNaming(const Status& status, const std::string& fragment) {
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
  EXPECT_NE(status.message().find(kPath), std::string::npos) << status.message();
  EXPECT_NE(status.message().find(fragment), std::string::npos)
      << "'" << fragment << "' not in: " << status.message();
}

TEST_F(TableTest, HundredThousandKeysRoundTrip) {
  constexpr int kKeys = 100000;
  const Entries entries = MakeEntries(kKeys);
  WriteTable(entries);
  Result<std::unique_ptr<Table>> table = OpenTable();
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ((*table)->entry_count(), static_cast<uint64_t>(kKeys));
  EXPECT_EQ((*table)->path(), kPath);

  std::string value;
  for (int i = 0; i < kKeys; i += 3) {
    Result<LookupResult> found = (*table)->Get(UserKey(i), kMaxSequenceNumber, &value);
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    ASSERT_EQ(*found, LookupResult::kFound) << i;
    ASSERT_EQ(value, entries[i].second);
  }
  for (const std::string& absent : {std::string("a"), UserKey(17) + "x", std::string("zzz")}) {
    Result<LookupResult> found = (*table)->Get(absent, kMaxSequenceNumber, &value);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(*found, LookupResult::kNotPresent) << absent;
  }

  std::unique_ptr<InternalIterator> iter = (*table)->NewIterator();
  int i = 0;
  for (iter->SeekToFirst(); iter->Valid(); iter->Next(), ++i) {
    ASSERT_EQ(iter->key(), entries[i].first);
    ASSERT_EQ(iter->value(), entries[i].second);
  }
  EXPECT_TRUE(iter->status().ok());
  EXPECT_EQ(i, kKeys);

  for (int target = 0; target < kKeys; target += 997) {
    iter->Seek(MakeInternalKey(UserKey(target), kMaxSequenceNumber, kValueTypeForSeek));
    ASSERT_TRUE(iter->Valid());
    EXPECT_EQ(iter->key(), entries[target].first);
  }
  iter->Seek(MakeInternalKey(UserKey(kKeys), kMaxSequenceNumber, kValueTypeForSeek));
  EXPECT_FALSE(iter->Valid());
  EXPECT_TRUE(iter->status().ok());
}

TEST_F(TableTest, GetSeesTheNewestVersionAtItsSnapshotAcrossBlocks) {
  // One entry per block, so the versions of "k" span several blocks.
  Entries entries = {
      {MakeInternalKey("a", 1, kTypeValue), "a1"},  {MakeInternalKey("k", 9, kTypeValue), "k9"},
      {MakeInternalKey("k", 7, kTypeDeletion), ""}, {MakeInternalKey("k", 5, kTypeValue), "k5"},
      {MakeInternalKey("k", 3, kTypeValue), "k3"},  {MakeInternalKey("z", 2, kTypeValue), "z2"},
  };
  WriteTable(entries, /*block_bytes=*/1);
  Result<std::unique_ptr<Table>> table = OpenTable();
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_EQ(DataBlocks(**table).size(), entries.size());
  struct Case {
    SequenceNumber snapshot;
    LookupResult result;
    std::string value;
  };
  for (const Case& c :
       {Case{10, LookupResult::kFound, "k9"}, Case{8, LookupResult::kDeleted, ""},
        Case{7, LookupResult::kDeleted, ""}, Case{6, LookupResult::kFound, "k5"},
        Case{4, LookupResult::kFound, "k3"}, Case{2, LookupResult::kNotPresent, ""}}) {
    std::string value;
    Result<LookupResult> found = (*table)->Get("k", c.snapshot, &value);
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    EXPECT_EQ(*found, c.result) << "snapshot " << c.snapshot;
    if (c.result == LookupResult::kFound) {
      EXPECT_EQ(value, c.value);
    }
  }
}

TEST_F(TableTest, EmptyTableOpensAndYieldsNothing) {
  WriteTable({});
  Result<std::unique_ptr<Table>> table = OpenTable();
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ((*table)->entry_count(), 0u);
  std::string value;
  Result<LookupResult> found = (*table)->Get("k", kMaxSequenceNumber, &value);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, LookupResult::kNotPresent);
  std::unique_ptr<InternalIterator> iter = (*table)->NewIterator();
  iter->SeekToFirst();
  EXPECT_FALSE(iter->Valid());
  EXPECT_TRUE(iter->status().ok());
}

TEST_F(TableTest, ShortAppendsProduceTheSameFile) {
  const Entries entries = MakeEntries(500);
  WriteTable(entries, 256);
  const std::string whole_appends = fs_.Contents(kPath);
  ASSERT_TRUE(fs_.Unlink(kPath).ok());
  fs_.SetAppendLimit(7);
  WriteTable(entries, 256);
  EXPECT_EQ(fs_.Contents(kPath), whole_appends);
}

TEST_F(TableTest, FailedAppendIsReportedAndSticks) {
  Result<faultfs::FileHandle> file = fs_.Open(kPath, faultfs::OpenOptions::CreateNew());
  ASSERT_TRUE(file.ok());
  fs_.FailAppendsAfter(2);
  TableBuilder builder(&fs_, *file, kPath, 64);
  Status first_error;
  for (const auto& [key, value] : MakeEntries(200)) {
    first_error = builder.Add(key, value);
    if (!first_error.ok()) break;
  }
  EXPECT_TRUE(first_error.IsIOError()) << first_error.ToString();
  EXPECT_EQ(builder.Add(MakeInternalKey("zzz", 1, kTypeValue), "v"), first_error);
  EXPECT_EQ(builder.Finish(), first_error);
  ASSERT_TRUE(fs_.Close(*file).ok());
}

TEST_F(TableTest, FlippedDataByteIsCorruptionNamingFileAndBlockOffset) {
  const Entries entries = MakeEntries(2000);
  WriteTable(entries, 1024);
  std::vector<table_format::BlockHandle> blocks;
  {
    Result<std::unique_ptr<Table>> pristine = OpenTable();
    ASSERT_TRUE(pristine.ok());
    blocks = DataBlocks(**pristine);
  }
  ASSERT_GE(blocks.size(), 3u);
  const table_format::BlockHandle damaged = blocks[1];
  FlipByte(damaged.offset + damaged.size / 2);

  // Open reads only the footer and the index: it succeeds.
  Result<std::unique_ptr<Table>> table = OpenTable();
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  const std::string where = "corrupted block at offset " + std::to_string(damaged.offset) + " of " +
                            kPath + ": checksum mismatch";
  // A key in the damaged block: error, not data.
  std::unique_ptr<InternalIterator> iter = (*table)->NewIterator();
  iter->Seek(entries[0].first);
  int seen = 0;
  for (; iter->Valid(); iter->Next(), ++seen) {
    ASSERT_EQ(iter->key(), entries[seen].first);  // everything before is intact
  }
  ExpectCorruptionNaming(iter->status(), where);
  ASSERT_GT(seen, 0);
  ASSERT_LT(seen, static_cast<int>(entries.size()));  // the damaged block was not served
  std::string value;
  Result<LookupResult> found =
      (*table)->Get(ExtractUserKey(entries[seen].first), kMaxSequenceNumber, &value);
  ExpectCorruptionNaming(found.status(), where);
  // A key in an intact block still reads.
  found = (*table)->Get(UserKey(0), kMaxSequenceNumber, &value);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, LookupResult::kFound);
}

TEST_F(TableTest, FlippedTrailerByteIsCorruption) {
  WriteTable(MakeEntries(300), 512);
  table_format::BlockHandle first;
  {
    Result<std::unique_ptr<Table>> pristine = OpenTable();
    ASSERT_TRUE(pristine.ok());
    first = DataBlocks(**pristine).front();
  }
  const std::string pristine_bytes = fs_.Contents(kPath);
  for (uint64_t i = 0; i < table_format::kBlockTrailerBytes; ++i) {
    fs_.SetContents(kPath, pristine_bytes);
    FlipByte(first.offset + first.size + i);  // the type byte, then the crc
    Result<std::unique_ptr<Table>> table = OpenTable();
    ASSERT_TRUE(table.ok());
    std::string value;
    ExpectCorruptionNaming((*table)->Get(UserKey(0), kMaxSequenceNumber, &value).status(),
                           "corrupted block at offset 0 of");
  }
}

TEST_F(TableTest, FlippedIndexByteFailsOpen) {
  WriteTable(MakeEntries(300), 512);
  const uint64_t size = fs_.Contents(kPath).size();
  // The index block ends kBlockTrailerBytes before the footer.
  const uint64_t index_last_byte =
      size - table_format::kFooterBytes - table_format::kBlockTrailerBytes - 1;
  FlipByte(index_last_byte - 3);
  Result<std::unique_ptr<Table>> table = OpenTable();
  ExpectCorruptionNaming(table.status(), "checksum mismatch");
}

TEST_F(TableTest, FlippedFooterByteFailsOpen) {
  WriteTable(MakeEntries(100));
  const std::string pristine = fs_.Contents(kPath);
  const uint64_t footer = pristine.size() - table_format::kFooterBytes;
  for (uint64_t i = 0; i < table_format::kFooterBytes; ++i) {
    fs_.SetContents(kPath, pristine);
    FlipByte(footer + i);
    ExpectCorruptionNaming(OpenTable().status(),
                           "corrupted footer at offset " + std::to_string(footer));
  }
}

TEST_F(TableTest, BadMagicFailsOpenAsNotATable) {
  WriteTable(MakeEntries(10));
  std::string bytes = fs_.Contents(kPath);
  // The magic is the fixed64 before the footer's crc32.
  bytes.replace(bytes.size() - 12, 8, "NOTATABL");
  fs_.SetContents(kPath, bytes);
  ExpectCorruptionNaming(OpenTable().status(), "bad magic");
}

TEST_F(TableTest, TruncatedFileFailsOpen) {
  WriteTable(MakeEntries(100));
  const std::string whole = fs_.Contents(kPath);
  fs_.SetContents(kPath, whole.substr(0, whole.size() - 10));
  // The manifest's size no longer matches the file...
  ExpectCorruptionNaming(Table::Open(&fs_, kPath, whole.size()).status(), "expected");
  // ...and at its own size the file ends in no valid footer.
  ExpectCorruptionNaming(OpenTable().status(), "corrupted footer");
}

TEST_F(TableTest, FileTooShortForAFooterFailsOpen) {
  fs_.SetContents(kPath, "0123456789");
  ExpectCorruptionNaming(OpenTable().status(), "too short");
  fs_.SetContents(kPath, "");
  ExpectCorruptionNaming(OpenTable().status(), "too short");
}

TEST_F(TableTest, EveryFlippedByteIsDetectedNeverServed) {
  // Exhaustive over a small table: whichever byte flips, Open fails or
  // reading everything fails, with Corruption naming the file; whatever was
  // returned before the error is the true data.
  const Entries entries = MakeEntries(60);
  WriteTable(entries, 128);
  const std::string pristine = fs_.Contents(kPath);
  for (uint64_t offset = 0; offset < pristine.size(); ++offset) {
    SCOPED_TRACE("flipped byte at offset " + std::to_string(offset));
    fs_.SetContents(kPath, pristine);
    FlipByte(offset);
    Result<std::unique_ptr<Table>> table = OpenTable();
    if (!table.ok()) {
      ExpectCorruptionNaming(table.status(), "corrupted");
      continue;
    }
    std::unique_ptr<InternalIterator> iter = (*table)->NewIterator();
    size_t seen = 0;
    for (iter->SeekToFirst(); iter->Valid(); iter->Next(), ++seen) {
      ASSERT_LT(seen, entries.size());
      ASSERT_EQ(iter->key(), entries[seen].first);
      ASSERT_EQ(iter->value(), entries[seen].second);
    }
    ExpectCorruptionNaming(iter->status(), "corrupted block");
  }
}

}  // namespace
}  // namespace powercut::engine
