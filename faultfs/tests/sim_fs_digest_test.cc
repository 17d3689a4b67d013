// SimFs::Digest: the explorer reuses one recovery for every crash state with
// the same digest, so equal contents must give equal digests and any
// difference a recovery could observe (a byte, a name, a size, pending data
// under process-kill) must change it.
#include <gtest/gtest.h>

#include "powercut/faultfs/sim_fs.h"

namespace powercut::faultfs {
namespace {

std::unique_ptr<SimFs> WithFile(std::string_view path, std::string_view contents) {
  auto fs = std::make_unique<SimFs>();
  EXPECT_TRUE(fs->AddDurableFile(path, contents).ok());
  return fs;
}

TEST(SimFsDigestTest, EqualContentsGiveEqualDigests) {
  EXPECT_EQ(WithFile("/db/a", "hello")->Digest(), WithFile("/db/a", "hello")->Digest());
  const std::string big(3 * 4096 + 17, 'x');  // several chunks and a partial one
  EXPECT_EQ(WithFile("/db/a", big)->Digest(), WithFile("/db/a", big)->Digest());
}

TEST(SimFsDigestTest, AByteANameOrASizeChangesTheDigest) {
  const ContentDigest base = WithFile("/db/a", "hello")->Digest();
  EXPECT_NE(base, WithFile("/db/a", "hellp")->Digest());
  EXPECT_NE(base, WithFile("/db/b", "hello")->Digest());
  EXPECT_NE(base, WithFile("/db/a", std::string("hello\0", 6))->Digest());
  EXPECT_NE(base, WithFile("/other/a", "hello")->Digest());
}

TEST(SimFsDigestTest, PendingDataCountsBecauseAProcessKillKeepsIt) {
  auto fs = WithFile("/db/a", "hello");
  const ContentDigest before = fs->Digest();
  auto file = fs->Open("/db/a", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(fs->Append(*file, " world").ok());  // pending, not durable
  EXPECT_NE(before, fs->Digest());
  auto killed =
      fs->Crash(CrashStateId{CrashModel{.kind = CrashModelKind::kProcessKill}, fs->position(), {}});
  auto lost =
      fs->Crash(CrashStateId{CrashModel{.kind = CrashModelKind::kPowerLoss}, fs->position(), {}});
  ASSERT_TRUE(killed.ok() && lost.ok());
  EXPECT_NE((*killed)->Digest(), (*lost)->Digest());
  EXPECT_EQ((*lost)->Digest(), before);
}

}  // namespace
}  // namespace powercut::faultfs
