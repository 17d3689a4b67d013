// field_lsm.cc: LevelDB (Debian libleveldb-dev, 1.23) and RocksDB (Debian
// librocksdb-dev, 7.8.3) through the black-box protocol (field_common.h); the
// two share this source because their DB / Options / WriteOptions / Iterator
// API is the same. Built as field_leveldb and as field_rocksdb
// (-DFIELD_ROCKSDB=1). The database is $POWERCUT_ROOT/db; `init` creates it,
// so the traced workload *reopens* an existing database, as every run of a
// real application after its first does (a new MANIFEST, CURRENT renamed to
// it, the old MANIFEST and log deleted).
//
//   PROG workload N MODE   MODE: sync (WriteOptions.sync = true) or nosync
//     (the default, sync = false); one Put per key.
//   PROG check   DB::Open with default Options (LevelDB: paranoid_checks off;
//     RocksDB: WAL recovery mode kPointInTimeRecovery, as an application runs
//     it) and prints every key: exit 1 when Open fails, 2 when the iterator
//     ends with an error.
#if FIELD_ROCKSDB
#include <rocksdb/db.h>
namespace kv = rocksdb;
#define FIELD_PROGRAM "field_rocksdb"
#else
#include <leveldb/db.h>
namespace kv = leveldb;
#define FIELD_PROGRAM "field_leveldb"
#endif

#include <memory>
#include <string>

#include "field_common.h"

namespace {

// Opens `dir`/db; prints LevelDB's status and exits `status` on failure.
std::unique_ptr<kv::DB> OpenDb(const char* dir, bool create, int status) {
  kv::Options options;
  options.create_if_missing = create;
  kv::DB* db = nullptr;
  kv::Status s = kv::DB::Open(options, std::string(dir) + "/db", &db);
  if (!s.ok()) {
    fprintf(stderr, FIELD_PROGRAM ": open: %s\n", s.ToString().c_str());
    exit(status);
  }
  return std::unique_ptr<kv::DB>(db);
}

void Workload(int keys, const std::string& mode) {
  if (mode != "sync" && mode != "nosync") {
    fprintf(stderr, FIELD_PROGRAM ": mode '%s' is not sync or nosync\n", mode.c_str());
    exit(kFieldError);
  }
  auto db = OpenDb(field_dir("POWERCUT_ROOT"), false, kFieldError);
  kv::WriteOptions write_options;
  write_options.sync = mode == "sync";
  for (int i = 0; i < keys; ++i) {
    std::string key = "k" + std::to_string(i), value = "v" + std::to_string(i);
    field_ack("W", key.c_str(), value.c_str());
    kv::Status s = db->Put(write_options, key, value);
    if (!s.ok()) {
      fprintf(stderr, FIELD_PROGRAM ": put: %s\n", s.ToString().c_str());
      exit(kFieldError);
    }
    field_ack("A", key.c_str(), value.c_str());
  }
}

int Check() {
  auto db = OpenDb(field_dir("POWERCUT_IMAGE"), false, kFieldCannotRecover);
  std::unique_ptr<kv::Iterator> it(db->NewIterator(kv::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    printf("%s %s\n", it->key().ToString().c_str(), it->value().ToString().c_str());
  }
  if (!it->status().ok()) {
    fprintf(stderr, FIELD_PROGRAM ": iterator: %s\n", it->status().ToString().c_str());
    return kFieldDamaged;
  }
  return kFieldRecovered;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command = argc >= 2 ? argv[1] : "";
  if (argc == 2 && command == "init") {
    OpenDb(field_dir("POWERCUT_ROOT"), true, kFieldError);
    return 0;
  }
  if (argc == 4 && command == "workload") {
    Workload(field_keys(argv[2]), argv[3]);
    return 0;
  }
  if (argc == 2 && command == "check") return Check();
  fprintf(stderr, "usage: " FIELD_PROGRAM " init | workload N sync|nosync | check\n");
  return kFieldError;
}
