// MemTable tests: what a lookup sees at a snapshot (values, tombstones,
// overwrites, newer writes hidden), the internal-key order of its iterator,
// and the memory accounting the DB's flush trigger relies on.
#include "memtable.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "dbformat.h"

namespace powercut::engine {
namespace {

using Lookup = MemTable::LookupResult;

struct Entry {
  std::string user_key;
  SequenceNumber sequence;
  ValueType type;
  std::string value;
};

std::vector<Entry> Dump(const MemTable& mem) {
  std::vector<Entry> entries;
  std::unique_ptr<InternalIterator> iter = mem.NewIterator();
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
    ParsedInternalKey parsed;
    EXPECT_TRUE(ParseInternalKey(iter->key(), &parsed));
    entries.push_back(
        {std::string(parsed.user_key), parsed.sequence, parsed.type, std::string(iter->value())});
  }
  EXPECT_TRUE(iter->status().ok());
  return entries;
}

TEST(MemTableTest, GetFindsValueAddedAtOrBeforeSnapshot) {
  MemTable mem;
  mem.Add(5, kTypeValue, "apple", "red");
  std::string value;
  EXPECT_EQ(mem.Get("apple", 5, &value), Lookup::kFound);
  EXPECT_EQ(value, "red");
  EXPECT_EQ(mem.Get("apple", 100, &value), Lookup::kFound);
  EXPECT_EQ(mem.Get("apple", 4, &value), Lookup::kNotPresent);
  EXPECT_EQ(mem.Get("apples", 100, &value), Lookup::kNotPresent);
  EXPECT_EQ(mem.Get("appl", 100, &value), Lookup::kNotPresent);
}

TEST(MemTableTest, NewestVisibleVersionWinsAnOverwrite) {
  MemTable mem;
  mem.Add(1, kTypeValue, "k", "v1");
  mem.Add(2, kTypeValue, "k", "v2");
  mem.Add(3, kTypeValue, "k", "v3");
  std::string value;
  EXPECT_EQ(mem.Get("k", 3, &value), Lookup::kFound);
  EXPECT_EQ(value, "v3");
  EXPECT_EQ(mem.Get("k", 2, &value), Lookup::kFound);
  EXPECT_EQ(value, "v2");
  EXPECT_EQ(mem.Get("k", 1, &value), Lookup::kFound);
  EXPECT_EQ(value, "v1");
}

TEST(MemTableTest, TombstoneShadowsOlderValueOnlyFromItsSequenceOn) {
  MemTable mem;
  mem.Add(1, kTypeValue, "k", "old");
  mem.Add(2, kTypeDeletion, "k", "ignored");
  mem.Add(3, kTypeValue, "k", "new");
  std::string value = "untouched";
  EXPECT_EQ(mem.Get("k", 2, &value), Lookup::kDeleted);
  EXPECT_EQ(value, "untouched");
  EXPECT_EQ(mem.Get("k", 1, &value), Lookup::kFound);
  EXPECT_EQ(value, "old");
  EXPECT_EQ(mem.Get("k", 3, &value), Lookup::kFound);
  EXPECT_EQ(value, "new");
}

TEST(MemTableTest, TombstoneWithoutOlderValueStillReportsDeleted) {
  // The value may live in an older table: the tombstone must say "stop".
  MemTable mem;
  mem.Add(7, kTypeDeletion, "gone", "");
  std::string value;
  EXPECT_EQ(mem.Get("gone", 7, &value), Lookup::kDeleted);
  EXPECT_EQ(mem.Get("gone", 6, &value), Lookup::kNotPresent);
}

TEST(MemTableTest, IteratorYieldsUserKeysAscendingAndSequencesDescending) {
  MemTable mem;
  mem.Add(1, kTypeValue, "b", "b1");
  mem.Add(2, kTypeValue, "a", "a2");
  mem.Add(3, kTypeDeletion, "b", "");
  mem.Add(4, kTypeValue, "c", "c4");
  mem.Add(5, kTypeValue, "a", "a5");
  mem.Add(6, kTypeValue, std::string("a\0", 2), "nul");
  const std::vector<Entry> entries = Dump(mem);
  ASSERT_EQ(entries.size(), 6u);
  const std::vector<std::pair<std::string, SequenceNumber>> expected = {
      {"a", 5}, {"a", 2}, {std::string("a\0", 2), 6}, {"b", 3}, {"b", 1}, {"c", 4}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(entries[i].user_key, expected[i].first) << i;
    EXPECT_EQ(entries[i].sequence, expected[i].second) << i;
  }
  EXPECT_EQ(entries[3].type, kTypeDeletion);
  EXPECT_EQ(entries[3].value, "");
  EXPECT_EQ(entries[0].value, "a5");
}

TEST(MemTableTest, IteratorSeekLandsOnNewestVersionVisibleAtSnapshot) {
  MemTable mem;
  mem.Add(1, kTypeValue, "k", "v1");
  mem.Add(4, kTypeValue, "k", "v4");
  mem.Add(2, kTypeValue, "m", "m2");
  std::unique_ptr<InternalIterator> iter = mem.NewIterator();
  iter->Seek(MakeInternalKey("k", 3, kValueTypeForSeek));
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(iter->key(), MakeInternalKey("k", 1, kTypeValue));
  EXPECT_EQ(iter->value(), "v1");
  iter->Seek(MakeInternalKey("l", kMaxSequenceNumber, kValueTypeForSeek));
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(iter->value(), "m2");
  iter->Next();
  EXPECT_FALSE(iter->Valid());
}

TEST(MemTableTest, ManyKeysAreAllFoundWithTheirLatestValue) {
  MemTable mem;
  std::map<std::string, std::string> model;
  SequenceNumber seq = 0;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 20000; ++i) {
      const std::string key = "key" + std::to_string(i * 7919 % 20000);
      const std::string value = "v" + std::to_string(round) + "-" + std::to_string(i);
      mem.Add(++seq, kTypeValue, key, value);
      model[key] = value;
    }
  }
  EXPECT_EQ(mem.entries(), 60000u);
  std::string value;
  for (const auto& [key, expected] : model) {
    ASSERT_EQ(mem.Get(key, seq, &value), Lookup::kFound) << key;
    ASSERT_EQ(value, expected) << key;
  }
  const std::vector<Entry> entries = Dump(mem);
  ASSERT_EQ(entries.size(), 60000u);
  for (size_t i = 1; i < entries.size(); ++i) {
    const bool ordered = entries[i - 1].user_key < entries[i].user_key ||
                         (entries[i - 1].user_key == entries[i].user_key &&
                          entries[i - 1].sequence > entries[i].sequence);
    ASSERT_TRUE(ordered) << i;
  }
}

