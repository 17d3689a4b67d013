/* Internal interface of libpowercut_shim.so, the LD_PRELOAD recorder of the
 * black-box protocol (docs/shim.md). The shim is C, built without the C++
 * runtime or sanitizers, -fvisibility=hidden: only the interposed libc
 * functions are exported. Every hook follows one pattern:
 *
 *   1. pass straight through when tracing is off, the thread is already inside
 *      the shim (a signal handler, dlsym, our own calls), or the path or
 *      descriptor is not under the root;
 *   2. otherwise enter the shim (shim_enter), take the process-shared trace
 *      lock, make the real call, append its record to the mapped trace,
 *      release, and restore errno to what the real call left.
 *
 * Hot paths (write family on a tracked descriptor) allocate nothing and call
 * no stdio; the records are copied straight into the MAP_SHARED trace. */
#ifndef POWERCUT_SHIM_INTERNAL_H_
#define POWERCUT_SHIM_INTERNAL_H_

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "trace_format.h"

#define SHIM_EXPORT __attribute__((visibility("default")))
#define SHIM_LIKELY(x) __builtin_expect(!!(x), 1)
#define SHIM_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- real functions (shim_init.c) ---- */
/* Returns the next definition of `name` after the shim (dlsym RTLD_NEXT),
 * caching it in *slot. Aborts with a message when libc has none. */
void* shim_resolve(void** slot, const char* name);
#define SHIM_REAL(name) ((__typeof__(&name))shim_resolve(&shim_real_##name, #name))
#define SHIM_DECLARE_REAL(name) static void* shim_real_##name

/* ---- process state (shim_init.c) ---- */
enum { kShimMaxRules = 16 };

/* The shim-private part of the trace header, shared by every process. */
struct ShimShared {
  pthread_mutex_t lock;               /* robust, process-shared */
  uint64_t inflight;                  /* offset of the record being written */
  uint64_t rule_count[kShimMaxRules]; /* fsync-eio / short-write counters */
  uint64_t rule_bytes[kShimMaxRules]; /* enospc bytes used */
  uint32_t drop_warned;
};
enum { kShimSharedOffset = 2112 };

struct ShimFaultRule {
  int kind; /* kShimFsyncEio, kShimEnospc, kShimShortWrite */
  char glob[512];
  uint64_t nth;
  uint64_t bytes;
  char text[640]; /* the rule as written, for kTraceFault */
};
enum { kShimFsyncEio = 1, kShimEnospc = 2, kShimShortWrite = 3 };

struct ShimState {
  int enabled;         /* tracing: root and trace configured */
  char root[PATH_MAX]; /* lexical, normalised: what the trace says */
  size_t root_len;
  char real_root[PATH_MAX]; /* realpath(root), "" when equal to root */
  size_t real_root_len;
  struct TraceHeader* header; /* the mapped trace */
  char* base;
  uint64_t capacity;
  struct ShimShared* shared;
  int ack_fd; /* -1 when POWERCUT_ACK_FD is unset */
  int nrules;
  struct ShimFaultRule rules[kShimMaxRules];
  pid_t pid; /* refreshed in the child after fork */
};
extern struct ShimState shim;

/* Initialises on first use (constructor or the first hook). */
void shim_init(void);
extern int shim_ready; /* 1 after shim_init */

/* Recursion guard: nonzero while this thread runs shim code. */
extern __thread int shim_depth __attribute__((tls_model("initial-exec")));
pid_t shim_tid(void);

/* True when the calling hook should record (tracing on, not re-entered). */
static inline int shim_active(void) {
  if (SHIM_UNLIKELY(!shim_ready)) shim_init();
  return shim.enabled && shim_depth == 0;
}

/* ---- the trace (shim_trace.c) ---- */
enum ShimDataSource { kShimDataNone, kShimDataBuffer, kShimDataIovec, kShimDataFile };

