// The FileSystem contract, checked once against every implementation: one
// value-parameterised suite instantiated for SimFs (in memory) and PosixFs
// (over a fresh directory under /tmp, removed at teardown). The engine may
// only rely on what passes here for both, so this suite is the definition of
// "behaves like a file system" for powercut. Failures of bad input are
// checked twice: the call returns a clear non-OK status, and the tree is
// exactly as it was.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <functional>
#include <map>
#include <ostream>
#include <thread>

#include "powercut/faultfs/file_system.h"
#include "powercut/faultfs/posix_fs.h"
#include "powercut/faultfs/sim_fs.h"

namespace powercut::faultfs {
namespace {

// A file system under test and what must be cleaned up after it.
struct Instance {
  std::unique_ptr<FileSystem> fs;
  std::string temp_dir;  // PosixFs only: removed at teardown
  ~Instance() {
    fs.reset();
    std::error_code ignored;  // best effort: a leftover /tmp dir must not fail the test
    if (!temp_dir.empty()) std::filesystem::remove_all(temp_dir, ignored);
  }
};

struct Implementation {
  std::string name;
  std::function<std::unique_ptr<Instance>()> make;
};

// Names the implementation in failure messages (instead of its bytes).
void PrintTo(const Implementation& implementation, std::ostream* out) {
  *out << implementation.name;
}

std::unique_ptr<Instance> MakeSimFs() {
  auto instance = std::make_unique<Instance>();
  instance->fs = std::make_unique<SimFs>();
  return instance;
}

std::unique_ptr<Instance> MakePosixFs() {
  auto instance = std::make_unique<Instance>();
  char dir_template[] = "/tmp/powercut-fs-test-XXXXXX";
  const char* dir = ::mkdtemp(dir_template);
  if (dir == nullptr) return nullptr;
  instance->temp_dir = dir;
  instance->fs = std::make_unique<PosixFs>(instance->temp_dir);
  return instance;
}

class FileSystemInterfaceTest : public ::testing::TestWithParam<Implementation> {
 protected:
  void SetUp() override {
    instance_ = GetParam().make();
    ASSERT_NE(instance_, nullptr) << "could not create a scratch directory under /tmp";
    fs_ = instance_->fs.get();
  }

  FileHandle OpenOrDie(std::string_view path, const OpenOptions& options) {
    Result<FileHandle> file = fs_->Open(path, options);
    EXPECT_TRUE(file.ok()) << path << ": " << file.status().ToString();
    return file.ok() ? *file : FileHandle{};
  }
  void WriteFile(std::string_view path, std::string_view contents) {
    OpenOptions options = OpenOptions::ReadWriteCreate();
    options.truncate = true;
    FileHandle file = OpenOrDie(path, options);
    Result<size_t> n = fs_->Append(file, contents);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    ASSERT_EQ(*n, contents.size());
    ASSERT_TRUE(fs_->Close(file).ok());
  }
  std::string ReadFile(std::string_view path) {
    Result<std::string> contents = ReadFileToString(*fs_, path);
    EXPECT_TRUE(contents.ok()) << path << ": " << contents.status().ToString();
    return contents.ok() ? *contents : "<error>";
  }
  std::string ReadAt(FileHandle file, uint64_t offset, size_t length) {
    std::string buffer(length, '?');
    Result<size_t> n = fs_->Read(file, offset, std::span<char>(buffer.data(), buffer.size()));
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    buffer.resize(n.ok() ? *n : 0);
    return buffer;
  }
  // The whole tree: path -> contents, directories as "path/" -> "".
  std::map<std::string, std::string> Tree(const std::string& dir = "/") {
    std::map<std::string, std::string> tree;
    Result<std::vector<std::string>> names = fs_->List(dir);
    EXPECT_TRUE(names.ok()) << dir << ": " << names.status().ToString();
    if (!names.ok()) return tree;
    for (const std::string& name : *names) {
      std::string path = JoinPath(dir, name);
      Result<FileInfo> info = fs_->Stat(path);
      EXPECT_TRUE(info.ok()) << path;
      if (info.ok() && info->is_directory) {
        tree[path + "/"] = "";
        tree.merge(Tree(path));
      } else {
        tree[path] = ReadFile(path);
      }
    }
    return tree;
  }
  // A small tree that the bad-input tests check stays untouched.
  void MakeSampleTree() {
    ASSERT_TRUE(fs_->MkDir("/d").ok());
    ASSERT_TRUE(fs_->MkDir("/d/sub").ok());
    WriteFile("/a", "alpha");
    WriteFile("/d/b", "bravo");
  }

