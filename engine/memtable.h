// MemTable: the sorted in-memory buffer of the newest writes. Every Put and
// Delete the DB applies (after its WAL record is written) lands here as an
// entry tagged with its sequence number; deletions are tombstones, never
// removals, so they can shadow older values in tables. When full the DB
// freezes it and flushes it, in order, to a sorted table (table_builder.h).
//
// Entries live in an arena and are indexed by a skiplist ordered by internal
// key. Each entry is one arena allocation:
//
//   varint32(internal_key_size) internal_key varint32(value_size) value
//
// (internal_key = user_key + fixed64((sequence << 8) | type), dbformat.h).
//
// Thread-safety: Add requires external synchronisation (one writer at a
// time, which the DB's write path guarantees); Get, NewIterator and the
// iterators may run concurrently with Add and each other. The DB shares a
// memtable through std::shared_ptr; an iterator must not outlive its memtable.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "arena.h"
#include "dbformat.h"
#include "internal_iterator.h"
#include "skiplist.h"

namespace powercut::engine {

class MemTable {
 public:
  using LookupResult = ::powercut::engine::LookupResult;

  MemTable();
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;
  ~MemTable() = default;

  // Adds an entry. For kTypeDeletion, `value` is ignored (stored empty).
  // REQUIRES: external synchronisation; `seq` not used before in this
  // memtable; seq <= kMaxSequenceNumber.
  void Add(SequenceNumber seq, ValueType type, std::string_view user_key, std::string_view value);

  // Looks up the newest entry of `user_key` with sequence <= snapshot.
  // kFound: *value holds its value. kDeleted: a tombstone shadows older
  // sources. kNotPresent: nothing visible here.
  LookupResult Get(std::string_view user_key, SequenceNumber snapshot, std::string* value) const;

  // Bytes held by the arena: the DB's flush trigger.
  size_t ApproximateMemoryUsage() const;

  // An iterator over every entry (all versions, tombstones included), in
  // internal-key order. It must not outlive this memtable.
  std::unique_ptr<InternalIterator> NewIterator() const;

  // Number of entries added.
  uint64_t entries() const { return entries_.load(std::memory_order_relaxed); }

 private:
  // Orders arena entries (pointers to their length-prefixed internal key).
  struct EntryComparator {
    int operator()(const char* a, const char* b) const;
  };
  using Table = SkipList<const char*, EntryComparator>;
  class MemTableIterator;  // memtable.cc

  Arena arena_;
  Table table_;
  std::atomic<uint64_t> entries_{0};
};

}  // namespace powercut::engine
