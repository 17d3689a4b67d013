// EngineAdapter: the one interface through which the harness drives a storage
// engine. The explorer opens an adapter on a (simulated) FileSystem, feeds it
// the workload's operations, and after each crash opens a *fresh* adapter on
// the crash state and scans what it recovered. The reference engine plugs in
// here (reference_adapter.cc); LevelDB, RocksDB and SQLite adapters
// (harness/adapters/) plug in beside it, and tests use an in-memory fake.
//
// An adapter is one engine instance: Open once, then operations, then Close
// (or simply destruction after a crash: the destructor must not assume the
// file system still behaves). An adapter never retries a failed operation;
// it reports the engine's Status unchanged so the oracle can classify it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mutation.h"
#include "powercut/faultfs/file_system.h"
#include "powercut/status.h"

namespace powercut::harness {

// The engine options a scenario may set. Each adapter maps what it knows and
// ignores the rest; unset fields keep the engine's defaults.
struct EngineSettings {
  std::optional<uint64_t> write_buffer_bytes;  // memtable size before a flush
  std::optional<uint64_t> block_bytes;         // table data-block size
  // "tolerate-torn-tail" (default), "point-in-time" or "skip-corrupted".
  std::optional<std::string> wal_recovery_mode;
  // The reference engine's mutant (engine/include/powercut/engine/mutant.h):
  // an engine::Mutant name such as "ack-before-wal-fsync" puts that one
  // durability bug back into the engine; "none" or unset is the correct
  // engine. Every other adapter rejects a mutant with InvalidArgument.
  std::optional<std::string> mutant;
};

class EngineAdapter {
 public:
  virtual ~EngineAdapter() = default;

  // The registry name ("reference", "leveldb", ...).
  virtual std::string_view name() const = 0;
  // Opens the database in `dir` of `fs`, creating it if absent and recovering
  // from any crash. `fs` must outlive the adapter. REQUIRES: not open.
  virtual Status Open(faultfs::FileSystem* fs, std::string_view dir) = 0;
  // Applies `batch` atomically; with `sync`, durably before returning OK.
  // REQUIRES: open, !batch.empty().
  virtual Status Write(const std::vector<Mutation>& batch, bool sync) = 0;
  // The value of `key`, nullopt if absent.
  virtual Result<std::optional<std::string>> Read(std::string_view key) = 0;
  // Every key-value pair, in key order.
  virtual Result<std::vector<std::pair<std::string, std::string>>> Scan() = 0;
  // Makes every acknowledged write durable (the engine's flush / checkpoint).
  virtual Status Flush() = 0;
  // Closes the database; Open may be called again afterwards.
  virtual Status Close() = 0;
};

// Forwards every call to an inner adapter: derive from it to change one
// behaviour of an engine (the canaries of broken_adapters.h, culprit
// analysis's tracing adapter) without repeating the rest. Owns the inner
// adapter; a subclass whose members the inner engine uses while it is being
// destroyed calls DestroyInner() in its own destructor.
class EngineAdapterWrapper : public EngineAdapter {
 public:
  // REQUIRES: inner != nullptr.
  explicit EngineAdapterWrapper(std::unique_ptr<EngineAdapter> inner) : inner_(std::move(inner)) {}

  std::string_view name() const override { return inner_->name(); }
  Status Open(faultfs::FileSystem* fs, std::string_view dir) override {
    return inner_->Open(fs, dir);
  }
  Status Write(const std::vector<Mutation>& batch, bool sync) override {
    return inner_->Write(batch, sync);
  }
  Result<std::optional<std::string>> Read(std::string_view key) override {
    return inner_->Read(key);
  }
  Result<std::vector<std::pair<std::string, std::string>>> Scan() override {
    return inner_->Scan();
  }
  Status Flush() override { return inner_->Flush(); }
  Status Close() override { return inner_->Close(); }

 protected:
  EngineAdapter& inner() { return *inner_; }
  void DestroyInner() { inner_.reset(); }

 private:
  std::unique_ptr<EngineAdapter> inner_;
};

// Scan() as a KvState.
Result<KvState> ScanState(EngineAdapter& engine);

using EngineFactory =
    std::function<Result<std::unique_ptr<EngineAdapter>>(const EngineSettings& settings)>;

// Adapters by name. Default() holds every adapter built into this binary
// ("reference" when the engine library is built).
class EngineRegistry {
 public:
  static EngineRegistry& Default();

  // InvalidArgument if `name` is already registered.
  Status Register(std::string name, EngineFactory factory);
  // InvalidArgument naming the known engines if `name` is not registered.
  Result<std::unique_ptr<EngineAdapter>> Create(std::string_view name,
                                                const EngineSettings& settings) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, EngineFactory, std::less<>> factories_;
};

// Registers the adapters compiled into the harness library: "reference" when
// the engine is built. Default() calls it once.
Status RegisterBuiltinEngines(EngineRegistry* registry);

}  // namespace powercut::harness
