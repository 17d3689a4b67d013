// InternalIterator: the one cursor interface inside the engine. Memtables,
// table blocks, whole tables and the merging iterator all implement it; it
// yields internal keys (see dbformat.h) in InternalKeyComparator order with
// their values. DBIter (db_iter.h) turns one into the public Iterator.
//
// Errors: a source that cannot read (a corrupt block, an I/O error) becomes
// not Valid() and reports the error through status(); it never yields bytes
// it could not verify. Once status() is not OK it stays so.
#pragma once

#include <memory>
#include <string_view>

#include "powercut/status.h"

namespace powercut::engine {

class InternalIterator {
 public:
  InternalIterator() = default;
  InternalIterator(const InternalIterator&) = delete;
  InternalIterator& operator=(const InternalIterator&) = delete;
  virtual ~InternalIterator() = default;

  // True while positioned on an entry.
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  // Positions at the first entry whose internal key is >= internal_target.
  virtual void Seek(std::string_view internal_target) = 0;
  // REQUIRES: Valid()
  virtual void Next() = 0;
  // REQUIRES: Valid(). The internal key; the view lives until the next move.
  virtual std::string_view key() const = 0;
  // REQUIRES: Valid(). The view lives until the next move.
  virtual std::string_view value() const = 0;
  virtual Status status() const = 0;
};

// An iterator over nothing, reporting `status` (OK by default).
std::unique_ptr<InternalIterator> NewEmptyIterator(Status status = Status::OK());

}  // namespace powercut::engine