struct ShimRecord {
  uint16_t kind;
  uint16_t flag_bits;
  int32_t fd;
  int64_t result;
  int32_t err;
  uint32_t flags, mode;
  uint64_t offset, length;
  const char* path;
  size_t path_len;
  const char* path2;
  size_t path2_len;
  int data_source;         /* ShimDataSource */
  const void* data;        /* kShimDataBuffer */
  const struct iovec* iov; /* kShimDataIovec */
  int iovcnt;
  int data_fd; /* kShimDataFile: pread(data_fd, data_off) */
  uint64_t data_off;
  size_t data_len;
};
/* Fills the fixed fields shared by every record: fd -1, the rest zero. */
void shim_record_init(struct ShimRecord* r, uint16_t kind);

/* The trace lock. shim_lock() recovers a lock whose owner died. */
void shim_lock(void);
void shim_unlock(void);
/* REQUIRES: the lock is held. Appends a committed record (or counts it
 * dropped when the capacity is exhausted). */
void shim_emit(const struct ShimRecord* r);
/* Two-phase records for calls that may take long (fsync, sync...): reserve
 * under the lock (the sequence number is fixed now), release the lock, make
 * the call, then shim_commit_reserved() with the result. Returns 0 when the
 * record was dropped. */
uint64_t shim_reserve(const struct ShimRecord* r);
void shim_commit_reserved(uint64_t offset, int64_t result, int32_t err, uint16_t flag_bits);
/* Writes a message to stderr with the real write(2) (async-signal-safe). */
void shim_say(const char* a, const char* b, const char* c);

/* ---- paths and descriptors (shim_paths.c) ---- */
enum { kShimFdTableSize = 4096 };
enum { kFdUnknown = 0, kFdUntracked = 1, kFdTracked = 2 };

struct ShimFd {
  int state;          /* kFd*, read and written atomically */
  int append;         /* O_APPEND is set on the open file description */
  uint32_t rule_mask; /* which fault rules match the path */
  FILE* stream;       /* the stdio stream opened on it, if any */
  /* The file offset cache that saves an lseek per write. Valid only while
   * this descriptor is the only one moving its open file description's offset
   * (opened here, never dup'ed, no fork/exec/spawn since, no stream) and no
   * offset-moving call (read, lseek, ...) ran since it was stored: those bump
   * `moves` before and after they run. */
  int private_offset;
  uint64_t moves;        /* atomic */
  uint64_t cached_moves; /* `moves` when cached_offset was stored */
  int64_t cached_offset; /* -1: unknown */
  /* The pid that last recorded a write carrying this entry's current path
   * (0: none since the path was set): later writes of that process omit the
   * path (kTracePathOfFd). Reset by every path change (set_tracked). */
  int32_t announced_pid;
  size_t path_len;
  char path[PATH_MAX];
};
/* A descriptor's view for one call: copied out so no table entry is used
 * outside the lock. */
struct ShimFdInfo {
  int tracked;
  int append;
  uint32_t rule_mask;
  size_t path_len;
  char path[PATH_MAX];
};

/* "/proc/self/fd/<fd>" into out, without stdio (async-signal-safe). */
void shim_proc_fd_path(int fd, char out[32]);
/* Lexically normalises the absolute `in` into out[PATH_MAX]; returns its
 * length, or -1 when it does not fit. */
int shim_normalise(const char* in, char* out);
/* Resolves `path` (relative to `dirfd`, AT_FDCWD = the cwd) into an absolute,
 * normalised path under the root, spelled with the trace's root. Returns its
 * length, or -1 when it is outside the root or cannot be resolved. */
int shim_resolve_path(int dirfd, const char* path, char* out);
/* Looks up `fd`: returns 1 and fills *info when it is open on a path under
 * the root. Resolves unknown descriptors through /proc/self/fd once. */
int shim_fd_lookup(int fd, struct ShimFdInfo* info);
/* Fast check without filling info: 0 when `fd` is known to be untracked. */
int shim_fd_maybe_tracked(int fd);
/* Table updates (REQUIRE: the lock is held for tracked entries). */
void shim_fd_set_tracked(int fd, const char* path, size_t len, int append);
/* As above for a descriptor this process just opened (file offset 0). */
void shim_fd_set_opened(int fd, const char* path, size_t len, int append);
/* The offset cache. REQUIRE: the lock. `*moves` receives the counter to pass
 * to shim_fd_store_offset; returns 1 with *offset when the cache is valid. */
