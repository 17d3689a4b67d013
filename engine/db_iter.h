// DBIter: the public Iterator (powercut/engine/iterator.h) over an internal
// iterator (normally a MergingIterator over memtables and tables), as of a
// snapshot sequence number. For each user key it shows the newest entry with
// sequence <= snapshot, and hides the key entirely if that entry is a
// tombstone; older versions never show. Entries newer than the snapshot are
// skipped, so a snapshot iterator is stable while writes continue.
//
// A malformed internal key or an error of the internal iterator stops
// iteration: Valid() turns false and status() reports it.
#pragma once

#include <memory>
#include <vector>

#include "dbformat.h"
#include "internal_iterator.h"
#include "powercut/engine/iterator.h"

namespace powercut::engine {

// `pinned` objects (memtables, tables, a version) are kept alive as long as
// the iterator, so the sources under `internal` cannot die before it.
std::unique_ptr<Iterator> NewDBIterator(std::unique_ptr<InternalIterator> internal,
                                        SequenceNumber snapshot,
                                        std::vector<std::shared_ptr<const void>> pinned = {});

}  // namespace powercut::engine
