// An in-memory fake engine for the harness's own tests, with switchable
// bugs, so the oracle's tests fail for real reasons: each bug makes the
// fake's crash states break one guarantee the way a real engine would.
//
// The fake's "disk" is a log of acknowledged writes and a synced mark. A
// crash keeps the synced records and the first `unsynced_kept` unsynced ones
// (a correct engine's possible states); a bug then distorts that state.
// Recovery replaces the log by the recovered state, synced. The fake ignores
// the FileSystem it is opened on.
#pragma once

#include <memory>
#include <vector>

#include "engine_adapter.h"

namespace powercut::harness::testing {

enum class FakeBug {
  kNone,
  kLoseLastAckedWrite,  // the crash drops the last acknowledged write, synced or not
  kInventValue,         // the crash state holds a value nobody wrote
  kApplyHalfBatch,      // the last kept batch comes back half applied
  kDropMiddleWrite,     // a kept record in the middle is lost, later ones kept (a hole)
};

class FakeDisk {
 public:
  struct Record {
    std::vector<Mutation> batch;
    bool synced = false;
  };

  void Append(std::vector<Mutation> batch, bool sync);
  void SyncAll();  // a flush: everything so far is durable
  KvState Visible() const;
  size_t unsynced_count() const { return log_.size() - synced_count_; }
  // The state after a crash keeping `unsynced_kept` unsynced records,
  // distorted by `bug`. REQUIRES: unsynced_kept <= unsynced_count()
  KvState CrashState(size_t unsynced_kept, FakeBug bug) const;
  // Recovery: the disk now holds `state`, durably.
  void Recover(const KvState& state);

  // The next `count` writes fail with IOError; `lands`: their record still
  // reaches the log (unsynced), as when an fsync fails after the append.
  void FailNextWrites(int count, bool lands) {
    failing_writes_ = count;
    failed_writes_land_ = lands;
  }
  bool ConsumeFailure(bool* lands);

 private:
  std::vector<Record> log_;
  size_t synced_count_ = 0;
  int failing_writes_ = 0;
  bool failed_writes_land_ = false;
};

class FakeEngine final : public EngineAdapter {
 public:
  explicit FakeEngine(std::shared_ptr<FakeDisk> disk) : disk_(std::move(disk)) {}

  std::string_view name() const override { return "fake"; }
  Status Open(faultfs::FileSystem* fs, std::string_view dir) override;
  Status Write(const std::vector<Mutation>& batch, bool sync) override;
  Result<std::optional<std::string>> Read(std::string_view key) override;
  Result<std::vector<std::pair<std::string, std::string>>> Scan() override;
  Status Flush() override;
  Status Close() override;

 private:
  std::shared_ptr<FakeDisk> disk_;
  bool open_ = false;
};

}  // namespace powercut::harness::testing