  std::unique_ptr<Instance> instance_;
  FileSystem* fs_ = nullptr;
};

// Checks that `status` is an error of `code` that names `path`.
void ExpectError(const Status& status, StatusCode code, std::string_view path) {
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), code) << status.ToString();
  EXPECT_NE(status.message().find(path), std::string::npos)
      << "the message should name " << path << ": " << status.ToString();
}

TEST_P(FileSystemInterfaceTest, OpeningAMissingFileWithoutCreateIsNotFound) {
  Result<FileHandle> file = fs_->Open("/missing", OpenOptions::ReadOnly());
  ExpectError(file.status(), StatusCode::kNotFound, "/missing");
  EXPECT_TRUE(Tree().empty());
}

TEST_P(FileSystemInterfaceTest, CreateMakesAnEmptyFileThatListAndStatSee) {
  FileHandle file = OpenOrDie("/new", OpenOptions::CreateNew());
  EXPECT_EQ(fs_->Size(file).value_or(99), 0u);
  ASSERT_TRUE(fs_->Close(file).ok());
  Result<FileInfo> info = fs_->Stat("/new");
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->is_directory);
  EXPECT_EQ(info->size, 0u);
  EXPECT_EQ(Tree(), (std::map<std::string, std::string>{{"/new", ""}}));
}

TEST_P(FileSystemInterfaceTest, ExclusiveCreateOfAnExistingFileFailsAndKeepsIt) {
  WriteFile("/f", "kept");
  Result<FileHandle> file = fs_->Open("/f", OpenOptions::CreateNew());
  EXPECT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find("/f"), std::string::npos) << file.status().ToString();
  EXPECT_EQ(ReadFile("/f"), "kept");
}

TEST_P(FileSystemInterfaceTest, OpenKeepsContentsUnlessAskedToTruncate) {
  WriteFile("/f", "contents");
  ASSERT_TRUE(fs_->Close(OpenOrDie("/f", OpenOptions::ReadWriteCreate())).ok());
  EXPECT_EQ(ReadFile("/f"), "contents");
  OpenOptions truncating = OpenOptions::ReadWriteCreate();
  truncating.truncate = true;
  FileHandle file = OpenOrDie("/f", truncating);
  EXPECT_EQ(fs_->Size(file).value_or(99), 0u);
  ASSERT_TRUE(fs_->Close(file).ok());
  EXPECT_EQ(ReadFile("/f"), "");
}

TEST_P(FileSystemInterfaceTest, OpeningADirectoryIsInvalidArgument) {
  ASSERT_TRUE(fs_->MkDir("/d").ok());
  ExpectError(fs_->Open("/d", OpenOptions::ReadOnly()).status(), StatusCode::kInvalidArgument,
              "/d");
  ExpectError(fs_->Open("/d", OpenOptions::ReadWriteCreate()).status(),
              StatusCode::kInvalidArgument, "/d");
  EXPECT_EQ(Tree(), (std::map<std::string, std::string>{{"/d/", ""}}));
}

TEST_P(FileSystemInterfaceTest, PositionalWritesOverwriteAndReadBack) {
  FileHandle file = OpenOrDie("/f", OpenOptions::CreateNew());
  EXPECT_EQ(fs_->Write(file, 0, "hello world").value_or(0), 11u);
  EXPECT_EQ(fs_->Write(file, 6, "WORLD").value_or(0), 5u);
  EXPECT_EQ(ReadAt(file, 0, 11), "hello WORLD");
  EXPECT_EQ(ReadAt(file, 4, 3), "o W");
  EXPECT_EQ(fs_->Write(file, 3, "").value_or(99), 0u);
  EXPECT_EQ(fs_->Size(file).value_or(0), 11u);
  ASSERT_TRUE(fs_->Close(file).ok());
}

