// SkipList: the memtable's ordered index, after LevelDB's db/skiplist.h.
//
// Method. A skiplist is a sorted linked list with "express lanes": each node
// has a random height h (P(h > k) = 1/4^k, at most kMaxHeight) and a next
// pointer per level below h. A search starts at the top level of the head
// and moves right while the next key is smaller, dropping a level when it
// would overshoot; on average it visits O(log n) nodes. Nodes live in an
// Arena and are never removed, so a node pointer, once seen, stays valid for
// the list's life.
//
// Concurrency: one writer (external synchronisation) and any number of
// lock-free readers. A writer fully initialises a node, then publishes it
// level by level from the bottom with release stores; readers load next
// pointers with acquire, so a reader that sees a node sees its key and its
// lower links. A reader may miss a node being inserted at a higher level,
// which only makes its search slower, never wrong. max_height_ is read
// relaxed: a reader seeing a stale (smaller) height just searches lower;
// one seeing a new height early finds head links still null and drops down.
//
// Heights come from a fixed-seed Park-Miller generator, so the shape of the
// list — and every run that builds it — is deterministic.
#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <new>

#include "arena.h"

namespace powercut::engine {

// Key: a cheap copyable value (e.g. a pointer into the arena).
// Comparator: `int operator()(const Key& a, const Key& b) const`, <0/0/>0.
template <typename Key, class Comparator>
class SkipList {
 private:
  struct Node;

 public:
  // `arena` must outlive the list; the list allocates its nodes in it.
  SkipList(Comparator compare, Arena* arena);
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  // REQUIRES: external synchronisation; nothing equal to `key` is in the list.
  void Insert(const Key& key);
  // True if an entry equal to `key` is in the list.
  bool Contains(const Key& key) const;

  // A cursor over the list; safe to use while the writer inserts.
  class Iterator {
   public:
    explicit Iterator(const SkipList* list) : list_(list), node_(nullptr) {}
    bool Valid() const { return node_ != nullptr; }
    // REQUIRES: Valid()
    const Key& key() const {
      assert(Valid());
      return node_->key;
    }
    // REQUIRES: Valid()
    void Next() {
      assert(Valid());
      node_ = node_->Next(0);
    }
    // REQUIRES: Valid(). O(log n): searches for the last node before key().
    void Prev() {
      assert(Valid());
      node_ = list_->FindLessThan(node_->key);
      if (node_ == list_->head_) node_ = nullptr;
    }
    // Positions at the first entry >= target.
    void Seek(const Key& target) { node_ = list_->FindGreaterOrEqual(target, nullptr); }
    void SeekToFirst() { node_ = list_->head_->Next(0); }
    void SeekToLast() {
      node_ = list_->FindLast();
      if (node_ == list_->head_) node_ = nullptr;
    }

   private:
    const SkipList* list_;
    Node* node_;
  };

 private:
  static constexpr int kMaxHeight = 12;
  static constexpr uint32_t kBranching = 4;
  static constexpr uint32_t kHeightSeed = 0xdeadbeef;

  int GetMaxHeight() const { return max_height_.load(std::memory_order_relaxed); }
  Node* NewNode(const Key& key, int height);
  int RandomHeight();
  bool Equal(const Key& a, const Key& b) const { return compare_(a, b) == 0; }
  // True if `key` sorts after the key of `node` (a null node is +infinity).
  bool KeyIsAfterNode(const Key& key, Node* node) const {
    return node != nullptr && compare_(node->key, key) < 0;
  }
  // The first node >= key, or null. Fills prev[level] with the last node
  // before it at each level, if prev is not null.
  Node* FindGreaterOrEqual(const Key& key, Node** prev) const;
  // The last node < key, or head_.
  Node* FindLessThan(const Key& key) const;
  // The last node, or head_ if the list is empty.
  Node* FindLast() const;

  Comparator const compare_;
  Arena* const arena_;
  Node* const head_;
  std::atomic<int> max_height_;  // written by the writer only
  uint32_t random_state_;        // Park-Miller state; writer only
};

template <typename Key, class Comparator>
struct SkipList<Key, Comparator>::Node {
  explicit Node(const Key& k) : key(k) {}

  Key const key;

