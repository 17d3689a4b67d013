// WriteBatch: a group of puts and deletes applied atomically. A batch is one
// logical WAL record, so after any crash it is all in or all out.
//
// Encoding (also the WAL record payload; written to disk: never change):
//   sequence: fixed64   -- the sequence number of the first entry
//   count:    fixed32   -- number of entries
//   entries:  count x ( kTypeValue  varstring key  varstring value
//                     | kTypeDeletion varstring key )
// See docs/engine.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "powercut/status.h"

namespace powercut::engine {

class WriteBatch {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void Put(std::string_view key, std::string_view value) = 0;
    virtual void Delete(std::string_view key) = 0;
  };

  WriteBatch();
  void Put(std::string_view key, std::string_view value);
  void Delete(std::string_view key);
  // Appends every entry of `other`.
  void Append(const WriteBatch& other);
  void Clear();

  uint32_t Count() const;
  // Bytes of the encoded batch.
  size_t ApproximateSize() const { return rep_.size(); }
  // Calls `handler` for each entry in order; Corruption if the encoding is bad.
  Status Iterate(Handler* handler) const;

 private:
  friend class WriteBatchInternal;
  std::string rep_;
};

}  // namespace powercut::engine