TEST_P(FileSystemInterfaceTest, WritingPastTheEndFillsTheGapWithZeros) {
  FileHandle file = OpenOrDie("/f", OpenOptions::CreateNew());
  ASSERT_TRUE(fs_->Write(file, 0, "ab").ok());
  ASSERT_TRUE(fs_->Write(file, 5, "cd").ok());
  EXPECT_EQ(ReadAt(file, 0, 100), std::string("ab\0\0\0cd", 7));
  EXPECT_EQ(fs_->Size(file).value_or(0), 7u);
  ASSERT_TRUE(fs_->Close(file).ok());
}

TEST_P(FileSystemInterfaceTest, AppendWritesAtTheCurrentEnd) {
  FileHandle file = OpenOrDie("/log", OpenOptions::CreateNew());
  EXPECT_EQ(fs_->Append(file, "one,").value_or(0), 4u);
  ASSERT_TRUE(fs_->Write(file, 8, "X").ok());  // moves the end to 9
  EXPECT_EQ(fs_->Append(file, "two").value_or(0), 3u);
  ASSERT_TRUE(fs_->Truncate(file, 2).ok());
  EXPECT_EQ(fs_->Append(file, "!").value_or(0), 1u);
  ASSERT_TRUE(fs_->Close(file).ok());
  EXPECT_EQ(ReadFile("/log"), "on!");
}

TEST_P(FileSystemInterfaceTest, ReadsAtOrPastTheEndReturnZeroAndStraddlingReadsAreShort) {
  WriteFile("/f", "12345");
  FileHandle file = OpenOrDie("/f", OpenOptions::ReadOnly());
  EXPECT_EQ(ReadAt(file, 5, 10), "");
  EXPECT_EQ(ReadAt(file, 1000, 10), "");
  EXPECT_EQ(ReadAt(file, 3, 10), "45");
  EXPECT_EQ(ReadAt(file, 0, 0), "");
  ASSERT_TRUE(fs_->Close(file).ok());
}

