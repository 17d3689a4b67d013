// The DB's everyday behaviour, on both file systems (SimFs in memory, PosixFs
// in a temp directory): reads and writes, batches, iterators, flushes,
// reopening, large values, and the clear errors Open gives for things that
// are not (or no longer) a database.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "db_test_util.h"
#include "powercut/engine/db.h"
#include "powercut/faultfs/posix_fs.h"
#include "powercut/faultfs/sim_fs.h"

namespace powercut::engine {
namespace {

using testing::KvState;
using testing::ScanAll;
using testing::WriteRawFile;

enum class FsKind { kSim, kPosix };

class DbBasicTest : public ::testing::TestWithParam<FsKind> {
 protected:
  void SetUp() override {
    if (GetParam() == FsKind::kSim) {
      fs_ = std::make_unique<faultfs::SimFs>();
    } else {
      std::string templ = (std::filesystem::temp_directory_path() / "dbbasic.XXXXXX").string();
      ASSERT_NE(mkdtemp(templ.data()), nullptr);
      temp_dir_ = templ;
      fs_ = std::make_unique<faultfs::PosixFs>(temp_dir_);
    }
  }
  void TearDown() override {
    db_.reset();
    if (!temp_dir_.empty()) std::filesystem::remove_all(temp_dir_);
  }

  void Open() {
    db_.reset();
    auto db = DB::Open(options_, kPath, fs_.get());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  void Reopen() {
    ASSERT_TRUE(db_->Close().ok());
    Open();
  }
  std::string GetOrStatus(std::string_view key) {
    Result<std::string> value = db_->Get({}, key);
    return value.ok() ? *value : value.status().ToString();
  }

  static constexpr std::string_view kPath = "/db";
  std::unique_ptr<faultfs::FileSystem> fs_;
  std::string temp_dir_;
  Options options_;
  std::unique_ptr<DB> db_;
  WriteOptions sync_{.sync = true};
};

TEST_P(DbBasicTest, PutGetDelete) {
  Open();
  ASSERT_TRUE(db_->Put({}, "k1", "v1").ok());
  ASSERT_TRUE(db_->Put(sync_, "k2", "v2").ok());
  EXPECT_EQ(GetOrStatus("k1"), "v1");
  EXPECT_EQ(GetOrStatus("k2"), "v2");
  ASSERT_TRUE(db_->Delete({}, "k1").ok());
  EXPECT_TRUE(db_->Get({}, "k1").status().IsNotFound());
  EXPECT_TRUE(db_->Get({}, "never").status().IsNotFound());
}

TEST_P(DbBasicTest, OverwriteShowsNewestValue) {
  Open();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(db_->Put({}, "k", "v" + std::to_string(i)).ok());
  EXPECT_EQ(GetOrStatus("k"), "v4");
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->Put({}, "k", "after-flush").ok());
  EXPECT_EQ(GetOrStatus("k"), "after-flush");
  Reopen();
  EXPECT_EQ(GetOrStatus("k"), "after-flush");
}

TEST_P(DbBasicTest, BatchIsAppliedWhole) {
  Open();
  ASSERT_TRUE(db_->Put({}, "gone", "x").ok());
  WriteBatch batch;
  batch.Put("a", "1");
  batch.Put("b", "2");
  batch.Delete("gone");
  ASSERT_TRUE(db_->Write(sync_, batch).ok());
  EXPECT_EQ(*ScanAll(*db_), (KvState{{"a", "1"}, {"b", "2"}}));
}

TEST_P(DbBasicTest, IteratorSeekAndRangeScan) {
  Open();
  for (char c = 'a'; c <= 'j'; ++c) ASSERT_TRUE(db_->Put({}, std::string(1, c), "v").ok());
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->Delete({}, "c").ok());
  ASSERT_TRUE(db_->Put({}, "d", "new").ok());
  std::unique_ptr<Iterator> it = db_->NewIterator({});
  it->Seek("c");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "d");
  EXPECT_EQ(it->value(), "new");
  std::string range;
  for (it->Seek("b"); it->Valid() && it->key() < "g"; it->Next()) range += it->key();
  EXPECT_EQ(range, "bdef");
  it->Seek("zz");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST_P(DbBasicTest, IteratorIsASnapshot) {
  Open();
  ASSERT_TRUE(db_->Put({}, "a", "1").ok());
  std::unique_ptr<Iterator> it = db_->NewIterator({});
  ASSERT_TRUE(db_->Put({}, "b", "2").ok());
  ASSERT_TRUE(db_->Delete({}, "a").ok());
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "a");
  it->Next();
  EXPECT_FALSE(it->Valid());
}

TEST_P(DbBasicTest, FlushThenReadFromTable) {
  Open();
  ASSERT_TRUE(db_->Put({}, "a", "1").ok());
  ASSERT_TRUE(db_->Put({}, "b", "2").ok());
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->Flush().ok());  // an empty memtable: nothing to do
  EXPECT_EQ(GetOrStatus("a"), "1");
  ASSERT_TRUE(db_->Delete({}, "a").ok());
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_TRUE(db_->Get({}, "a").status().IsNotFound());
  EXPECT_EQ(*ScanAll(*db_), (KvState{{"b", "2"}}));
}

TEST_P(DbBasicTest, ReopenKeepsData) {
  Open();
  ASSERT_TRUE(db_->Put(sync_, "a", "1").ok());
  ASSERT_TRUE(db_->Put({}, "b", "2").ok());
  Reopen();
  EXPECT_EQ(*ScanAll(*db_), (KvState{{"a", "1"}, {"b", "2"}}));
  Reopen();
  EXPECT_EQ(*ScanAll(*db_), (KvState{{"a", "1"}, {"b", "2"}}));
}

