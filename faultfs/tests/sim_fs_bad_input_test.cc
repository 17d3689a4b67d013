// SimFs on bad input: every refused call returns a clear status of the right
// code (and errno where a kernel would give one) and leaves the visible,
// durable and pending state exactly as it was. Also locks, which a crash
// releases.
#include <gtest/gtest.h>

#include <cerrno>
#include <functional>

#include "powercut/faultfs/sim_fs.h"
#include "sim_fs_test_util.h"

namespace powercut::faultfs {
namespace {

using testing::CrashUnder;
using testing::IsOk;
using testing::WriteFile;

struct Snapshot {
  std::map<std::string, std::string> visible, durable;
  std::vector<std::string> pending;
  static Snapshot Of(const SimFs& fs) {
    Snapshot snapshot{fs.DumpVisible(), fs.DumpDurable(), {}};
    for (const OpRecord& op : fs.PendingOps()) snapshot.pending.push_back(op.ToString());
    return snapshot;
  }
  bool operator==(const Snapshot&) const = default;
};

class SimFsBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(IsOk(fs_.AddDurableFile("/db/f", "durable")));
    ASSERT_TRUE(IsOk(fs_.AddDurableDirectory("/db/sub")));
    ASSERT_TRUE(IsOk(fs_.AddDurableFile("/db/full/x", "")));
    WriteFile(fs_, "/db/g", "pending");
  }
  // Runs `call`, expects `code` (and `sys_errno` if not 0), and no change.
  void ExpectRefused(std::function<Status()> call, StatusCode code, int sys_errno = 0) {
    Snapshot before = Snapshot::Of(fs_);
    Status status = call();
    EXPECT_EQ(status.code(), code) << status.ToString();
    if (sys_errno != 0) {
      EXPECT_EQ(status.sys_errno(), sys_errno) << status.ToString();
    }
    EXPECT_FALSE(status.message().empty());
    EXPECT_FALSE(status.injected());
    EXPECT_TRUE(Snapshot::Of(fs_) == before) << status.ToString();
  }
  SimFs fs_;
};

TEST_F(SimFsBadInput, UnknownAndClosedHandlesAreInvalidArgument) {
  auto file = fs_.Open("/db/f", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file));
  ASSERT_TRUE(IsOk(fs_.Close(*file)));
  char buffer[4];
  for (FileHandle handle : {*file, FileHandle{999}, FileHandle{}}) {
    ExpectRefused([&] { return fs_.Write(handle, 0, "x").status(); }, StatusCode::kInvalidArgument);
    ExpectRefused([&] { return fs_.Append(handle, "x").status(); }, StatusCode::kInvalidArgument);
    ExpectRefused([&] { return fs_.Read(handle, 0, std::span<char>(buffer, 4)).status(); },
                  StatusCode::kInvalidArgument);
    ExpectRefused([&] { return fs_.Truncate(handle, 0); }, StatusCode::kInvalidArgument);
    ExpectRefused([&] { return fs_.Sync(handle); }, StatusCode::kInvalidArgument);
    ExpectRefused([&] { return fs_.DataSync(handle); }, StatusCode::kInvalidArgument);
    ExpectRefused([&] { return fs_.Size(handle).status(); }, StatusCode::kInvalidArgument);
    ExpectRefused([&] { return fs_.Close(handle); }, StatusCode::kInvalidArgument);
  }
}