TEST_P(FileSystemInterfaceTest, TruncateShrinksAndExtendsWithZeros) {
  WriteFile("/f", "abcdef");
  FileHandle file = OpenOrDie("/f", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(fs_->Truncate(file, 3).ok());
  EXPECT_EQ(fs_->Size(file).value_or(0), 3u);
  ASSERT_TRUE(fs_->Truncate(file, 6).ok());
  EXPECT_EQ(ReadAt(file, 0, 10), std::string("abc\0\0\0", 6));
  ASSERT_TRUE(fs_->Close(file).ok());
  EXPECT_EQ(fs_->Stat("/f").value_or(FileInfo{}).size, 6u);
}

TEST_P(FileSystemInterfaceTest, EverySyncCallSucceedsAndChangesNothingVisible) {
  MakeSampleTree();
  auto before = Tree();
  FileHandle file = OpenOrDie("/a", OpenOptions::ReadWriteCreate());
  EXPECT_TRUE(fs_->Sync(file).ok());
  EXPECT_TRUE(fs_->DataSync(file).ok());
  ASSERT_TRUE(fs_->Close(file).ok());
  EXPECT_TRUE(fs_->SyncDir("/").ok());
  EXPECT_TRUE(fs_->SyncDir("/d").ok());
  EXPECT_TRUE(fs_->SyncAll().ok());
  EXPECT_EQ(Tree(), before);
  ExpectError(fs_->SyncDir("/nodir"), StatusCode::kNotFound, "/nodir");
}

TEST_P(FileSystemInterfaceTest, RenameReplacesTheTargetAtomically) {
  ASSERT_TRUE(fs_->MkDir("/d").ok());
  WriteFile("/CURRENT.tmp", "new");
  WriteFile("/CURRENT", "old");
  ASSERT_TRUE(fs_->Rename("/CURRENT.tmp", "/CURRENT").ok());
  ASSERT_TRUE(fs_->Rename("/CURRENT", "/d/moved").ok());  // across directories
  EXPECT_EQ(Tree(), (std::map<std::string, std::string>{{"/d/", ""}, {"/d/moved", "new"}}));
}

TEST_P(FileSystemInterfaceTest, RenameOntoOrOfADirectoryIsRejectedAndChangesNothing) {
  MakeSampleTree();
  auto before = Tree();
  ExpectError(fs_->Rename("/a", "/d"), StatusCode::kInvalidArgument, "/d");
  ExpectError(fs_->Rename("/d/sub", "/x"), StatusCode::kInvalidArgument, "/d/sub");
  ExpectError(fs_->Rename("/d", "/a"), StatusCode::kInvalidArgument, "/d");
  EXPECT_EQ(Tree(), before);
}

TEST_P(FileSystemInterfaceTest, RenameOfAMissingFileIsNotFound) {
  MakeSampleTree();
  auto before = Tree();
  ExpectError(fs_->Rename("/nope", "/a"), StatusCode::kNotFound, "/nope");
  EXPECT_EQ(Tree(), before);
}

TEST_P(FileSystemInterfaceTest, LinkAddsASecondNameThatOutlivesTheFirst) {
  WriteFile("/a", "shared");
  ASSERT_TRUE(fs_->Link("/a", "/b").ok());
  EXPECT_EQ(ReadFile("/b"), "shared");
  ASSERT_TRUE(fs_->Unlink("/a").ok());
  EXPECT_EQ(Tree(), (std::map<std::string, std::string>{{"/b", "shared"}}));
}

TEST_P(FileSystemInterfaceTest, LinkOntoAnExistingNameOrFromAMissingFileFails) {
  MakeSampleTree();
  auto before = Tree();
  EXPECT_FALSE(fs_->Link("/a", "/d/b").ok());
  ExpectError(fs_->Link("/nope", "/c"), StatusCode::kNotFound, "/nope");
  EXPECT_EQ(Tree(), before);
}

TEST_P(FileSystemInterfaceTest, UnlinkWithAnOpenHandleKeepsTheDataReadableThroughIt) {
  WriteFile("/f", "still here");
  FileHandle file = OpenOrDie("/f", OpenOptions::ReadOnly());
  ASSERT_TRUE(fs_->Unlink("/f").ok());
  EXPECT_TRUE(fs_->Stat("/f").status().IsNotFound());
  EXPECT_TRUE(Tree().empty());
  EXPECT_EQ(ReadAt(file, 0, 100), "still here");
  ASSERT_TRUE(fs_->Close(file).ok());
}

TEST_P(FileSystemInterfaceTest, UnlinkOfAMissingFileIsNotFound) {
  ExpectError(fs_->Unlink("/nope"), StatusCode::kNotFound, "/nope");
}

TEST_P(FileSystemInterfaceTest, MkDirAndRmDirOfAnEmptyDirectory) {
  ASSERT_TRUE(fs_->MkDir("/d").ok());
  ASSERT_TRUE(fs_->MkDir("/d/e").ok());
  EXPECT_TRUE(fs_->Stat("/d/e").value_or(FileInfo{}).is_directory);
  EXPECT_FALSE(fs_->MkDir("/d").ok());  // exists
  ASSERT_TRUE(fs_->RmDir("/d/e").ok());
  ASSERT_TRUE(fs_->RmDir("/d").ok());
  EXPECT_TRUE(Tree().empty());
  ExpectError(fs_->RmDir("/d"), StatusCode::kNotFound, "/d");
}

TEST_P(FileSystemInterfaceTest, RmDirOfANonEmptyDirectoryOrOfAFileFails) {
  MakeSampleTree();
  auto before = Tree();
  Status status = fs_->RmDir("/d");
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/d"), std::string::npos) << status.ToString();
  EXPECT_FALSE(fs_->RmDir("/a").ok());
  EXPECT_FALSE(fs_->Unlink("/d/sub").ok());
  EXPECT_EQ(Tree(), before);
}

TEST_P(FileSystemInterfaceTest, ListIsSortedBytewiseAndShowsDirectories) {
  for (const char* name : {"/b", "/a", "/B", "/a.log", "/000010.sst", "/000002.sst"}) {
    WriteFile(name, "");
  }
  ASSERT_TRUE(fs_->MkDir("/dir").ok());
  Result<std::vector<std::string>> names = fs_->List("/");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names,
            (std::vector<std::string>{"000002.sst", "000010.sst", "B", "a", "a.log", "b", "dir"}));
  EXPECT_TRUE(fs_->List("/dir").value_or({"x"}).empty());
  ExpectError(fs_->List("/nodir").status(), StatusCode::kNotFound, "/nodir");
}

