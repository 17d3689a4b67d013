// The fake engine and its buggy crash states (see fake_engine_support.h).
#include "fake_engine_support.h"

#include <cassert>

namespace powercut::harness::testing {

namespace {

void Apply(const std::vector<Mutation>& batch, KvState* state) {
  for (const Mutation& m : batch) {
    if (m.is_put()) {
      (*state)[m.key] = m.value;
    } else {
      state->erase(m.key);
    }
  }
}

}  // namespace

void FakeDisk::Append(std::vector<Mutation> batch, bool sync) {
  log_.push_back(Record{std::move(batch), false});
  if (sync) SyncAll();
}

void FakeDisk::SyncAll() {
  for (Record& record : log_) record.synced = true;
  synced_count_ = log_.size();
}

KvState FakeDisk::Visible() const {
  KvState state;
  for (const Record& record : log_) Apply(record.batch, &state);
  return state;
}

KvState FakeDisk::CrashState(size_t unsynced_kept, FakeBug bug) const {
  assert(unsynced_kept <= unsynced_count());
  size_t kept = synced_count_ + unsynced_kept;
  if (bug == FakeBug::kLoseLastAckedWrite && kept == log_.size() && kept > 0) --kept;
  const size_t dropped_middle = (bug == FakeBug::kDropMiddleWrite && kept >= 3) ? kept / 2 : kept;
  size_t half_batch = kept;  // the last kept multi-mutation record
  for (size_t i = 0; i < kept; ++i) {
    if (log_[i].batch.size() > 1) half_batch = i;
  }
  KvState state;
  for (size_t i = 0; i < kept; ++i) {
    if (i == dropped_middle) continue;
    const std::vector<Mutation>& batch = log_[i].batch;
    if (bug == FakeBug::kApplyHalfBatch && i == half_batch) {
      Apply(std::vector<Mutation>(batch.begin(), batch.begin() + batch.size() / 2), &state);
    } else {
      Apply(batch, &state);
    }
  }
  if (bug == FakeBug::kInventValue) {
    state[state.empty() ? std::string("k000") : state.begin()->first] = "invented";
  }
  return state;
}

void FakeDisk::Recover(const KvState& state) {
  log_.clear();
  synced_count_ = 0;
  std::vector<Mutation> batch;
  for (const auto& [key, value] : state) batch.push_back(Mutation::Put(key, value));
  if (!batch.empty()) Append(std::move(batch), /*sync=*/true);
}

bool FakeDisk::ConsumeFailure(bool* lands) {
  if (failing_writes_ == 0) return false;
  --failing_writes_;
  *lands = failed_writes_land_;
  return true;
}

Status FakeEngine::Open(faultfs::FileSystem* fs, std::string_view dir) {
  if (open_) return Status::InvalidArgument("fake: already open");
  disk_->SyncAll();  // like the reference engine, Open makes what it recovered durable
  open_ = true;
  return Status::OK();
}

Status FakeEngine::Write(const std::vector<Mutation>& batch, bool sync) {
  if (!open_) return Status::InvalidArgument("fake: not open");
  bool lands = false;
  if (disk_->ConsumeFailure(&lands)) {
    if (lands) disk_->Append(batch, /*sync=*/false);
    return Status::IOError("fake: injected write failure").MarkInjected();
  }
  disk_->Append(batch, sync);
  return Status::OK();
}

Result<std::optional<std::string>> FakeEngine::Read(std::string_view key) {
  if (!open_) return Status::InvalidArgument("fake: not open");
  KvState state = disk_->Visible();
  auto it = state.find(std::string(key));
  if (it == state.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Result<std::vector<std::pair<std::string, std::string>>> FakeEngine::Scan() {
  if (!open_) return Status::InvalidArgument("fake: not open");
  KvState state = disk_->Visible();
  return std::vector<std::pair<std::string, std::string>>(state.begin(), state.end());
}

Status FakeEngine::Flush() {
  if (!open_) return Status::InvalidArgument("fake: not open");
  disk_->SyncAll();
  return Status::OK();
}

Status FakeEngine::Close() {
  if (!open_) return Status::InvalidArgument("fake: not open");
  open_ = false;
  return Status::OK();
}

}  // namespace powercut::harness::testing