TEST(MemTableTest, EmptyKeysAndValuesRoundTrip) {
  MemTable mem;
  mem.Add(1, kTypeValue, "", "");
  mem.Add(2, kTypeValue, "k", "");
  std::string value = "x";
  EXPECT_EQ(mem.Get("", 2, &value), Lookup::kFound);
  EXPECT_EQ(value, "");
  value = "x";
  EXPECT_EQ(mem.Get("k", 2, &value), Lookup::kFound);
  EXPECT_EQ(value, "");
}

TEST(MemTableTest, MemoryUsageGrowsWithEntries) {
  MemTable mem;
  const size_t initial = mem.ApproximateMemoryUsage();
  size_t previous = initial;
  const std::string value(100, 'v');
  for (int i = 0; i < 1000; ++i) {
    mem.Add(i + 1, kTypeValue, "key" + std::to_string(i), value);
    EXPECT_GE(mem.ApproximateMemoryUsage(), previous);
    previous = mem.ApproximateMemoryUsage();
  }
  EXPECT_GE(previous - initial, 1000u * 100u);
  // A large value gets a block of its own, counted in full.
  mem.Add(5000, kTypeValue, "big", std::string(1 << 20, 'b'));
  EXPECT_GE(mem.ApproximateMemoryUsage(), previous + (1 << 20));
}

}  // namespace
}  // namespace powercut::engine