TEST_P(DbBasicTest, ManyKeysAcrossSeveralFlushes) {
  options_.write_buffer_bytes = 16 << 10;
  Open();
  KvState expected;
  for (int i = 0; i < 3000; ++i) {
    std::string key = "key" + std::to_string(i * 7919 % 3000);
    std::string value = "value" + std::to_string(i) + std::string(20, 'x');
    ASSERT_TRUE(db_->Put({}, key, value).ok());
    expected[key] = value;
  }
  EXPECT_EQ(*ScanAll(*db_), expected);
  Reopen();
  EXPECT_EQ(*ScanAll(*db_), expected);
  EXPECT_EQ(GetOrStatus("key42"), expected["key42"]);
}

TEST_P(DbBasicTest, HugeValuesSpanManyWalBlocks) {
  Open();
  const std::string one_mib(1 << 20, 'a');
  std::string three_mib(3 << 20, 'b');
  three_mib[12345] = 'c';
  ASSERT_TRUE(db_->Put(sync_, "one", one_mib).ok());
  ASSERT_TRUE(db_->Put({}, "three", three_mib).ok());
  Reopen();
  EXPECT_EQ(GetOrStatus("one"), one_mib);
  EXPECT_EQ(GetOrStatus("three"), three_mib);
}

TEST_P(DbBasicTest, EmptyKeyIsRejected) {
  Open();
  EXPECT_TRUE(db_->Put({}, "", "v").IsInvalidArgument());
  WriteBatch batch;
  batch.Put("ok", "v");
  batch.Delete("");
  EXPECT_TRUE(db_->Write({}, batch).IsInvalidArgument());
  EXPECT_TRUE(db_->Get({}, "ok").status().IsNotFound());  // the batch is all out
}

TEST_P(DbBasicTest, NonDatabaseDirectoryIsInvalidArgument) {
  ASSERT_TRUE(fs_->MkDir(kPath).ok());
  ASSERT_TRUE(WriteRawFile(*fs_, "/db/notes.txt", "mine").ok());
  auto db = DB::Open(options_, kPath, fs_.get());
  ASSERT_TRUE(db.status().IsInvalidArgument()) << db.status().ToString();
  EXPECT_NE(db.status().message().find("not a powercut database"), std::string::npos);
  EXPECT_TRUE(faultfs::ReadFileToString(*fs_, "/db/notes.txt").ok());  // untouched
}

TEST_P(DbBasicTest, MissingDatabaseWithoutCreateIsInvalidArgument) {
  options_.create_if_missing = false;
  EXPECT_TRUE(DB::Open(options_, kPath, fs_.get()).status().IsInvalidArgument());
  options_.create_if_missing = true;
  Open();
  ASSERT_TRUE(db_->Close().ok());
  options_.error_if_exists = true;
  EXPECT_TRUE(DB::Open(options_, kPath, fs_.get()).status().IsInvalidArgument());
}

TEST_P(DbBasicTest, TruncatedCurrentIsCorruptionAndLosesNothing) {
  Open();
  ASSERT_TRUE(db_->Put(sync_, "a", "1").ok());
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  Result<std::string> current = faultfs::ReadFileToString(*fs_, "/db/CURRENT");
  ASSERT_TRUE(current.ok());
  ASSERT_TRUE(WriteRawFile(*fs_, "/db/CURRENT", current->substr(0, 5)).ok());
  auto db = DB::Open(options_, kPath, fs_.get());
  ASSERT_TRUE(db.status().IsCorruption()) << db.status().ToString();
  EXPECT_NE(db.status().message().find("/db/CURRENT"), std::string::npos);
  ASSERT_TRUE(WriteRawFile(*fs_, "/db/CURRENT", *current).ok());  // repaired by hand
  Open();
  EXPECT_EQ(GetOrStatus("a"), "1");
}

TEST_P(DbBasicTest, ManifestNamingMissingTableIsCorruption) {
  Open();
  ASSERT_TRUE(db_->Put({}, "a", "1").ok());
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  Result<std::vector<std::string>> names = fs_->List(kPath);
  ASSERT_TRUE(names.ok());
  std::string table;
  for (const std::string& name : *names) {
    if (name.ends_with(".sst")) table = "/db/" + name;
  }
  ASSERT_FALSE(table.empty());
  ASSERT_TRUE(fs_->Unlink(table).ok());
  auto db = DB::Open(options_, kPath, fs_.get());
  ASSERT_TRUE(db.status().IsCorruption()) << db.status().ToString();
  EXPECT_NE(db.status().message().find(table), std::string::npos);
}

TEST_P(DbBasicTest, ClosedDatabaseRejectsCalls) {
  Open();
  ASSERT_TRUE(db_->Put({}, "a", "1").ok());
  ASSERT_TRUE(db_->Close().ok());
  EXPECT_FALSE(db_->Put({}, "b", "2").ok());
  EXPECT_FALSE(db_->Get({}, "a").ok());
  EXPECT_FALSE(db_->Flush().ok());
  EXPECT_FALSE(db_->Close().ok());
  EXPECT_FALSE(db_->NewIterator({})->status().ok());
}

TEST_P(DbBasicTest, SecondOpenOfALockedDatabaseFails) {
  Open();
  EXPECT_FALSE(DB::Open(options_, kPath, fs_.get()).ok());
}

INSTANTIATE_TEST_SUITE_P(FileSystems, DbBasicTest, ::testing::Values(FsKind::kSim, FsKind::kPosix),
                         [](const ::testing::TestParamInfo<FsKind>& info) {
                           return info.param == FsKind::kSim ? "SimFs" : "PosixFs";
                         });

}  // namespace
}  // namespace powercut::engine
