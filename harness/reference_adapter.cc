// The reference engine behind the EngineAdapter interface: a thin mapping of
// the harness's operations onto powercut::engine::DB. Compiled only when the
// engine library is built (harness/CMakeLists.txt), and registered by
// RegisterBuiltinEngines under the name "reference".
#include <memory>

#include "engine_adapter.h"
#include "powercut/engine/db.h"
#include "powercut/engine/mutant.h"

namespace powercut::harness {

namespace {

Result<engine::WalRecoveryMode> ParseWalRecoveryMode(std::string_view name) {
  if (name == "tolerate-torn-tail") return engine::WalRecoveryMode::kTolerateTornTail;
  if (name == "point-in-time") return engine::WalRecoveryMode::kPointInTime;
  if (name == "skip-corrupted") return engine::WalRecoveryMode::kSkipCorrupted;
  return Status::InvalidArgument("unknown wal_recovery_mode '" + std::string(name) +
                                 "' (expected tolerate-torn-tail, point-in-time or "
                                 "skip-corrupted)");
}

Result<engine::Mutant> ParseMutantName(std::string_view name) {
  if (std::optional<engine::Mutant> mutant = engine::ParseMutant(name)) return *mutant;
  std::string valid = "none";
  for (const engine::MutantInfo& info : engine::AllMutants())
    valid += ", " + std::string(info.name);
  return Status::InvalidArgument("unknown mutant '" + std::string(name) + "' (valid: " + valid +
                                 ")");
}

class ReferenceAdapter final : public EngineAdapter {
 public:
  explicit ReferenceAdapter(engine::Options options) : options_(options) {}

  std::string_view name() const override { return "reference"; }

  Status Open(faultfs::FileSystem* fs, std::string_view dir) override {
    if (db_) return Status::InvalidArgument("reference: Open on an open database");
    POWERCUT_ASSIGN_OR_RETURN(db_, engine::DB::Open(options_, dir, fs));
    return Status::OK();
  }

  Status Write(const std::vector<Mutation>& batch, bool sync) override {
    POWERCUT_RETURN_IF_ERROR(RequireOpen());
    engine::WriteBatch write_batch;
    for (const Mutation& m : batch) {
      if (m.is_put()) {
        write_batch.Put(m.key, m.value);
      } else {
        write_batch.Delete(m.key);
      }
    }
    return db_->Write(engine::WriteOptions{.sync = sync}, write_batch);
  }

  Result<std::optional<std::string>> Read(std::string_view key) override {
    POWERCUT_RETURN_IF_ERROR(RequireOpen());
    Result<std::string> value = db_->Get(engine::ReadOptions{}, key);
    if (value.ok()) return std::optional<std::string>(std::move(value).value());
    if (value.status().IsNotFound()) return std::optional<std::string>();
    return value.status();
  }

  Result<std::vector<std::pair<std::string, std::string>>> Scan() override {
    POWERCUT_RETURN_IF_ERROR(RequireOpen());
    std::unique_ptr<engine::Iterator> it = db_->NewIterator(engine::ReadOptions{});
    std::vector<std::pair<std::string, std::string>> pairs;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      pairs.emplace_back(std::string(it->key()), std::string(it->value()));
    }
    POWERCUT_RETURN_IF_ERROR(it->status());
    return pairs;
  }

  Status Flush() override {
    POWERCUT_RETURN_IF_ERROR(RequireOpen());
    return db_->Flush();
  }

  Status Close() override {
    POWERCUT_RETURN_IF_ERROR(RequireOpen());
    Status status = db_->Close();
    db_.reset();
    return status;
  }

 private:
  Status RequireOpen() const {
    return db_ ? Status::OK() : Status::InvalidArgument("reference: database is not open");
  }

  engine::Options options_;
  std::unique_ptr<engine::DB> db_;
};

Result<std::unique_ptr<EngineAdapter>> MakeReferenceAdapter(const EngineSettings& settings) {
  engine::Options options;
  options.background_flush = false;  // deterministic: a run is a function of its inputs
  if (settings.write_buffer_bytes) options.write_buffer_bytes = *settings.write_buffer_bytes;
  if (settings.block_bytes) options.block_bytes = *settings.block_bytes;
  if (settings.wal_recovery_mode) {
    POWERCUT_ASSIGN_OR_RETURN(options.wal_recovery_mode,
                              ParseWalRecoveryMode(*settings.wal_recovery_mode));
  }
  if (settings.mutant) {
    POWERCUT_ASSIGN_OR_RETURN(options.mutant, ParseMutantName(*settings.mutant));
  }
  return std::unique_ptr<EngineAdapter>(std::make_unique<ReferenceAdapter>(options));
}

}  // namespace

Status RegisterReferenceEngine(EngineRegistry* registry) {
  return registry->Register("reference", MakeReferenceAdapter);
}

}  // namespace powercut::harness
