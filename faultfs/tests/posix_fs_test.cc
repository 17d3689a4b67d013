// PosixFs behaviour beyond the shared FileSystem contract (which
// file_system_interface_test.cc checks for every implementation): virtual
// paths land under the root on the real disk, errors carry errno and the real
// path, and a lock is exclusive across two PosixFs instances, as it is across
// processes.
#include "powercut/faultfs/posix_fs.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace powercut::faultfs {
namespace {

class PosixFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/powercut-posix-test-XXXXXX";
    const char* dir = ::mkdtemp(dir_template);
    ASSERT_NE(dir, nullptr);
    root_ = dir;
    fs_ = std::make_unique<PosixFs>(root_ + "/");  // a trailing '/' is dropped
  }
  void TearDown() override {
    fs_.reset();
    std::error_code ignored;  // best effort: a leftover /tmp dir must not fail the test
    std::filesystem::remove_all(root_, ignored);
  }
  std::string ReadRealFile(const std::string& real_path) {
    std::ifstream in(real_path, std::ios::binary);
    std::stringstream contents;
    contents << in.rdbuf();
    return contents.str();
  }

  std::string root_;
  std::unique_ptr<PosixFs> fs_;
};

TEST_F(PosixFsTest, VirtualPathsLandUnderTheRoot) {
  EXPECT_EQ(fs_->root(), root_);
  EXPECT_EQ(fs_->RealPath("/db/x"), root_ + "/db/x");
  EXPECT_EQ(fs_->RealPath("/"), root_);
  ASSERT_TRUE(fs_->MkDir("/db").ok());
  Result<FileHandle> file = fs_->Open("/db/x", OpenOptions::CreateNew());
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(fs_->Append(*file, "on disk").ok());
  ASSERT_TRUE(fs_->Close(*file).ok());
  EXPECT_EQ(ReadRealFile(root_ + "/db/x"), "on disk");
}

TEST_F(PosixFsTest, AnEmptyRootIsTheRealRoot) {
  PosixFs real_root("");
  EXPECT_EQ(real_root.RealPath("/tmp"), "/tmp");
  EXPECT_EQ(real_root.RealPath("/"), "/");
  EXPECT_TRUE(real_root.Stat(root_).value_or(FileInfo{}).is_directory);
}

TEST_F(PosixFsTest, ErrorsCarryErrnoAndTheRealPath) {
  ASSERT_TRUE(fs_->MkDir("/d").ok());
  Status exists = fs_->MkDir("/d");
  EXPECT_TRUE(exists.IsIOError());
  EXPECT_EQ(exists.sys_errno(), EEXIST);
  EXPECT_NE(exists.message().find(root_ + "/d"), std::string::npos) << exists.ToString();
  EXPECT_NE(exists.message().find("File exists"), std::string::npos) << exists.ToString();
  EXPECT_FALSE(exists.injected());

  Status missing = fs_->Open("/nope", OpenOptions::ReadOnly()).status();
  EXPECT_TRUE(missing.IsNotFound());
  EXPECT_NE(missing.message().find("No such file or directory"), std::string::npos);

  Result<FileHandle> file = fs_->Open("/d/f", OpenOptions::CreateNew());
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(fs_->Close(*file).ok());
  Status not_empty = fs_->RmDir("/d");
  EXPECT_EQ(not_empty.sys_errno(), ENOTEMPTY) << not_empty.ToString();
}

TEST_F(PosixFsTest, ALockIsExclusiveAcrossInstancesAsAcrossProcesses) {
  PosixFs other(root_);
  Result<FileLock> mine = fs_->Lock("/LOCK");
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  Result<FileLock> theirs = other.Lock("/LOCK");
  ASSERT_FALSE(theirs.ok());
  EXPECT_EQ(theirs.status().sys_errno(), EAGAIN) << theirs.status().ToString();
  ASSERT_TRUE(fs_->Unlock(*mine).ok());
  theirs = other.Lock("/LOCK");
  ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();
  EXPECT_TRUE(other.Unlock(*theirs).ok());
}

TEST_F(PosixFsTest, OpeningTheSameFileTwiceGivesTwoHandlesOnOneFile) {
  Result<FileHandle> writer = fs_->Open("/f", OpenOptions::CreateNew());
  Result<FileHandle> reader = fs_->Open("/f", OpenOptions::ReadOnly());
  ASSERT_TRUE(writer.ok() && reader.ok());
  EXPECT_NE(writer->id, reader->id);
  ASSERT_TRUE(fs_->Append(*writer, "shared").ok());
  char buffer[16];
  EXPECT_EQ(fs_->Read(*reader, 0, std::span<char>(buffer, sizeof(buffer))).value_or(0), 6u);
  EXPECT_TRUE(fs_->Close(*writer).ok());
  EXPECT_TRUE(fs_->Close(*reader).ok());
}

}  // namespace
}  // namespace powercut::faultfs
