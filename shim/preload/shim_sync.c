/* Size changes and durability barriers: ftruncate/truncate (and 64),
 * fallocate/posix_fallocate (and 64), fsync, fdatasync, sync_file_range,
 * sync and syncfs. Size changes run under the trace lock like writes.
 * Barriers are recorded in two phases: the record (and so its sequence
 * number) is reserved before the real call, the lock is released while the
 * kernel works, and the record is committed with the result; a process
 * killed inside an fsync leaves it uncommitted (it never completed). Only the
 * writes recorded before the barrier's record are taken as covered by it.
 * A directory fsync is recognised by fstat, however it was opened. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim_internal.h"

SHIM_DECLARE_REAL(ftruncate);
SHIM_DECLARE_REAL(ftruncate64);
SHIM_DECLARE_REAL(truncate);
SHIM_DECLARE_REAL(truncate64);
SHIM_DECLARE_REAL(fallocate);
SHIM_DECLARE_REAL(fallocate64);
SHIM_DECLARE_REAL(posix_fallocate);
SHIM_DECLARE_REAL(posix_fallocate64);
SHIM_DECLARE_REAL(fsync);
SHIM_DECLARE_REAL(fdatasync);
SHIM_DECLARE_REAL(sync_file_range);
SHIM_DECLARE_REAL(sync);
SHIM_DECLARE_REAL(syncfs);

/* REQUIRES: the lock. Emits a size-change record for a finished call. */
static void emit_size_change(uint16_t kind, int fd, const char* path, size_t path_len,
                             uint64_t offset, uint64_t length, uint32_t mode, int64_t result,
                             int err) {
  struct ShimRecord r;
  shim_record_init(&r, kind);
  r.fd = fd;
  r.path = path;
  r.path_len = path_len;
  r.offset = offset;
  r.length = length;
  r.flags = mode;
  r.result = result;
  if (err != 0) {
    r.flag_bits = kTraceFailed;
    r.err = err;
  }
  shim_emit(&r);
}

/* Runs `call` on a descriptor under the lock and records it when tracked.
 * `posix_style`: the call returns an error number instead of setting errno. */
#define SHIM_FD_SIZE_CHANGE(fd, kind, offset, length, mode, call, posix_style)    \
  do {                                                                            \
    if (!shim_active() || !shim_fd_maybe_tracked(fd)) return call;                \
    int saved_ = errno;                                                           \
    ++shim_depth;                                                                 \
    shim_lock();                                                                  \
    struct ShimFdInfo info_;                                                      \
    int tracked_ = shim_fd_lookup(fd, &info_);                                    \
    errno = saved_;                                                               \
    __typeof__(call) rc_ = call;                                                  \
    int err_ = (posix_style) ? (int)rc_ : (rc_ < 0 ? errno : 0);                  \
    saved_ = errno;                                                               \
    if (tracked_) {                                                               \
      emit_size_change(kind, fd, info_.path, info_.path_len, (uint64_t)(offset),  \
                       (uint64_t)(length), (uint32_t)(mode), (int64_t)rc_, err_); \
    }                                                                             \
    shim_unlock();                                                                \
    --shim_depth;                                                                 \
    errno = saved_;                                                               \
    return rc_;                                                                   \
  } while (0)

SHIM_EXPORT int ftruncate(int fd, off_t length) {
  SHIM_FD_SIZE_CHANGE(fd, kTraceTruncate, length, 0, 0, SHIM_REAL(ftruncate)(fd, length), 0);
}

SHIM_EXPORT int ftruncate64(int fd, off64_t length) {
  SHIM_FD_SIZE_CHANGE(fd, kTraceTruncate, length, 0, 0, SHIM_REAL(ftruncate64)(fd, length), 0);
}

SHIM_EXPORT int fallocate(int fd, int mode, off_t offset, off_t length) {
  SHIM_FD_SIZE_CHANGE(fd, kTraceFallocate, offset, length, mode,
                      SHIM_REAL(fallocate)(fd, mode, offset, length), 0);
}

SHIM_EXPORT int fallocate64(int fd, int mode, off64_t offset, off64_t length) {
  SHIM_FD_SIZE_CHANGE(fd, kTraceFallocate, offset, length, mode,
                      SHIM_REAL(fallocate64)(fd, mode, offset, length), 0);
}

SHIM_EXPORT int posix_fallocate(int fd, off_t offset, off_t length) {
  SHIM_FD_SIZE_CHANGE(fd, kTraceFallocate, offset, length, 0,
                      SHIM_REAL(posix_fallocate)(fd, offset, length), 1);
}

SHIM_EXPORT int posix_fallocate64(int fd, off64_t offset, off64_t length) {
  SHIM_FD_SIZE_CHANGE(fd, kTraceFallocate, offset, length, 0,
                      SHIM_REAL(posix_fallocate64)(fd, offset, length), 1);
}

