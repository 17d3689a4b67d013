// Profile names and summaries (see profile.h). The rules themselves live
// where they act: at sync time in sim_state.cc (what an fsync commits), at
// crash time in crash_profile.cc (which states a crash can leave).
#include "powercut/faultfs/profile.h"

#include <array>

namespace powercut::faultfs {
namespace {

struct ProfileEntry {
  PersistenceProfile profile;
  std::string_view name;
  std::string_view summary;
};

// Written into repro and replay files: never rename.
constexpr std::array<ProfileEntry, 3> kProfiles = {{
    {PersistenceProfile::kStrictPosix, "strict-posix",
     "only what POSIX promises: data durable after fsync of the file, names after fsync of "
     "the directory, any other order possible (fsync(2), POSIX.1-2017 fsync)"},
    {PersistenceProfile::kExt4Ordered, "ext4-ordered",
     "ext4's default data=ordered: metadata journalled in issue order, every fsync commits all "
     "earlier metadata, appended data before the size that exposes it, replace-by-rename "
     "flushes the new data first (auto_da_alloc; Documentation/admin-guide/ext4.rst; ALICE, "
     "OSDI'14)"},
    {PersistenceProfile::kExt4Writeback, "ext4-writeback",
     "ext4 data=writeback (and XFS for these rules): metadata journalled in order and "
     "committed by any fsync, data unordered: a size or a rename may persist before the data "
     "(Documentation/admin-guide/ext4.rst; Bornholt et al., ASPLOS'16)"},
}};

}  // namespace

std::string_view ProfileName(PersistenceProfile profile) {
  for (const ProfileEntry& entry : kProfiles) {
    if (entry.profile == profile) return entry.name;
  }
  return "?";
}

Result<PersistenceProfile> ParseProfile(std::string_view name) {
  std::string valid;
  for (const ProfileEntry& entry : kProfiles) {
    if (entry.name == name) return entry.profile;
    valid += (valid.empty() ? "" : ", ") + std::string(entry.name);
  }
  return Status::InvalidArgument("unknown file-system profile '" + std::string(name) +
                                 "'; valid profiles: " + valid);
}

std::vector<PersistenceProfile> AllProfiles() {
  std::vector<PersistenceProfile> all;
  for (const ProfileEntry& entry : kProfiles) all.push_back(entry.profile);
  return all;
}

std::string_view ProfileSummary(PersistenceProfile profile) {
  for (const ProfileEntry& entry : kProfiles) {
    if (entry.profile == profile) return entry.summary;
  }
  return "?";
}

bool JournalsMetadataInOrder(PersistenceProfile profile) {
  return profile != PersistenceProfile::kStrictPosix;
}

bool OrdersDataBeforeMetadata(PersistenceProfile profile) {
  return profile == PersistenceProfile::kExt4Ordered;
}

}  // namespace powercut::faultfs