int shim_fd_cached_offset(int fd, uint64_t* moves, int64_t* offset);
void shim_fd_store_offset(int fd, uint64_t moves, int64_t offset);
/* kTracePathOfFd bookkeeping. REQUIRE: the lock. path_announced: this process
 * recorded a write carrying `fd`'s current path; mark_announced: it just did. */
int shim_fd_path_announced(int fd);
void shim_fd_mark_announced(int fd);
/* Called around every call that may move `fd`'s offset (no lock). */
void shim_fd_offset_moving(int fd);
/* Every descriptor's offset may now be moved by another process. */
void shim_fd_share_all(void);
void shim_fd_set_untracked(int fd);
void shim_fd_forget(int fd); /* back to unknown (closed) */
void shim_fd_copy(int from, int to);
/* POWERCUT_ACK_FD or a copy of it in this process (shim_ack.c); the table
 * follows shim_fd_copy and shim_fd_forget. */
int shim_is_ack_fd(int fd);
void shim_ack_fd_copied(int from, int to);
void shim_ack_fd_closed(int fd);
void shim_fd_set_append(int fd, int append);
void shim_fd_set_stream(int fd, FILE* stream);
FILE* shim_fd_stream(int fd);
void shim_fd_renamed(const char* from, size_t from_len, const char* to, size_t to_len);
void shim_fd_unlinked(const char* path, size_t len);
int shim_fd_high_water(void);
uint32_t shim_rule_mask_for(const char* path);

/* ---- faults (shim_faults.c) ---- */
/* Parses POWERCUT_FAULTS into shim.rules; returns 0 or -1 (message printed). */
int shim_parse_faults(const char* text);
/* REQUIRES: the lock is held. Returns the index of an fsync-eio rule that
 * fires for this fsync of a path with `mask`, or -1. Counts the fsync. */
int shim_fault_fsync(uint32_t mask);
/* REQUIRES: the lock is held. For a write of `count` bytes: returns how many
 * bytes to let through (count when no rule applies; 0 means fail with
 * ENOSPC) and the firing rule's index in *rule (-1 when none). */
size_t shim_fault_write(uint32_t mask, size_t count, int* rule);
/* REQUIRES: the lock is held. Accounts `written` bytes against enospc rules. */
void shim_fault_account(uint32_t mask, size_t written);
/* REQUIRES: the lock is held. Emits the kTraceFault record of rule `index`. */
void shim_emit_fault(int index, const char* path, size_t path_len, int err);

/* ---- shared by the write hooks (shim_write.c) ---- */
/* Records a write of `result` bytes (or a failure) to the tracked `fd`;
 * `rwf` is the pwritev2 flags argument (0 for the other calls).
 * REQUIRES: the lock is held; `offset` is where the data landed. */
void shim_emit_write(const struct ShimFdInfo* info, int fd, int64_t result, int err,
                     uint64_t offset, int source, const void* data, const struct iovec* iov,
                     int iovcnt, uint16_t extra_bits, uint32_t rwf);
/* Records a write of `length` bytes at `offset` of the tracked `fd` whose
 * data is read back from the file (stdio flushes, in-kernel copies): through
 * `fd` when it is open for reading, else a fresh /proc/self/fd descriptor
 * (zeros when neither reads). REQUIRES: the lock. */
void shim_emit_readback_write(int fd, const struct ShimFdInfo* info, uint64_t offset,
                              uint64_t length);
/* The file offset a write of `n` bytes that just returned started at. */
uint64_t shim_offset_after_write(int fd, int append, int64_t n);
/* Records `n` bytes written to the ack descriptor. REQUIRES: the lock. */
void shim_emit_ack(const void* data, size_t n, const struct iovec* iov, int iovcnt);

/* ---- stdio (shim_stdio.c) ---- */
void shim_stdio_flush_all_at_exit(void);
/* Flushes `f` with `real` (fflush or fflush_unlocked), recording what reached
 * the kernel when the stream is traced. */
int shim_stdio_flush(FILE* f, int (*real)(FILE*));

/* ---- mmap (shim_mmap.c) ---- */
/* At normal process exit: records the pages of every tracked shared mapping
 * that changed since they were last recorded, as pending writes. */
void shim_mmap_record_at_exit(void);

#endif /* POWERCUT_SHIM_INTERNAL_H_ */