  // Acquire load: a reader sees the node fully initialised.
  Node* Next(int level) {
    assert(level >= 0);
    return next_[level].load(std::memory_order_acquire);
  }
  // Release store: publishes `node` to readers.
  void SetNext(int level, Node* node) {
    assert(level >= 0);
    next_[level].store(node, std::memory_order_release);
  }
  // Unordered variants, for links not yet published.
  Node* NoBarrierNext(int level) { return next_[level].load(std::memory_order_relaxed); }
  void NoBarrierSetNext(int level, Node* node) {
    next_[level].store(node, std::memory_order_relaxed);
  }

 private:
  friend class SkipList;  // NewNode initialises the links past next_[0]

  // Length = the node's height; next_[0] is the bottom level. Allocated past
  // the end of the struct (see NewNode).
  std::atomic<Node*> next_[1];
};

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::NewNode(const Key& key,
                                                                             int height) {
  const size_t bytes = sizeof(Node) + sizeof(std::atomic<Node*>) * (height - 1);
  char* const memory = arena_->AllocateAligned(bytes);
  Node* node = new (memory) Node(key);
  for (int level = 1; level < height; ++level) {
    new (&node->next_[level]) std::atomic<Node*>(nullptr);  // past next_[0]
  }
  node->NoBarrierSetNext(0, nullptr);
  return node;
}

template <typename Key, class Comparator>
int SkipList<Key, Comparator>::RandomHeight() {
  // Park-Miller minimal standard generator: state = state * 16807 % (2^31-1).
  auto next_random = [this] {
    constexpr uint32_t kModulus = 2147483647u;
    const uint64_t product = uint64_t{random_state_} * 16807u;
    uint32_t folded = static_cast<uint32_t>((product >> 31) + (product & kModulus));
    if (folded > kModulus) folded -= kModulus;
    random_state_ = folded;
    return folded;
  };
  int height = 1;
  while (height < kMaxHeight && next_random() % kBranching == 0) ++height;
  assert(height > 0 && height <= kMaxHeight);
  return height;
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindGreaterOrEqual(
    const Key& key, Node** prev) const {
  Node* node = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = node->Next(level);
    if (KeyIsAfterNode(key, next)) {
      node = next;  // keep moving right on this level
    } else {
      if (prev != nullptr) prev[level] = node;
      if (level == 0) return next;
      --level;
    }
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindLessThan(
    const Key& key) const {
  Node* node = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    assert(node == head_ || compare_(node->key, key) < 0);
    Node* next = node->Next(level);
    if (next == nullptr || compare_(next->key, key) >= 0) {
      if (level == 0) return node;
      --level;
    } else {
      node = next;
    }
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindLast() const {
  Node* node = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = node->Next(level);
    if (next == nullptr) {
      if (level == 0) return node;
      --level;
    } else {
      node = next;
    }
  }
}

template <typename Key, class Comparator>
SkipList<Key, Comparator>::SkipList(Comparator compare, Arena* arena)
    : compare_(compare),
      arena_(arena),
      head_(NewNode(Key() /* never compared */, kMaxHeight)),
      max_height_(1),
      random_state_(kHeightSeed & 0x7fffffffu) {
  for (int level = 0; level < kMaxHeight; ++level) head_->SetNext(level, nullptr);
}

template <typename Key, class Comparator>
void SkipList<Key, Comparator>::Insert(const Key& key) {
  Node* prev[kMaxHeight];
  Node* next = FindGreaterOrEqual(key, prev);
  assert(next == nullptr || !Equal(key, next->key));  // REQUIRES: no duplicates
  (void)next;

  const int height = RandomHeight();
  if (height > GetMaxHeight()) {
    for (int level = GetMaxHeight(); level < height; ++level) prev[level] = head_;
    // Relaxed is enough: a reader seeing the new height early finds null
    // links at the new levels of head_ and drops down (see the file comment).
    max_height_.store(height, std::memory_order_relaxed);
  }

  Node* node = NewNode(key, height);
  for (int level = 0; level < height; ++level) {
    // The node is not yet reachable, so its own links need no barrier; the
    // release store in prev[level]->SetNext publishes it.
    node->NoBarrierSetNext(level, prev[level]->NoBarrierNext(level));
    prev[level]->SetNext(level, node);
  }
}

template <typename Key, class Comparator>
bool SkipList<Key, Comparator>::Contains(const Key& key) const {
  Node* node = FindGreaterOrEqual(key, nullptr);
  return node != nullptr && Equal(key, node->key);
}

}  // namespace powercut::engine
