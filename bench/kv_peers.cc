// The engines behind bench/kv_peers.h. Each adapter opens its engine with the
// settings a user would choose for durable writes: LevelDB/RocksDB with
// WriteOptions::sync per write, SQLite in WAL mode with synchronous=FULL for
// sync writes (NORMAL otherwise), one statement per write.
#include "kv_peers.h"

#include <cstdio>
#include <filesystem>

#include "powercut/engine/db.h"
#include "powercut/faultfs/posix_fs.h"

#ifdef POWERCUT_HAVE_LEVELDB
#include <leveldb/db.h>
#endif
#ifdef POWERCUT_HAVE_ROCKSDB
#include <rocksdb/db.h>
#endif
#ifdef POWERCUT_HAVE_SQLITE
#include <sqlite3.h>
#endif

namespace powercut::bench {
namespace {

class PowercutStore : public KvStore {
 public:
  bool Open(const std::string& dir) {
    Result<std::unique_ptr<engine::DB>> db = engine::DB::Open(engine::Options{}, dir, &fs_);
    if (!db.ok()) {
      std::fprintf(stderr, "powercut: %s\n", db.status().ToString().c_str());
      return false;
    }
    db_ = std::move(db).value();
    return true;
  }
  bool Put(std::string_view key, std::string_view value, bool sync) override {
    return db_->Put(engine::WriteOptions{.sync = sync}, key, value).ok();
  }
  bool Get(std::string_view key, std::string* value) override {
    Result<std::string> found = db_->Get(engine::ReadOptions{}, key);
    if (!found.ok()) return false;
    *value = std::move(found).value();
    return true;
  }

 private:
  faultfs::PosixFs fs_;
  std::unique_ptr<engine::DB> db_;
};

#ifdef POWERCUT_HAVE_LEVELDB
class LevelDbStore : public KvStore {
 public:
  bool Open(const std::string& dir) {
    leveldb::Options options;
    options.create_if_missing = true;
    leveldb::DB* db = nullptr;
    leveldb::Status status = leveldb::DB::Open(options, dir, &db);
    if (!status.ok()) std::fprintf(stderr, "leveldb: %s\n", status.ToString().c_str());
    db_.reset(db);
    return status.ok();
  }
  bool Put(std::string_view key, std::string_view value, bool sync) override {
    leveldb::WriteOptions options;
    options.sync = sync;
    return db_
        ->Put(options, leveldb::Slice(key.data(), key.size()),
              leveldb::Slice(value.data(), value.size()))
        .ok();
  }
  bool Get(std::string_view key, std::string* value) override {
    return db_->Get(leveldb::ReadOptions(), leveldb::Slice(key.data(), key.size()), value).ok();
  }

 private:
  std::unique_ptr<leveldb::DB> db_;
};
#endif

#ifdef POWERCUT_HAVE_ROCKSDB
class RocksDbStore : public KvStore {
 public:
  bool Open(const std::string& dir) {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    rocksdb::Status status = rocksdb::DB::Open(options, dir, &db);
    if (!status.ok()) std::fprintf(stderr, "rocksdb: %s\n", status.ToString().c_str());
    db_.reset(db);
    return status.ok();
  }
  bool Put(std::string_view key, std::string_view value, bool sync) override {
    rocksdb::WriteOptions options;
    options.sync = sync;
    return db_
        ->Put(options, rocksdb::Slice(key.data(), key.size()),
              rocksdb::Slice(value.data(), value.size()))
        .ok();
  }
  bool Get(std::string_view key, std::string* value) override {
    return db_->Get(rocksdb::ReadOptions(), rocksdb::Slice(key.data(), key.size()), value).ok();
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
};
#endif

#ifdef POWERCUT_HAVE_SQLITE
class SqliteStore : public KvStore {
 public:
  ~SqliteStore() override {
    sqlite3_finalize(put_);
    sqlite3_finalize(get_);
    sqlite3_close(db_);
  }
  bool Open(const std::string& dir) {
    std::filesystem::create_directories(dir);
    if (sqlite3_open((dir + "/kv.sqlite").c_str(), &db_) != SQLITE_OK) return Fail();
    const char* setup =
        "PRAGMA journal_mode=WAL;"
        "CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID;";
    if (sqlite3_exec(db_, setup, nullptr, nullptr, nullptr) != SQLITE_OK) return Fail();
    if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO kv VALUES (?, ?)", -1, &put_, nullptr) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db_, "SELECT v FROM kv WHERE k = ?", -1, &get_, nullptr) != SQLITE_OK) {
      return Fail();
    }
    return true;
  }
  bool Put(std::string_view key, std::string_view value, bool sync) override {
    if (sync != synchronous_full_) {
      const char* pragma = sync ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
      if (sqlite3_exec(db_, pragma, nullptr, nullptr, nullptr) != SQLITE_OK) return false;
      synchronous_full_ = sync;
    }
    sqlite3_bind_blob(put_, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    sqlite3_bind_blob(put_, 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    const bool ok = sqlite3_step(put_) == SQLITE_DONE;
    sqlite3_reset(put_);
    return ok;
  }
  bool Get(std::string_view key, std::string* value) override {
    sqlite3_bind_blob(get_, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    const bool found = sqlite3_step(get_) == SQLITE_ROW;
    if (found) {
      value->assign(static_cast<const char*>(sqlite3_column_blob(get_, 0)),
                    static_cast<size_t>(sqlite3_column_bytes(get_, 0)));
    }
    sqlite3_reset(get_);
    return found;
  }

 private:
  bool Fail() {
    std::fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db_));
    return false;
  }
  sqlite3* db_ = nullptr;
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* get_ = nullptr;
  bool synchronous_full_ = true;  // SQLite's default in WAL mode is FULL
};
#endif

template <typename Store>
std::unique_ptr<KvStore> OpenAs(const std::string& dir) {
  auto store = std::make_unique<Store>();
  if (!store->Open(dir)) return nullptr;
  return store;
}

}  // namespace

std::vector<std::string> KvStoreNames() {
  std::vector<std::string> names = {"powercut"};
#ifdef POWERCUT_HAVE_LEVELDB
  names.push_back("leveldb");
#endif
#ifdef POWERCUT_HAVE_ROCKSDB
  names.push_back("rocksdb");
#endif
#ifdef POWERCUT_HAVE_SQLITE
  names.push_back("sqlite");
#endif
  return names;
}

std::unique_ptr<KvStore> OpenKvStore(const std::string& name, const std::string& dir) {
  if (name == "powercut") return OpenAs<PowercutStore>(dir);
#ifdef POWERCUT_HAVE_LEVELDB
  if (name == "leveldb") return OpenAs<LevelDbStore>(dir);
#endif
#ifdef POWERCUT_HAVE_ROCKSDB
  if (name == "rocksdb") return OpenAs<RocksDbStore>(dir);
#endif
#ifdef POWERCUT_HAVE_SQLITE
  if (name == "sqlite") return OpenAs<SqliteStore>(dir);
#endif
  return nullptr;
}

}  // namespace powercut::bench