TEST_P(FileSystemInterfaceTest, StatReportsTypeAndSize) {
  MakeSampleTree();
  EXPECT_EQ(fs_->Stat("/d/b").value_or(FileInfo{}).size, 5u);
  EXPECT_FALSE(fs_->Stat("/d/b").value_or(FileInfo{.is_directory = true}).is_directory);
  EXPECT_TRUE(fs_->Stat("/d").value_or(FileInfo{}).is_directory);
  EXPECT_TRUE(fs_->Stat("/").value_or(FileInfo{}).is_directory);
  ExpectError(fs_->Stat("/d/nope").status(), StatusCode::kNotFound, "/d/nope");
}

TEST_P(FileSystemInterfaceTest, ASecondLockFailsWithEagainUntilUnlocked) {
  Result<FileLock> lock = fs_->Lock("/LOCK");
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  EXPECT_TRUE(fs_->Stat("/LOCK").ok()) << "Lock creates the file";
  Result<FileLock> second = fs_->Lock("/LOCK");
  ExpectError(second.status(), StatusCode::kIOError, "/LOCK");
  EXPECT_EQ(second.status().sys_errno(), EAGAIN);
  ASSERT_TRUE(fs_->Unlock(*lock).ok());
  EXPECT_FALSE(fs_->Unlock(*lock).ok()) << "a released lock cannot be released again";
  Result<FileLock> relock = fs_->Lock("/LOCK");
  ASSERT_TRUE(relock.ok()) << relock.status().ToString();
  EXPECT_TRUE(fs_->Unlock(*relock).ok());
  EXPECT_FALSE(fs_->Unlock(FileLock{987654}).ok());
}

TEST_P(FileSystemInterfaceTest, UnknownAndClosedHandlesAreInvalidArgument) {
  WriteFile("/f", "data");
  FileHandle file = OpenOrDie("/f", OpenOptions::ReadWriteCreate());
  ASSERT_TRUE(fs_->Close(file).ok());
  FileHandle reopened = OpenOrDie("/f", OpenOptions::ReadOnly());
  EXPECT_NE(reopened.id, file.id) << "handle ids are never reused";
  char buffer[4];
  for (FileHandle bad : {file, FileHandle{}, FileHandle{424242}}) {
    EXPECT_TRUE(fs_->Close(bad).IsInvalidArgument());
    EXPECT_TRUE(fs_->Read(bad, 0, std::span<char>(buffer, 4)).status().IsInvalidArgument());
    EXPECT_TRUE(fs_->Write(bad, 0, "x").status().IsInvalidArgument());
    EXPECT_TRUE(fs_->Append(bad, "x").status().IsInvalidArgument());
    EXPECT_TRUE(fs_->Truncate(bad, 0).IsInvalidArgument());
    EXPECT_TRUE(fs_->Sync(bad).IsInvalidArgument());
    EXPECT_TRUE(fs_->DataSync(bad).IsInvalidArgument());
    EXPECT_TRUE(fs_->Size(bad).status().IsInvalidArgument());
  }
  ASSERT_TRUE(fs_->Close(reopened).ok());
  EXPECT_EQ(Tree(), (std::map<std::string, std::string>{{"/f", "data"}}));
}