TEST_F(SimFsBadInput, InvalidPathsAreInvalidArgument) {
  for (std::string_view path : {"", "db/f", "/db/", "/db//f", "/db/./f", "/db/../f"}) {
    ExpectRefused([&] { return fs_.Open(path, OpenOptions::ReadWriteCreate()).status(); },
                  StatusCode::kInvalidArgument);
    ExpectRefused([&] { return fs_.Rename("/db/f", path); }, StatusCode::kInvalidArgument);
    ExpectRefused([&] { return fs_.Link(path, "/db/h"); }, StatusCode::kInvalidArgument);
    ExpectRefused([&] { return fs_.Unlink(path); }, StatusCode::kInvalidArgument);
    ExpectRefused([&] { return fs_.MkDir(path); }, StatusCode::kInvalidArgument);
    ExpectRefused([&] { return fs_.RmDir(path); }, StatusCode::kInvalidArgument);
    ExpectRefused([&] { return fs_.SyncDir(path); }, StatusCode::kInvalidArgument);
    ExpectRefused([&] { return fs_.List(path).status(); }, StatusCode::kInvalidArgument);
    ExpectRefused([&] { return fs_.Stat(path).status(); }, StatusCode::kInvalidArgument);
    ExpectRefused([&] { return fs_.Lock(path).status(); }, StatusCode::kInvalidArgument);
  }
}

TEST_F(SimFsBadInput, MissingFilesAndParentsAreNotFound) {
  ExpectRefused([&] { return fs_.Open("/db/none", OpenOptions::ReadOnly()).status(); },
                StatusCode::kNotFound);
  ExpectRefused([&] { return fs_.Open("/no/f", OpenOptions::ReadWriteCreate()).status(); },
                StatusCode::kNotFound);
  ExpectRefused([&] { return fs_.Open("/db/f/x", OpenOptions::ReadWriteCreate()).status(); },
                StatusCode::kNotFound);
  ExpectRefused([&] { return fs_.Rename("/db/none", "/db/x"); }, StatusCode::kNotFound);
  ExpectRefused([&] { return fs_.Rename("/db/f", "/no/x"); }, StatusCode::kNotFound);
  ExpectRefused([&] { return fs_.Link("/db/none", "/db/x"); }, StatusCode::kNotFound);
  ExpectRefused([&] { return fs_.Unlink("/db/none"); }, StatusCode::kNotFound);
  ExpectRefused([&] { return fs_.MkDir("/no/dir"); }, StatusCode::kNotFound);
  ExpectRefused([&] { return fs_.RmDir("/db/none"); }, StatusCode::kNotFound);
  ExpectRefused([&] { return fs_.SyncDir("/none"); }, StatusCode::kNotFound);
  ExpectRefused([&] { return fs_.List("/none").status(); }, StatusCode::kNotFound);
  ExpectRefused([&] { return fs_.Stat("/db/none").status(); }, StatusCode::kNotFound);
}

TEST_F(SimFsBadInput, DirectoriesWhereFilesBelongAndTheReverseAreRefused) {
  ExpectRefused([&] { return fs_.Open("/db/sub", OpenOptions::ReadOnly()).status(); },
                StatusCode::kInvalidArgument);
  ExpectRefused([&] { return fs_.Rename("/db/f", "/db/sub"); }, StatusCode::kInvalidArgument);
  ExpectRefused([&] { return fs_.Rename("/db/sub", "/db/h"); }, StatusCode::kInvalidArgument);
  ExpectRefused([&] { return fs_.Link("/db/sub", "/db/h"); }, StatusCode::kInvalidArgument);
  ExpectRefused([&] { return fs_.Unlink("/db/sub"); }, StatusCode::kInvalidArgument);
  ExpectRefused([&] { return fs_.RmDir("/db/f"); }, StatusCode::kInvalidArgument);
  ExpectRefused([&] { return fs_.RmDir("/"); }, StatusCode::kInvalidArgument);
  ExpectRefused([&] { return fs_.SyncDir("/db/f"); }, StatusCode::kInvalidArgument);
  ExpectRefused([&] { return fs_.List("/db/f").status(); }, StatusCode::kInvalidArgument);
  ExpectRefused([&] { return fs_.Lock("/db/sub").status(); }, StatusCode::kInvalidArgument);
}

