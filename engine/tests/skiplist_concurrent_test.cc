// SkipList under concurrency: one writer inserts while readers search and
// scan without locks. Its own binary (engine_skiplist_concurrent_test), so
// it can carry a CTest label and run under TSan on its own.
//
// The writer inserts a fixed scrambled permutation of keys and, after each
// insert, publishes how many it has done (release). A reader that observes
// count n (acquire) must then find every one of the first n keys, and any
// scan must be strictly increasing and at least n long: a published node is
// never missing and never half-built.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "arena.h"
#include "skiplist.h"

namespace powercut::engine {
namespace {

struct U64Comparator {
  int operator()(uint64_t a, uint64_t b) const { return a < b ? -1 : (a > b ? 1 : 0); }
};
using U64List = SkipList<uint64_t, U64Comparator>;

constexpr uint64_t kKeys = 20000;
constexpr int kReaders = 2;

// The i-th key the writer inserts: a bijection on [0, 2^15), scrambled.
uint64_t KeyAt(uint64_t i) { return (i * 0x9e3779b97f4a7c15ull) & 0x7fff; }

// One reader pass: every published key is found, a scan is ordered and
// complete. Returns false (with gtest failures) on the first violation.
bool CheckReaderView(const U64List& list, uint64_t published, uint64_t probe_seed) {
  for (uint64_t probe = 0; probe < 64 && published > 0; ++probe) {
    const uint64_t index = (probe_seed + probe * 7919) % published;
    if (!list.Contains(KeyAt(index))) {
      ADD_FAILURE() << "published key " << KeyAt(index) << " (#" << index << ") missing";
      return false;
    }
  }
  uint64_t scanned = 0;
  uint64_t previous = 0;
  U64List::Iterator iter(&list);
  for (iter.SeekToFirst(); iter.Valid(); iter.Next()) {
    if (scanned > 0 && previous >= iter.key()) {
      ADD_FAILURE() << "scan out of order: " << previous << " then " << iter.key();
      return false;
    }
    previous = iter.key();
    ++scanned;
  }
  if (scanned < published) {
    ADD_FAILURE() << "scan saw " << scanned << " keys, " << published << " were published";
    return false;
  }
  return true;
}

TEST(SkipListConcurrentTest, ReadersSeeEveryPublishedKeyWhileOneWriterInserts) {
  Arena arena;
  U64List list(U64Comparator(), &arena);
  std::atomic<uint64_t> published{0};
  std::atomic<bool> failed{false};
  std::atomic<int> readers_started{0};

  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      uint64_t probe_seed = r;
      readers_started.fetch_add(1);
      while (!failed.load()) {
        const uint64_t seen = published.load(std::memory_order_acquire);
        if (!CheckReaderView(list, seen, probe_seed++)) failed.store(true);
        if (seen == kKeys) break;
      }
    });
  }
  // Start inserting only once every reader is running, so they overlap.
  while (readers_started.load() < kReaders) std::this_thread::yield();
  for (uint64_t i = 0; i < kKeys; ++i) {
    list.Insert(KeyAt(i));
    published.store(i + 1, std::memory_order_release);
  }
  for (auto& reader : readers) reader.join();
  EXPECT_FALSE(failed.load());
  EXPECT_TRUE(CheckReaderView(list, kKeys, 0));
}

}  // namespace
}  // namespace powercut::engine
