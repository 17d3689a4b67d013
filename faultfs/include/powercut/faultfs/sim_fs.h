// SimFs: an in-memory, deterministic FileSystem that keeps, for every file and
// directory, the *durable* state apart from the ordered list of *pending*
// (unsynced) operations since the last sync. What a reader sees is the
// visible state (durable + pending, and the page-cache effects of fsync
// failures). A crash (see crash_model.h) returns a *new* SimFs whose durable
// state is the old durable state plus an allowed subset of the pending
// operations; the old SimFs is untouched, so an explorer can crash the same
// point many ways. File bytes are shared copy-on-write between SimFs
// instances, so a crash state costs what changed, not what the data weighs.
//
// Persistence rules (strict POSIX profile, the default):
//   write/append/truncate of a file      durable on Sync/DataSync of that file
//                                        (or SyncAll)
//   the size change a write implies      with the data (DataSync covers it)
//   create/link/unlink/rename of a name  durable on SyncDir of the parent
//                                        (both parents for a cross-directory
//                                        rename); mkdir/rmdir likewise
//   a new file's data                    its own Sync; its name still needs
//                                        SyncDir of the parent
//   Close                                never makes anything durable
// The ext4-ordered profile relaxes one rule: Sync/DataSync of a file also
// makes durable the pending entry operations that created or renamed it.
//
// Determinism: no clocks, threads or global state; the same calls give the
// same states, positions and ids. Thread-safety: one internal mutex, so
// concurrent callers (group-commit tests) are safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/faultfs/crash_model.h"
#include "powercut/faultfs/fault_rules.h"
#include "powercut/faultfs/file_system.h"
#include "powercut/faultfs/profile.h"

namespace powercut::faultfs {

// One operation SimFs performed, as the observer and the reports see it.
enum class OpKind : uint8_t {
  kCreate,    // a new file (Open with create, when the file did not exist)
  kWrite,     // Write or Append
  kTruncate,  // Truncate, or Open with truncate
  kSync,      // Sync
  kDataSync,  // DataSync
  kSyncDir,
  kSyncAll,
  kRename,
  kLink,
  kUnlink,
  kMkDir,
  kRmDir,
};
std::string_view OpKindName(OpKind kind);
// True for Sync, DataSync, SyncDir and SyncAll: the persistence points.
bool IsPersistencePoint(OpKind kind);

struct OpRecord {
  uint64_t position = 0;  // 1-based: the Nth state-changing or sync operation
  OpKind kind = OpKind::kWrite;
  std::string path;                 // the file or directory
  std::string path2;                // rename/link: the destination
  uint64_t offset = 0;              // write: where; truncate: the new size
  uint64_t length = 0;              // write: how many bytes
  bool failed = false;              // the operation returned an error (injected or not)
  SyncMode sync = SyncMode::kNone;  // write: O_DSYNC/O_SYNC (durable on return)

  // "write /db/000003.log @4096 +512", "rename /db/CURRENT.tmp -> /db/CURRENT"
  std::string ToString() const;
};

// A pending operation and, in a crash state, what became of it.
struct PendingOpFate {
  OpRecord op;
  enum class Fate : uint8_t { kPersisted, kDropped, kTorn } fate = Fate::kDropped;
  std::string detail;  // torn: "sectors 0,2 of 8 landed; rest zeros"
};

class CrashStateEnumerator;

// A 128-bit digest of file-system contents (see SimFs::ContentDigest).
struct ContentDigest {
  uint64_t a = 0;
  uint64_t b = 0;
  friend bool operator==(const ContentDigest&, const ContentDigest&) = default;
};

// Accumulates a ContentDigest: two independent 64-bit mixes of the same input.
class DigestBuilder {
 public:
  void AddBytes(std::string_view bytes);
  void AddNumber(uint64_t n);
  ContentDigest digest() const { return {a_, b_}; }

 private:
  uint64_t a_ = 0xcbf29ce484222325ULL;
  uint64_t b_ = 0x84222325cbf29ce4ULL;
};

class SimFs final : public FileSystem {
 public:
  struct Options {
    PersistenceProfile profile = PersistenceProfile::kStrictPosix;
  };
  SimFs();
  explicit SimFs(Options options);
  ~SimFs() override;
  SimFs(const SimFs&) = delete;
  SimFs& operator=(const SimFs&) = delete;