TEST_F(SimFsBadInput, ExistingNamesAndNonEmptyDirectoriesFailWithTheKernelsErrno) {
  ExpectRefused([&] { return fs_.Open("/db/f", OpenOptions::CreateNew()).status(); },
                StatusCode::kIOError, EEXIST);
  ExpectRefused([&] { return fs_.Link("/db/f", "/db/g"); }, StatusCode::kIOError, EEXIST);
  ExpectRefused([&] { return fs_.MkDir("/db/sub"); }, StatusCode::kIOError, EEXIST);
  ExpectRefused([&] { return fs_.MkDir("/"); }, StatusCode::kIOError, EEXIST);
  ExpectRefused([&] { return fs_.RmDir("/db/full"); }, StatusCode::kIOError, ENOTEMPTY);
}

TEST_F(SimFsBadInput, ChangesThroughAReadOnlyHandleAreRefused) {
  auto file = fs_.Open("/db/f", OpenOptions::ReadOnly());
  ASSERT_TRUE(IsOk(file));
  ExpectRefused([&] { return fs_.Write(*file, 0, "x").status(); }, StatusCode::kInvalidArgument);
  ExpectRefused([&] { return fs_.Append(*file, "x").status(); }, StatusCode::kInvalidArgument);
  ExpectRefused([&] { return fs_.Truncate(*file, 0); }, StatusCode::kInvalidArgument);
  OpenOptions truncate_read_only = OpenOptions::ReadOnly();
  truncate_read_only.truncate = true;
  ExpectRefused([&] { return fs_.Open("/db/f", truncate_read_only).status(); },
                StatusCode::kInvalidArgument);
  ASSERT_TRUE(IsOk(fs_.Close(*file)));
}

TEST_F(SimFsBadInput, ReadingAtOrPastTheEndReturnsZero) {
  auto file = fs_.Open("/db/f", OpenOptions::ReadOnly());
  ASSERT_TRUE(IsOk(file));
  char buffer[8];
  EXPECT_EQ(fs_.Read(*file, 7, std::span<char>(buffer, 8)).value_or(99), 0u);
  EXPECT_EQ(fs_.Read(*file, 1000, std::span<char>(buffer, 8)).value_or(99), 0u);
  EXPECT_EQ(fs_.Read(*file, 5, std::span<char>(buffer, 8)).value_or(99), 2u);
  ASSERT_TRUE(IsOk(fs_.Close(*file)));
}

TEST_F(SimFsBadInput, AHugeWriteOrTruncateFailsWithEfbig) {
  auto file = fs_.Open("/db/f", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(IsOk(file));
  ExpectRefused([&] { return fs_.Write(*file, uint64_t{1} << 62, "x").status(); },
                StatusCode::kIOError, EFBIG);
  ExpectRefused([&] { return fs_.Truncate(*file, uint64_t{1} << 62); }, StatusCode::kIOError,
                EFBIG);
  ASSERT_TRUE(IsOk(fs_.Close(*file)));
}

TEST_F(SimFsBadInput, ASecondLockFailsWithEagainAndACrashReleasesEveryLock) {
  auto lock = fs_.Lock("/db/LOCK");
  ASSERT_TRUE(IsOk(lock));
  ExpectRefused([&] { return fs_.Lock("/db/LOCK").status(); }, StatusCode::kIOError, EAGAIN);
  auto killed = CrashUnder(fs_, "process-kill");
  EXPECT_TRUE(IsOk(killed->Lock("/db/LOCK")));
  auto powered_off = CrashUnder(fs_, "power-loss");
  EXPECT_TRUE(IsOk(powered_off->Lock("/db/LOCK")));
  EXPECT_TRUE(IsOk(fs_.Unlock(*lock)));
  EXPECT_TRUE(fs_.Unlock(*lock).IsInvalidArgument());
  EXPECT_TRUE(IsOk(fs_.Lock("/db/LOCK")));
}

}  // namespace
}  // namespace powercut::faultfs
