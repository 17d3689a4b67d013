// A minimal key-value facade over the engines a user might pick instead of
// powercut's reference engine (LevelDB, RocksDB, SQLite), so the engine
// benchmarks run the same loop on each, side by side, on the real file
// system. Each peer is compiled only when its Debian package was found.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace powercut::bench {

class KvStore {
 public:
  virtual ~KvStore() = default;
  // `sync`: the write is durable before it returns (fsync per write).
  virtual bool Put(std::string_view key, std::string_view value, bool sync) = 0;
  virtual bool Get(std::string_view key, std::string* value) = 0;
};

// "powercut", "leveldb", "rocksdb", "sqlite": the engines built into this
// binary, in that order.
std::vector<std::string> KvStoreNames();
// Opens a fresh store of engine `name` in the new directory `dir`; nullptr if
// the engine is not built in or fails to open (the reason goes to stderr).
std::unique_ptr<KvStore> OpenKvStore(const std::string& name, const std::string& dir);

}  // namespace powercut::bench
