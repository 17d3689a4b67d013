// Iterator: an ordered view of the database (keys in bytewise order), as of
// the moment it was created. Not thread-safe; one user at a time.
#pragma once

#include <string_view>

#include "powercut/status.h"

namespace powercut::engine {

class Iterator {
 public:
  virtual ~Iterator() = default;
  // True while positioned on an entry.
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  // Positions at the first key >= target.
  virtual void Seek(std::string_view target) = 0;
  // REQUIRES: Valid()
  virtual void Next() = 0;
  // REQUIRES: Valid(). The views stay valid until the next move.
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // Not OK if a read failed (e.g. Corruption naming the table and offset);
  // the iterator is then not Valid().
  virtual Status status() const = 0;
};

}  // namespace powercut::engine