  // --- FileSystem ---------------------------------------------------------
  Result<FileHandle> Open(std::string_view path, const OpenOptions& options) override;
  Status Close(FileHandle file) override;
  Result<size_t> Read(FileHandle file, uint64_t offset, std::span<char> buffer) override;
  Result<size_t> Write(FileHandle file, uint64_t offset, std::string_view data) override;
  Result<size_t> Append(FileHandle file, std::string_view data) override;
  Status Truncate(FileHandle file, uint64_t size) override;
  Status Sync(FileHandle file) override;
  Status DataSync(FileHandle file) override;
  Result<uint64_t> Size(FileHandle file) override;
  Status SyncDir(std::string_view dir) override;
  Status SyncAll() override;
  Status Rename(std::string_view from, std::string_view to) override;
  Status Link(std::string_view existing, std::string_view new_path) override;
  Status Unlink(std::string_view path) override;
  Status MkDir(std::string_view path) override;
  Status RmDir(std::string_view path) override;
  Result<std::vector<std::string>> List(std::string_view dir) override;
  Result<FileInfo> Stat(std::string_view path) override;
  Result<FileLock> Lock(std::string_view path) override;
  Status Unlock(FileLock lock) override;

  // --- Trace --------------------------------------------------------------
  // The number of state-changing or sync operations performed so far (failed
  // ones included). A crash at position p is a crash right after operation p.
  uint64_t position() const;
  // The pending operations, oldest first.
  std::vector<OpRecord> PendingOps() const;
  // Called after every state-changing or sync operation, with the lock
  // released, on the calling thread. The observer may Clone() and Crash()
  // this SimFs, but must not call its FileSystem methods.
  using Observer = std::function<void(const OpRecord& op)>;
  void SetObserver(Observer observer);

  // --- Crashes ------------------------------------------------------------
  // Iterates the distinct crash states of `model` at the current position.
  // InvalidArgument if budget.max_states == 0.
  Result<std::unique_ptr<CrashStateEnumerator>> EnumerateCrashStates(
      const CrashModel& model, const EnumerationBudget& budget) const;
  // Rebuilds the state `id` names. InvalidArgument if the id's position is not
  // position(), or its choices do not fit the pending operations.
  Result<std::unique_ptr<SimFs>> Crash(const CrashStateId& id) const;
  // What became of each pending operation in the state `id` names.
  Result<std::vector<PendingOpFate>> DescribeCrash(const CrashStateId& id) const;
  // A full copy (durable, pending, visible, rules, position; no open handles
  // or locks), sharing file bytes copy-on-write.
  std::unique_ptr<SimFs> Clone() const;

  // --- Error injection ----------------------------------------------------
  // A Write that is durable when it returns, as if through a handle opened
  // with `sync` (pwritev2(2) with RWF_DSYNC / RWF_SYNC; msync(2) MS_SYNC of a
  // range): see SyncMode. sync == kNone is a plain Write.
  Result<size_t> WriteSynchronous(FileHandle file, uint64_t offset, std::string_view data,
                                  SyncMode sync);

  Status AddFaultRule(const FaultRule& rule);
  void ClearFaultRules();
  std::vector<FiredFault> FiredFaults() const;

  // --- Setup and inspection ----------------------------------------------
  // Creates `path` (and missing parent directories) with `contents`, already
  // durable: the starting image for a black-box trace.
  Status AddDurableFile(std::string_view path, std::string_view contents);
  Status AddDurableDirectory(std::string_view path);
  // Every regular file of the visible (resp. durable) tree: path -> contents.
  // Directories appear with a trailing '/' and empty contents.
  std::map<std::string, std::string> DumpVisible() const;
  std::map<std::string, std::string> DumpDurable() const;
  // A digest of everything a recovery on this file system can observe or
  // later persist: the durable tree (names and bytes), and the visible tree
  // too while operations are pending (process-kill). Byte-identical file
  // systems give equal digests. Computed in place, chunk by chunk, without
  // copying file bytes: the explorer calls it for every crash state.
  ContentDigest Digest() const;

 private:
  class State;  // durable image, pending list, visible image, handles, rules
  explicit SimFs(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
  friend class CrashStateEnumerator;
};

// Yields the crash states of one model at one point. Exhaustive when the
// state space fits the budget (exhaustive() is then true), otherwise
// `max_states` distinct ids drawn with the budget's seed. Independent of the
// SimFs it came from once created.
class CrashStateEnumerator {
 public:
  virtual ~CrashStateEnumerator() = default;
  // The next id, or nullopt when done.
  virtual std::optional<CrashStateId> Next() = 0;
  virtual bool exhaustive() const = 0;
  // Number of distinct states of the model at this point (saturates at
  // UINT64_MAX when it does not fit).
  virtual uint64_t state_space() const = 0;
};

}  // namespace powercut::faultfs