TEST_P(FileSystemInterfaceTest, InvalidPathsAreInvalidArgumentForEveryCall) {
  MakeSampleTree();
  auto before = Tree();
  for (std::string_view bad :
       {"", "rel", "a/b", "/a/../b", "/a//b", "/d/", "/./a", "/d/.", "/d/.."}) {
    SCOPED_TRACE("path '" + std::string(bad) + "'");
    EXPECT_TRUE(fs_->Open(bad, OpenOptions::ReadWriteCreate()).status().IsInvalidArgument());
    EXPECT_TRUE(fs_->SyncDir(bad).IsInvalidArgument());
    EXPECT_TRUE(fs_->Rename(bad, "/x").IsInvalidArgument());
    EXPECT_TRUE(fs_->Rename("/a", bad).IsInvalidArgument());
    EXPECT_TRUE(fs_->Link(bad, "/x").IsInvalidArgument());
    EXPECT_TRUE(fs_->Link("/a", bad).IsInvalidArgument());
    EXPECT_TRUE(fs_->Unlink(bad).IsInvalidArgument());
    EXPECT_TRUE(fs_->MkDir(bad).IsInvalidArgument());
    EXPECT_TRUE(fs_->RmDir(bad).IsInvalidArgument());
    EXPECT_TRUE(fs_->List(bad).status().IsInvalidArgument());
    EXPECT_TRUE(fs_->Stat(bad).status().IsInvalidArgument());
    EXPECT_TRUE(fs_->Lock(bad).status().IsInvalidArgument());
  }
  EXPECT_EQ(Tree(), before);
}

TEST_P(FileSystemInterfaceTest, ChangesThroughAReadOnlyHandleAreRefused) {
  WriteFile("/f", "original");
  FileHandle file = OpenOrDie("/f", OpenOptions::ReadOnly());
  EXPECT_FALSE(fs_->Write(file, 0, "XX").ok());
  EXPECT_FALSE(fs_->Append(file, "XX").ok());
  EXPECT_FALSE(fs_->Truncate(file, 1).ok());
  ASSERT_TRUE(fs_->Close(file).ok());
  EXPECT_EQ(ReadFile("/f"), "original");
}

TEST_P(FileSystemInterfaceTest, AMissingParentDirectoryIsNotFoundAndCreatesNothing) {
  MakeSampleTree();
  auto before = Tree();
  ExpectError(fs_->Open("/nodir/f", OpenOptions::CreateNew()).status(), StatusCode::kNotFound,
              "/nodir/f");
  ExpectError(fs_->MkDir("/nodir/sub"), StatusCode::kNotFound, "/nodir/sub");
  EXPECT_FALSE(fs_->Rename("/a", "/nodir/a").ok());
  EXPECT_FALSE(fs_->Link("/a", "/nodir/a").ok());
  EXPECT_FALSE(fs_->Lock("/nodir/LOCK").ok());
  EXPECT_EQ(Tree(), before);
}

TEST_P(FileSystemInterfaceTest, ConcurrentWritersOnDifferentFilesKeepEveryByte) {
  constexpr int kThreads = 4;
  constexpr int kRecords = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      std::string path = "/file" + std::to_string(t);
      Result<FileHandle> file = fs_->Open(path, OpenOptions::CreateNew());
      ASSERT_TRUE(file.ok());
      for (int i = 0; i < kRecords; ++i) ASSERT_TRUE(fs_->Append(*file, "0123456789").ok());
      ASSERT_TRUE(fs_->Sync(*file).ok());
      ASSERT_TRUE(fs_->Close(*file).ok());
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(fs_->Stat("/file" + std::to_string(t)).value_or(FileInfo{}).size, 10u * kRecords);
  }
}

INSTANTIATE_TEST_SUITE_P(AllFileSystems, FileSystemInterfaceTest,
                         ::testing::Values(Implementation{"SimFs", MakeSimFs},
                                           Implementation{"PosixFs", MakePosixFs}),
                         [](const ::testing::TestParamInfo<Implementation>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace powercut::faultfs
