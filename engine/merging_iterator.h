// MergingIterator: one sorted stream out of several. The DB builds one over
// its sources — the active memtable, the frozen one, then its tables from
// newest to oldest — and hands it to DBIter. Children are given newest
// first; internal keys carry unique sequence numbers, so no two children
// yield equal keys (were they to, the earlier child would come first).
//
// A child's error ends the merge: the merged iterator becomes not Valid()
// and reports the first error, rather than silently skipping a source (which
// could resurrect an overwritten or deleted value).
#pragma once

#include <memory>
#include <vector>

#include "internal_iterator.h"

namespace powercut::engine {

std::unique_ptr<InternalIterator> NewMergingIterator(
    std::vector<std::unique_ptr<InternalIterator>> children);

}  // namespace powercut::engine
