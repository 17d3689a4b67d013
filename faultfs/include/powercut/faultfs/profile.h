// File-system profiles: which crash states a real file system can leave, on
// top of a crash model. A crash model (crash_model.h) says which subsets of
// the pending operations may persist; a profile adds what one file system
// promises about order and about what its fsync commits, so a FAIL under a
// profile is a state that file system can really leave. docs/faultfs.md has
// every rule with its source (the kernel's ext4 documentation, ALICE's
// abstract persistence models, Pillai et al. OSDI'14, and Bornholt et al.,
// "Specifying and Checking File System Crash-Consistency Models", ASPLOS'16),
// and faultfs/tests/profile_litmus_test.cc checks each rule as a litmus test.
//
//   strict-posix    only what POSIX promises: a file's data is durable after
//                   its fsync, a name after an fsync of its directory; any
//                   other order is possible. Portable code must survive it.
//   ext4-ordered    ext4's default (data=ordered, auto_da_alloc): metadata
//                   operations (names, truncates) are journalled and persist
//                   in issue order; any fsync commits every earlier metadata
//                   operation; an append's size never persists ahead of its
//                   data; a rename that replaces a file persists only with the
//                   data written to the new file before it.
//   ext4-writeback  ext4 data=writeback (and, for these rules, XFS): metadata
//                   as under ext4-ordered, but data is not ordered with it: a
//                   size can persist ahead of its data (zeros read back), and a
//                   replacing rename can persist before the new file's data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/status.h"

namespace powercut::faultfs {

// Written into repro and replay files by name (ProfileName): never rename.
enum class PersistenceProfile : uint8_t { kStrictPosix, kExt4Ordered, kExt4Writeback };

// "strict-posix", "ext4-ordered", "ext4-writeback".
std::string_view ProfileName(PersistenceProfile profile);
// Parses a name ProfileName gives; InvalidArgument listing the valid names.
Result<PersistenceProfile> ParseProfile(std::string_view name);
// Every profile, strict-posix first.
std::vector<PersistenceProfile> AllProfiles();
// One line for `powercut list profiles`: what it models and its source.
std::string_view ProfileSummary(PersistenceProfile profile);

// True for the profiles whose metadata is journalled in issue order (ext4).
bool JournalsMetadataInOrder(PersistenceProfile profile);
// True if an append's new size never persists ahead of its data, and a
// replacing rename never ahead of the new file's data (ext4 data=ordered).
bool OrdersDataBeforeMetadata(PersistenceProfile profile);

}  // namespace powercut::faultfs
