// The table cache (LazyTable, engine/table_cache.h) and the key-range skip of
// Get, on SimFs behind a wrapper that counts Open and Read calls per table
// file: Open of a database with several tables reads none of them, a Get
// outside every table's key range reads no table, a table is opened once even
// when many threads need it first at the same time, and damage Open no longer
// looks for is still reported as Corruption naming the table on first use.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "db_test_util.h"
#include "powercut/engine/db.h"
#include "powercut/faultfs/sim_fs.h"
#include "table_format.h"

namespace powercut::engine {
namespace {

using testing::ScanAll;
using testing::WriteRawFile;

// Counts Open and Read calls on table (.sst) files, per path.
class CountingFs : public faultfs::FileSystemWrapper {
 public:
  using FileSystemWrapper::FileSystemWrapper;

  Result<faultfs::FileHandle> Open(std::string_view path,
                                   const faultfs::OpenOptions& options) override {
    Result<faultfs::FileHandle> file = FileSystemWrapper::Open(path, options);
    if (file.ok() && path.ends_with(".sst")) {
      std::lock_guard lock(mu_);
      ++opens_[std::string(path)];
      table_paths_[file->id] = std::string(path);
    }
    return file;
  }
  Result<size_t> Read(faultfs::FileHandle file, uint64_t offset, std::span<char> buffer) override {
    {
      std::lock_guard lock(mu_);
      auto it = table_paths_.find(file.id);
      if (it != table_paths_.end()) ++reads_[it->second];
    }
    return FileSystemWrapper::Read(file, offset, buffer);
  }

  // Table file -> number of Read calls on it since the last Reset.
  std::map<std::string, int> reads() const {
    std::lock_guard lock(mu_);
    return reads_;
  }
  std::map<std::string, int> opens() const {
    std::lock_guard lock(mu_);
    return opens_;
  }
  void Reset() {
    std::lock_guard lock(mu_);
    reads_.clear();
    opens_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::map<uint64_t, std::string> table_paths_;  // handle id -> path
  std::map<std::string, int> reads_;
  std::map<std::string, int> opens_;
};

class DbTableCacheTest : public ::testing::Test {
 protected:
  // Writes three tables with the disjoint key ranges [a0, a9], [m0, m9], [x0, x9].
  void SetUp() override {
    auto db = DB::Open(options_, kPath, &sim_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    for (char prefix : {'a', 'm', 'x'}) {
      for (int i = 0; i < 10; ++i) {
        const std::string key = std::string(1, prefix) + std::to_string(i);
        ASSERT_TRUE((*db)->Put({}, key, "value-" + key).ok());
      }
      ASSERT_TRUE((*db)->Flush().ok());
    }
    ASSERT_TRUE((*db)->Close().ok());
    Result<std::vector<std::string>> names = sim_.List(kPath);
    ASSERT_TRUE(names.ok());
    for (const std::string& name : *names) {
      if (name.ends_with(".sst")) tables_.push_back(std::string(kPath) + "/" + name);
    }
    ASSERT_EQ(tables_.size(), 3u);  // List is sorted: tables_[0] holds the a-keys
  }

  std::unique_ptr<DB> OpenCounting() {
    auto db = DB::Open(options_, kPath, &counting_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  static constexpr std::string_view kPath = "/db";
  faultfs::SimFs sim_;
  CountingFs counting_{&sim_};
  Options options_;
  std::vector<std::string> tables_;
};

TEST_F(DbTableCacheTest, OpenReadsNoTable) {
  std::unique_ptr<DB> db = OpenCounting();
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(counting_.reads().empty());
  EXPECT_TRUE(counting_.opens().empty());
}

TEST_F(DbTableCacheTest, GetOutsideEveryKeyRangeReadsNoTable) {
  std::unique_ptr<DB> db = OpenCounting();
  ASSERT_NE(db, nullptr);
  for (std::string_view key : {"0", "b", "c5", "n", "zz"}) {  // before, between, after
    EXPECT_TRUE(db->Get({}, key).status().IsNotFound()) << key;
  }
  EXPECT_TRUE(counting_.reads().empty());
}

TEST_F(DbTableCacheTest, GetReadsOnlyTheTableCoveringTheKey) {
  std::unique_ptr<DB> db = OpenCounting();
  ASSERT_NE(db, nullptr);
  Result<std::string> value = db->Get({}, "m5");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, "value-m5");
  std::map<std::string, int> reads = counting_.reads();
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads.begin()->first, tables_[1]);
  // The second Get reuses the open table: one data block read, no footer or index.
  counting_.Reset();
  ASSERT_TRUE(db->Get({}, "m6").ok());
  EXPECT_EQ(counting_.opens().size(), 0u);
  EXPECT_EQ(counting_.reads()[tables_[1]], 1);
}

TEST_F(DbTableCacheTest, ConcurrentFirstUseOpensATableOnce) {
  std::unique_ptr<DB> db = OpenCounting();
  ASSERT_NE(db, nullptr);
  std::vector<std::thread> threads;
  std::vector<std::string> results(8);
  for (size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      Result<std::string> value = db->Get({}, "x" + std::to_string(t));
      results[t] = value.ok() ? *value : value.status().ToString();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (size_t t = 0; t < results.size(); ++t) EXPECT_EQ(results[t], "value-x" + std::to_string(t));
  EXPECT_EQ(counting_.opens()[tables_[2]], 1);
}

TEST_F(DbTableCacheTest, DamagedIndexIsCorruptionNamingTheTableOnFirstUse) {
  Result<std::string> bytes = faultfs::ReadFileToString(sim_, tables_[1]);
  ASSERT_TRUE(bytes.ok());
  // The last byte of the index block, just before its trailer and the footer.
  const size_t index_byte =
      bytes->size() - table_format::kFooterBytes - table_format::kBlockTrailerBytes - 1;
  (*bytes)[index_byte] ^= 0x40;
  ASSERT_TRUE(WriteRawFile(sim_, tables_[1], *bytes).ok());

  std::unique_ptr<DB> db = OpenCounting();  // Open does not read the table
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->Get({}, "a3").value_or("error"), "value-a3");  // other tables still serve
  EXPECT_TRUE(db->Get({}, "q").status().IsNotFound());         // outside its range: not read
  for (int attempt = 0; attempt < 2; ++attempt) {              // a failed open is not cached
    Result<std::string> value = db->Get({}, "m5");
    ASSERT_TRUE(value.status().IsCorruption()) << value.status().ToString();
    EXPECT_NE(value.status().message().find(tables_[1]), std::string::npos)
        << value.status().ToString();
  }
  Result<testing::KvState> scan = ScanAll(*db);
  ASSERT_TRUE(scan.status().IsCorruption()) << scan.status().ToString();
  EXPECT_NE(scan.status().message().find(tables_[1]), std::string::npos);
}

TEST_F(DbTableCacheTest, TableOfTheWrongSizeIsCorruptionAtOpen) {
  Result<std::string> bytes = faultfs::ReadFileToString(sim_, tables_[0]);
  ASSERT_TRUE(bytes.ok());
  ASSERT_TRUE(WriteRawFile(sim_, tables_[0], *bytes + "x").ok());
  auto db = DB::Open(options_, kPath, &counting_);
  ASSERT_TRUE(db.status().IsCorruption()) << db.status().ToString();
  EXPECT_NE(db.status().message().find(tables_[0]), std::string::npos) << db.status().ToString();
  EXPECT_TRUE(counting_.reads().empty());
}

}  // namespace
}  // namespace powercut::engine
