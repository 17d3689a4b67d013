// SkipList tests: ordering, lookups and iteration on one thread. The
// concurrent reader/writer test lives in skiplist_concurrent_test.cc so its
// binary can be run (and labelled) on its own, e.g. under TSan.
#include "skiplist.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "arena.h"

namespace powercut::engine {
namespace {

struct U64Comparator {
  int operator()(uint64_t a, uint64_t b) const { return a < b ? -1 : (a > b ? 1 : 0); }
};
using U64List = SkipList<uint64_t, U64Comparator>;

TEST(SkipListTest, EmptyListHasNoEntries) {
  Arena arena;
  U64List list(U64Comparator(), &arena);
  EXPECT_FALSE(list.Contains(10));
  U64List::Iterator iter(&list);
  iter.SeekToFirst();
  EXPECT_FALSE(iter.Valid());
  iter.Seek(100);
  EXPECT_FALSE(iter.Valid());
  iter.SeekToLast();
  EXPECT_FALSE(iter.Valid());
}

TEST(SkipListTest, IteratesInOrderWhateverTheInsertOrder) {
  Arena arena;
  U64List list(U64Comparator(), &arena);
  std::mt19937_64 random(301);
  std::set<uint64_t> model;
  for (int i = 0; i < 2000; ++i) {
    const uint64_t key = random() % 5000;
    if (model.insert(key).second) list.Insert(key);
  }
  for (uint64_t key = 0; key < 5000; ++key) {
    EXPECT_EQ(list.Contains(key), model.count(key) == 1) << key;
  }
  U64List::Iterator iter(&list);
  iter.SeekToFirst();
  for (const uint64_t expected : model) {
    ASSERT_TRUE(iter.Valid());
    EXPECT_EQ(iter.key(), expected);
    iter.Next();
  }
  EXPECT_FALSE(iter.Valid());
}

TEST(SkipListTest, SeekFindsFirstKeyAtOrAfterTarget) {
  Arena arena;
  U64List list(U64Comparator(), &arena);
  for (uint64_t key = 10; key <= 1000; key += 10) list.Insert(key);
  U64List::Iterator iter(&list);
  iter.Seek(10);
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(iter.key(), 10u);
  iter.Seek(11);
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(iter.key(), 20u);
  iter.Seek(0);
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(iter.key(), 10u);
  iter.Seek(1001);
  EXPECT_FALSE(iter.Valid());
}

TEST(SkipListTest, PrevWalksBackwardsFromTheLastKey) {
  Arena arena;
  U64List list(U64Comparator(), &arena);
  for (uint64_t key = 1; key <= 300; ++key) list.Insert(key * 3);
  U64List::Iterator iter(&list);
  iter.SeekToLast();
  for (uint64_t key = 300; key >= 1; --key) {
    ASSERT_TRUE(iter.Valid());
    EXPECT_EQ(iter.key(), key * 3);
    iter.Prev();
  }
  EXPECT_FALSE(iter.Valid());
}

TEST(SkipListTest, ManyKeysStayOrderedAndFindable) {
  Arena arena;
  U64List list(U64Comparator(), &arena);
  constexpr uint64_t kKeys = 100000;
  // Insert in a scrambled but complete order (multiplication by an odd
  // constant is a bijection modulo 2^k).
  for (uint64_t i = 0; i < kKeys; ++i) list.Insert((i * 0x9e3779b97f4a7c15ull) & 0x1ffff);
  uint64_t count = 0;
  uint64_t previous = 0;
  U64List::Iterator iter(&list);
  for (iter.SeekToFirst(); iter.Valid(); iter.Next()) {
    if (count > 0) {
      EXPECT_LT(previous, iter.key());
    }
    previous = iter.key();
    ++count;
  }
  EXPECT_EQ(count, kKeys);
  EXPECT_GT(arena.MemoryUsage(), kKeys * sizeof(uint64_t));
}

}  // namespace
}  // namespace powercut::engine
