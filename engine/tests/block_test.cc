// Block tests: BlockBuilder output read back by Block (all entries, Seek at
// and between keys, across restart intervals, empty blocks), and damaged
// contents — a bad restart count, restart offsets out of place, entry
// lengths running past the block — reported as Corruption naming the block,
// never read out of bounds (run under ASan to see the latter).
#include "block.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "block_builder.h"
#include "coding.h"
#include "dbformat.h"
#include "table_format.h"

namespace powercut::engine {
namespace {

constexpr char kOrigin[] = "block at offset 0 of /test.sst";

std::string Key(int i) {
  char user_key[32];
  std::snprintf(user_key, sizeof(user_key), "key%06d", i);
  return MakeInternalKey(user_key, 1000 - i % 7, kTypeValue);
}
std::string Value(int i) { return "value-" + std::to_string(i * 31); }

std::string BuildBlock(int entries) {
  BlockBuilder builder;
  for (int i = 0; i < entries; ++i) builder.Add(Key(i), Value(i));
  return std::string(builder.Finish());
}

std::shared_ptr<const Block> ParseOrDie(std::string contents) {
  Result<std::shared_ptr<const Block>> block = Block::Parse(std::move(contents), kOrigin);
  EXPECT_TRUE(block.ok()) << block.status().ToString();
  return block.ok() ? *block : nullptr;
}

TEST(BlockTest, EveryEntryReadsBackInOrder) {
  for (const int entries : {1, 15, 16, 17, 100, 1000}) {
    std::shared_ptr<const Block> block = ParseOrDie(BuildBlock(entries));
    ASSERT_NE(block, nullptr);
    EXPECT_EQ(block->num_restarts(),
              static_cast<uint32_t>((entries + table_format::kBlockRestartInterval - 1) /
                                    table_format::kBlockRestartInterval));
    std::unique_ptr<InternalIterator> iter = Block::NewIterator(block);
    int i = 0;
    for (iter->SeekToFirst(); iter->Valid(); iter->Next(), ++i) {
      ASSERT_EQ(iter->key(), Key(i));
      ASSERT_EQ(iter->value(), Value(i));
    }
    EXPECT_TRUE(iter->status().ok());
    EXPECT_EQ(i, entries);
  }
}

TEST(BlockTest, PrefixCompressionShrinksSharedKeys) {
  const std::string block = BuildBlock(160);
  size_t raw_bytes = 0;
  for (int i = 0; i < 160; ++i) raw_bytes += Key(i).size() + Value(i).size();
  EXPECT_LT(block.size(), raw_bytes);
}

TEST(BlockTest, SeekLandsOnFirstKeyAtOrAfterTarget) {
  constexpr int kEntries = 200;
  std::shared_ptr<const Block> block = ParseOrDie(BuildBlock(kEntries));
  ASSERT_NE(block, nullptr);
  std::unique_ptr<InternalIterator> iter = Block::NewIterator(block);
  for (int i = 0; i < kEntries; ++i) {
    iter->Seek(Key(i));
    ASSERT_TRUE(iter->Valid()) << i;
    EXPECT_EQ(iter->key(), Key(i));
    // A version newer than the stored one sorts just before it.
    const std::string key = Key(i);
    ParsedInternalKey parsed;
    ASSERT_TRUE(ParseInternalKey(key, &parsed));
    iter->Seek(MakeInternalKey(parsed.user_key, kMaxSequenceNumber, kValueTypeForSeek));
    ASSERT_TRUE(iter->Valid()) << i;
    EXPECT_EQ(iter->key(), Key(i));
    // An older version sorts just after it: the next key comes up.
    iter->Seek(MakeInternalKey(parsed.user_key, 0, kTypeDeletion));
    if (i + 1 < kEntries) {
      ASSERT_TRUE(iter->Valid()) << i;
      EXPECT_EQ(iter->key(), Key(i + 1));
    } else {
      EXPECT_FALSE(iter->Valid());
    }
  }
  iter->Seek(MakeInternalKey("a", 1, kTypeValue));
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(iter->key(), Key(0));
  iter->Seek(MakeInternalKey("z", 1, kTypeValue));
  EXPECT_FALSE(iter->Valid());
  EXPECT_TRUE(iter->status().ok());
}

TEST(BlockTest, EmptyBlockHasNoEntries) {
  std::shared_ptr<const Block> block = ParseOrDie(BuildBlock(0));
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(block->contents().size(), 4u);
  std::unique_ptr<InternalIterator> iter = Block::NewIterator(block);
  iter->SeekToFirst();
  EXPECT_FALSE(iter->Valid());
  iter->Seek(Key(0));
  EXPECT_FALSE(iter->Valid());
  EXPECT_TRUE(iter->status().ok());
}

void ExpectCorruptBlock(const Status& status) {
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
  EXPECT_NE(status.message().find(kOrigin), std::string::npos) << status.message();
}

TEST(BlockTest, TooShortContentsAreCorruption) {
  ExpectCorruptBlock(Block::Parse("abc", kOrigin).status());
  ExpectCorruptBlock(Block::Parse("", kOrigin).status());
}

TEST(BlockTest, RestartCountLargerThanTheBlockIsCorruption) {
  std::string contents = BuildBlock(20);
  EncodeFixed32(contents.data() + contents.size() - 4, 1000000);
  ExpectCorruptBlock(Block::Parse(contents, kOrigin).status());
  EncodeFixed32(contents.data() + contents.size() - 4, 0xffffffffu);
  ExpectCorruptBlock(Block::Parse(contents, kOrigin).status());
}

TEST(BlockTest, RestartOffsetOutsideTheEntriesIsCorruption) {
  std::string contents = BuildBlock(40);  // 3 restarts
  const size_t restarts = contents.size() - 4 - 3 * 4;
  std::string bad = contents;
  EncodeFixed32(bad.data() + restarts + 4, static_cast<uint32_t>(restarts + 100));
  ExpectCorruptBlock(Block::Parse(bad, kOrigin).status());
  bad = contents;
  EncodeFixed32(bad.data() + restarts, 5);  // the first restart must be 0
  ExpectCorruptBlock(Block::Parse(bad, kOrigin).status());
  bad = contents;
  EncodeFixed32(bad.data() + restarts + 8, DecodeFixed32(bad.data() + restarts + 4));
  ExpectCorruptBlock(Block::Parse(bad, kOrigin).status());  // not increasing
}

TEST(BlockTest, EntryLengthRunningPastTheBlockIsCorruption) {
  std::string contents = BuildBlock(3);
  // The first entry: shared=0, non_shared, value_size — blow up value_size.
  ASSERT_EQ(contents[0], 0);
  contents[2] = 0x7f;
  std::shared_ptr<const Block> block = ParseOrDie(contents);
  ASSERT_NE(block, nullptr);
  std::unique_ptr<InternalIterator> iter = Block::NewIterator(block);
  iter->SeekToFirst();
  EXPECT_FALSE(iter->Valid());
  ExpectCorruptBlock(iter->status());
  // The error is sticky: later moves do not clear it.
  iter->Seek(Key(1));
  EXPECT_FALSE(iter->Valid());
  ExpectCorruptBlock(iter->status());
}

TEST(BlockTest, SharedPrefixLongerThanPreviousKeyIsCorruption) {
  std::string contents = BuildBlock(3);
  // The second entry starts after the first: header(3) + key + value.
  const size_t second = 3 + Key(0).size() + Value(0).size();
  contents[second] = 0x7e;  // shared = 126 > previous key size
  std::shared_ptr<const Block> block = ParseOrDie(contents);
  ASSERT_NE(block, nullptr);
  std::unique_ptr<InternalIterator> iter = Block::NewIterator(block);
  iter->SeekToFirst();
  ASSERT_TRUE(iter->Valid());
  iter->Next();
  EXPECT_FALSE(iter->Valid());
  ExpectCorruptBlock(iter->status());
}

TEST(BlockTest, RandomDamageIsRejectedOrReadWithinBounds) {
  // Whatever the bytes, parsing and iterating end in OK or Corruption, and
  // never read outside the contents (ASan checks the latter).
  const std::string pristine = BuildBlock(50);
  std::mt19937 random(17);
  for (int trial = 0; trial < 3000; ++trial) {
    std::string damaged = pristine;
    const int flips = 1 + trial % 4;
    for (int f = 0; f < flips; ++f) damaged[random() % damaged.size()] ^= 1 << (random() % 8);
    if (trial % 5 == 0) damaged.resize(random() % damaged.size());
    Result<std::shared_ptr<const Block>> block = Block::Parse(damaged, kOrigin);
    if (!block.ok()) {
      ExpectCorruptBlock(block.status());
      continue;
    }
    std::unique_ptr<InternalIterator> iter = Block::NewIterator(*block);
    int steps = 0;
    for (iter->SeekToFirst(); iter->Valid() && steps < 1000; iter->Next()) ++steps;
    iter->Seek(Key(25));
    if (!iter->status().ok()) ExpectCorruptBlock(iter->status());
  }
}

}  // namespace
}  // namespace powercut::engine