#define SHIM_PATH_TRUNCATE(path, length, call)                                                   \
  do {                                                                                           \
    if (!shim_active()) return call;                                                             \
    char resolved_[PATH_MAX];                                                                    \
    int saved_ = errno;                                                                          \
    ++shim_depth;                                                                                \
    int len_ = shim_resolve_path(AT_FDCWD, path, resolved_);                                     \
    if (len_ < 0) {                                                                              \
      --shim_depth;                                                                              \
      errno = saved_;                                                                            \
      return call;                                                                               \
    }                                                                                            \
    shim_lock();                                                                                 \
    errno = saved_;                                                                              \
    int rc_ = call;                                                                              \
    saved_ = errno;                                                                              \
    emit_size_change(kTraceTruncate, -1, resolved_, (size_t)len_, (uint64_t)(length), 0, 0, rc_, \
                     rc_ < 0 ? saved_ : 0);                                                      \
    shim_unlock();                                                                               \
    --shim_depth;                                                                                \
    errno = saved_;                                                                              \
    return rc_;                                                                                  \
  } while (0)

SHIM_EXPORT int truncate(const char* path, off_t length) {
  SHIM_PATH_TRUNCATE(path, length, SHIM_REAL(truncate)(path, length));
}

SHIM_EXPORT int truncate64(const char* path, off64_t length) {
  SHIM_PATH_TRUNCATE(path, length, SHIM_REAL(truncate64)(path, length));
}

enum BarrierCall { kFsync, kFdatasync, kSyncFileRange, kSync, kSyncfs };

struct Barrier {
  int call; /* BarrierCall */
  int fd;
  off64_t offset, length;
  unsigned int flags;
};

static int real_barrier(const struct Barrier* b) {
  switch (b->call) {
    case kFsync:
      return SHIM_REAL(fsync)(b->fd);
    case kFdatasync:
      return SHIM_REAL(fdatasync)(b->fd);
    case kSyncFileRange:
      return SHIM_REAL(sync_file_range)(b->fd, b->offset, b->length, b->flags);
    case kSync:
      SHIM_REAL(sync)();
      return 0;
    default:
      return SHIM_REAL(syncfs)(b->fd);
  }
}

static const uint16_t kBarrierKind[] = {kTraceFsync, kTraceFdatasync, kTraceSyncFileRange,
                                        kTraceSync, kTraceSyncFs};

/* REQUIRES: the lock. An fsync-eio rule fired: record the failed call and
 * the fault; the kernel is not asked. */
static void emit_injected_eio(const struct Barrier* b, struct ShimRecord* r, int rule) {
  r->result = -1;
  r->err = EIO;
  r->flag_bits |= kTraceFailed | kTraceInjected;
  shim_emit(r);
  shim_emit_fault(rule, r->path, r->path_len, EIO);
}

static int traced_barrier(const struct Barrier* b) {
  int saved = errno;
  ++shim_depth;
  struct ShimFdInfo info;
  struct ShimRecord r;
  shim_record_init(&r, kBarrierKind[b->call]);
  shim_lock();
  if (b->call != kSync) {
    if (!shim_fd_lookup(b->fd, &info)) {
      shim_unlock();
      --shim_depth;
      errno = saved;
      return real_barrier(b);
    }
    struct stat st;
    if ((b->call == kFsync || b->call == kFdatasync) && fstat(b->fd, &st) == 0 &&
        S_ISDIR(st.st_mode)) {
      r.flag_bits = kTraceIsDir;
    }
    r.fd = b->fd;
    r.path = info.path;
    r.path_len = info.path_len;
    r.offset = (uint64_t)b->offset;
    r.length = (uint64_t)b->length;
    r.flags = b->flags;
    int rule = (b->call == kFsync || b->call == kFdatasync) && info.rule_mask != 0
                   ? shim_fault_fsync(info.rule_mask)
                   : -1;
    if (rule >= 0) {
      emit_injected_eio(b, &r, rule);
      shim_unlock();
      --shim_depth;
      errno = EIO;
      return -1;
    }
  }
  uint64_t reserved = shim_reserve(&r);
  shim_unlock();
  errno = saved;
  int rc = real_barrier(b);
  int err = rc < 0 ? errno : 0;
  saved = errno;
  shim_commit_reserved(reserved, rc, err, rc < 0 ? kTraceFailed : 0);
  --shim_depth;
  errno = saved;
  return rc;
}

static int barrier(const struct Barrier* b) {
  if (!shim_active() || (b->call != kSync && !shim_fd_maybe_tracked(b->fd))) {
    return real_barrier(b);
  }
  return traced_barrier(b);
}

SHIM_EXPORT int fsync(int fd) {
  struct Barrier b = {.call = kFsync, .fd = fd};
  return barrier(&b);
}

SHIM_EXPORT int fdatasync(int fd) {
  struct Barrier b = {.call = kFdatasync, .fd = fd};
  return barrier(&b);
}

SHIM_EXPORT int sync_file_range(int fd, off64_t offset, off64_t length, unsigned int flags) {
  struct Barrier b = {
      .call = kSyncFileRange, .fd = fd, .offset = offset, .length = length, .flags = flags};
  return barrier(&b);
}

SHIM_EXPORT void sync(void) {
  struct Barrier b = {.call = kSync, .fd = -1};
  barrier(&b);
}

SHIM_EXPORT int syncfs(int fd) {
  struct Barrier b = {.call = kSyncfs, .fd = fd};
  return barrier(&b);
}
