// Deliberately broken engines, for testing the tester (see broken_adapters.h).
// A canary wraps the reference engine and changes exactly one behaviour, so
// that when the explorer reports it, the report can only be about that bug.
#include "broken_adapters.h"

#include <memory>
#include <utility>

namespace powercut::harness {

namespace {

// Acknowledges every write before it is durable: sync=true becomes
// sync=false, exactly the "ack before fsync" bug class of docs/bugs.md.
class AckBeforeFsyncAdapter final : public EngineAdapterWrapper {
 public:
  using EngineAdapterWrapper::EngineAdapterWrapper;

  std::string_view name() const override { return "broken-ack-before-fsync"; }
  Status Write(const std::vector<Mutation>& batch, bool sync) override {
    (void)sync;  // the bug: the caller asked for durability and does not get it
    return inner().Write(batch, /*sync=*/false);
  }
};

// Rewrites CURRENT in place before every recovery, with an fsync between the
// truncate and the write: the non-atomic metadata update that write-temp,
// fsync, rename, fsync-directory exists to avoid.
class RecoveryRewritesCurrentAdapter final : public EngineAdapterWrapper {
 public:
  using EngineAdapterWrapper::EngineAdapterWrapper;

  std::string_view name() const override { return "broken-recovery-rewrites-current"; }
  Status Open(faultfs::FileSystem* fs, std::string_view dir) override {
    POWERCUT_RETURN_IF_ERROR(RewriteCurrent(fs, std::string(dir) + "/CURRENT"));
    return inner().Open(fs, dir);
  }

 private:
  static Status RewriteCurrent(faultfs::FileSystem* fs, const std::string& path) {
    Result<faultfs::FileInfo> info = fs->Stat(path);
    if (!info.ok()) return Status::OK();  // a new database: nothing to rewrite
    POWERCUT_ASSIGN_OR_RETURN(faultfs::FileHandle file,
                              fs->Open(path, faultfs::OpenOptions::ReadWriteCreate()));
    Status status = RewriteOpenFile(fs, file);
    Status close = fs->Close(file);
    POWERCUT_RETURN_IF_ERROR(status);
    return close;
  }
  static Status RewriteOpenFile(faultfs::FileSystem* fs, faultfs::FileHandle file) {
    POWERCUT_ASSIGN_OR_RETURN(uint64_t size, fs->Size(file));
    std::string contents(size, '\0');
    POWERCUT_ASSIGN_OR_RETURN(size_t read, fs->Read(file, 0, contents));
    contents.resize(read);
    POWERCUT_RETURN_IF_ERROR(fs->Truncate(file, 0));
    POWERCUT_RETURN_IF_ERROR(fs->Sync(file));  // the bug: the empty file is durable now
    POWERCUT_ASSIGN_OR_RETURN(size_t written, fs->Write(file, 0, contents));
    (void)written;
    return fs->Sync(file);
  }
};

Result<std::unique_ptr<EngineAdapter>> MakeRecoveryRewritesCurrent(const EngineSettings& settings) {
  POWERCUT_ASSIGN_OR_RETURN(std::unique_ptr<EngineAdapter> inner,
                            EngineRegistry::Default().Create("reference", settings));
  return std::unique_ptr<EngineAdapter>(
      std::make_unique<RecoveryRewritesCurrentAdapter>(std::move(inner)));
}

Result<std::unique_ptr<EngineAdapter>> MakeAckBeforeFsync(const EngineSettings& settings) {
  POWERCUT_ASSIGN_OR_RETURN(std::unique_ptr<EngineAdapter> inner,
                            EngineRegistry::Default().Create("reference", settings));
  return std::unique_ptr<EngineAdapter>(std::make_unique<AckBeforeFsyncAdapter>(std::move(inner)));
}

// Puts the canaries into the default registry at program start.
const bool kRegistered = [] {
  Status status = RegisterBrokenEngines(&EngineRegistry::Default());
  return status.ok();
}();

}  // namespace

Status RegisterBrokenEngines(EngineRegistry* registry) {
  POWERCUT_RETURN_IF_ERROR(registry->Register("broken-ack-before-fsync", MakeAckBeforeFsync));
  return registry->Register("broken-recovery-rewrites-current", MakeRecoveryRewritesCurrent);
}

bool BrokenEnginesRegistered() { return kRegistered; }

}  // namespace powercut::harness
