// The recording factory of culprit analysis (see culprit_trace.h). A
// FileSystemWrapper notes SimFs's position around every state-changing call;
// each new position's record comes from SimFs's pending list when the
// operation is pending there (writes and names, with exact offsets), and is
// rebuilt from the call otherwise (syncs, failed calls).
#include "culprit_trace.h"

#include <string>
#include <utility>

namespace powercut::harness {
namespace {

using faultfs::FileHandle;
using faultfs::OpKind;
using faultfs::OpRecord;

class TracingFs final : public faultfs::FileSystemWrapper {
 public:
  TracingFs(faultfs::SimFs* sim, std::shared_ptr<TraceLog> log)
      : FileSystemWrapper(sim), sim_(sim), log_(std::move(log)) {}

  Result<FileHandle> Open(std::string_view path, const faultfs::OpenOptions& options) override {
    const uint64_t before = sim_->position();
    Result<FileHandle> file = target()->Open(path, options);
    Note(before, OpKind::kCreate, path, {}, !file.ok());
    if (file.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      paths_[file->id] = std::string(path);
    }
    return file;
  }
  Result<size_t> Write(FileHandle file, uint64_t offset, std::string_view data) override {
    const uint64_t before = sim_->position();
    Result<size_t> written = target()->Write(file, offset, data);
    Note(before, OpKind::kWrite, PathOf(file), {}, !written.ok());
    return written;
  }
  Result<size_t> Append(FileHandle file, std::string_view data) override {
    const uint64_t before = sim_->position();
    Result<size_t> written = target()->Append(file, data);
    Note(before, OpKind::kWrite, PathOf(file), {}, !written.ok());
    return written;
  }
  Status Truncate(FileHandle file, uint64_t size) override {
    return Noted(OpKind::kTruncate, PathOf(file), {},
                 [&] { return target()->Truncate(file, size); });
  }
  Status Sync(FileHandle file) override {
    return Noted(OpKind::kSync, PathOf(file), {}, [&] { return target()->Sync(file); });
  }
  Status DataSync(FileHandle file) override {
    return Noted(OpKind::kDataSync, PathOf(file), {}, [&] { return target()->DataSync(file); });
  }
  Status SyncDir(std::string_view dir) override {
    return Noted(OpKind::kSyncDir, dir, {}, [&] { return target()->SyncDir(dir); });
  }
  Status SyncAll() override {
    return Noted(OpKind::kSyncAll, "/", {}, [&] { return target()->SyncAll(); });
  }
  Status Rename(std::string_view from, std::string_view to) override {
    return Noted(OpKind::kRename, from, to, [&] { return target()->Rename(from, to); });
  }
  Status Link(std::string_view existing, std::string_view new_path) override {
    return Noted(OpKind::kLink, existing, new_path,
                 [&] { return target()->Link(existing, new_path); });
  }
  Status Unlink(std::string_view path) override {
    return Noted(OpKind::kUnlink, path, {}, [&] { return target()->Unlink(path); });
  }
  Status MkDir(std::string_view path) override {
    return Noted(OpKind::kMkDir, path, {}, [&] { return target()->MkDir(path); });
  }
  Status RmDir(std::string_view path) override {
    return Noted(OpKind::kRmDir, path, {}, [&] { return target()->RmDir(path); });
  }

 private:
  template <typename Call>
  Status Noted(OpKind kind, std::string_view path, std::string_view path2, Call call) {
    const uint64_t before = sim_->position();
    Status status = call();
    Note(before, kind, path, path2, !status.ok());
    return status;
  }

  std::string PathOf(FileHandle file) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = paths_.find(file.id);
    return it == paths_.end() ? std::string("?") : it->second;
  }

  // Records the operations at positions (before, position()].
  void Note(uint64_t before, OpKind kind, std::string_view path, std::string_view path2,
            bool failed) {
    const uint64_t after = sim_->position();
    if (after == before) return;
    std::vector<OpRecord> pending = sim_->PendingOps();
    for (uint64_t position = before + 1; position <= after; ++position) {
      OpRecord record{.position = position,
                      .kind = kind,
                      .path = std::string(path),
                      .path2 = std::string(path2),
                      .failed = failed};
      for (const OpRecord& op : pending) {
        if (op.position == position) record = op;
      }
      log_->Add(record);
    }
  }

  faultfs::SimFs* sim_;
  std::shared_ptr<TraceLog> log_;
  std::mutex mu_;
  std::map<uint64_t, std::string> paths_;  // by handle id
};

// An adapter that opens its engine on a TracingFs over the SimFs it is given.
class TracingAdapter final : public EngineAdapterWrapper {
 public:
  TracingAdapter(std::unique_ptr<EngineAdapter> inner, std::shared_ptr<TraceLog> log)
      : EngineAdapterWrapper(std::move(inner)), log_(std::move(log)) {}
  // The engine may still use tracing_ while it is destroyed.
  ~TracingAdapter() override { DestroyInner(); }

  Status Open(faultfs::FileSystem* fs, std::string_view dir) override {
    auto* sim = dynamic_cast<faultfs::SimFs*>(fs);
    if (sim == nullptr) return inner().Open(fs, dir);
    if (tracing_ == nullptr || tracing_->target() != sim) {
      tracing_ = std::make_unique<TracingFs>(sim, log_);
    }
    log_->EnterOpen();
    Status status = inner().Open(tracing_.get(), dir);
    log_->LeaveOpen();
    return status;
  }

 private:
  std::shared_ptr<TraceLog> log_;
  std::unique_ptr<TracingFs> tracing_;
};

}  // namespace

void TraceLog::Add(const OpRecord& record) {
  std::lock_guard<std::mutex> lock(mu_);
  if (records_.emplace(record.position, record).second) {
    in_recovery_[record.position] = opens_active_ > 0 && opens_entered_ > 1;
  }
}

std::vector<OpRecord> TraceLog::After(uint64_t position) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<OpRecord> records;
  for (auto it = records_.upper_bound(position); it != records_.end(); ++it) {
    records.push_back(it->second);
  }
  return records;
}

void TraceLog::EnterOpen() {
  std::lock_guard<std::mutex> lock(mu_);
  ++opens_entered_;
  ++opens_active_;
}

void TraceLog::LeaveOpen() {
  std::lock_guard<std::mutex> lock(mu_);
  --opens_active_;
}

bool TraceLog::InsideRecovery(uint64_t position) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = in_recovery_.find(position);
  return it != in_recovery_.end() && it->second;
}

std::vector<OpRecord> TraceLog::UpTo(uint64_t position) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<OpRecord> records;
  for (auto it = records_.begin(); it != records_.end() && it->first <= position; ++it) {
    records.push_back(it->second);
  }
  return records;
}

EngineFactory TracingFactory(EngineFactory inner, std::shared_ptr<TraceLog> log) {
  return [inner = std::move(inner), log = std::move(log)](
             const EngineSettings& settings) -> Result<std::unique_ptr<EngineAdapter>> {
    POWERCUT_ASSIGN_OR_RETURN(std::unique_ptr<EngineAdapter> adapter, inner(settings));
    return std::unique_ptr<EngineAdapter>(new TracingAdapter(std::move(adapter), log));
  };
}

}  // namespace powercut::harness
