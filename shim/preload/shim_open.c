/* Hooks that create, duplicate and close descriptors: open/openat/creat and
 * their 64-bit and _FORTIFY_SOURCE (__open_2 ...) forms, close, close_range,
 * dup/dup2/dup3 and fcntl(F_DUPFD, F_DUPFD_CLOEXEC, F_SETFL). Opens that can
 * change the tree (O_CREAT, O_TRUNC) run under the trace lock so their record
 * is in effect order; other opens run unlocked (a FIFO open may block) and
 * are recorded right after. Every open, traced or not, refreshes the
 * descriptor table so a reused number never inherits a stale path. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim_internal.h"

int __open_2(const char* path, int flags);
int __open64_2(const char* path, int flags);
int __openat_2(int dirfd, const char* path, int flags);
int __openat64_2(int dirfd, const char* path, int flags);
int close_range(unsigned int first, unsigned int last, int flags);

SHIM_DECLARE_REAL(open);
SHIM_DECLARE_REAL(open64);
SHIM_DECLARE_REAL(openat);
SHIM_DECLARE_REAL(openat64);
SHIM_DECLARE_REAL(creat);
SHIM_DECLARE_REAL(creat64);
SHIM_DECLARE_REAL(__open_2);
SHIM_DECLARE_REAL(__open64_2);
SHIM_DECLARE_REAL(__openat_2);
SHIM_DECLARE_REAL(__openat64_2);
SHIM_DECLARE_REAL(close);
SHIM_DECLARE_REAL(close_range);
SHIM_DECLARE_REAL(dup);
SHIM_DECLARE_REAL(dup2);
SHIM_DECLARE_REAL(dup3);
SHIM_DECLARE_REAL(fcntl);
SHIM_DECLARE_REAL(fcntl64);

struct OpenCall {
  int traced; /* the path is under the root */
  int locked; /* the lock is held around the real call */
  int flags;
  mode_t mode;
  int path_len;
  char path[PATH_MAX];
};

static int changes_tree(int flags) { return (flags & (O_CREAT | O_TRUNC)) != 0; }

/* Before the real open. REQUIRES: shim_active(). */
static void open_begin(int dirfd, const char* path, int flags, mode_t mode, struct OpenCall* c) {
  ++shim_depth;
  c->flags = flags;
  c->mode = mode;
  c->locked = 0;
  /* O_PATH descriptors do no I/O; O_TMPFILE files have no name until linked. */
  c->traced = (flags & O_PATH) == 0 && (flags & __O_TMPFILE) == 0;
  if (c->traced) {
    c->path_len = shim_resolve_path(dirfd, path, c->path);
    c->traced = c->path_len >= 0;
  }
  if (c->traced && changes_tree(flags)) {
    shim_lock();
    c->locked = 1;
  }
}

/* After the real open returned `fd`: record, update the table, restore errno. */
static int open_end(struct OpenCall* c, int fd) {
  int saved = errno;
  if (!c->traced) {
    if (fd >= 0) shim_fd_set_untracked(fd);
    --shim_depth;
    errno = saved;
    return fd;
  }
  if (!c->locked) shim_lock();
  if (fd >= 0) shim_fd_set_opened(fd, c->path, (size_t)c->path_len, (c->flags & O_APPEND) != 0);
  if (fd >= 0 || (c->flags & O_CREAT)) {
    struct ShimRecord r;
    shim_record_init(&r, kTraceOpen);
    r.path = c->path;
    r.path_len = (size_t)c->path_len;
    r.flags = (uint32_t)c->flags;
    r.mode = (uint32_t)c->mode;
    r.result = fd;
    if (fd < 0) {
      r.flag_bits = kTraceFailed;
      r.err = saved;
    }
    shim_emit(&r);
  }
  shim_unlock();
  --shim_depth;
  errno = saved;
  return fd;
}

static mode_t mode_argument(int flags, va_list ap) {
  return (flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

#define SHIM_OPEN_BODY(dirfd, path, flags, mode, call) \
  if (!shim_active()) return call;                     \
  struct OpenCall c;                                   \
  open_begin(dirfd, path, flags, mode, &c);            \
  return open_end(&c, call)

SHIM_EXPORT int open(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_argument(flags, ap);
  va_end(ap);
  SHIM_OPEN_BODY(AT_FDCWD, path, flags, mode, SHIM_REAL(open)(path, flags, mode));
}

SHIM_EXPORT int open64(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_argument(flags, ap);
  va_end(ap);
  SHIM_OPEN_BODY(AT_FDCWD, path, flags, mode, SHIM_REAL(open64)(path, flags, mode));
}

SHIM_EXPORT int openat(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_argument(flags, ap);
  va_end(ap);
  SHIM_OPEN_BODY(dirfd, path, flags, mode, SHIM_REAL(openat)(dirfd, path, flags, mode));
}

SHIM_EXPORT int openat64(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_argument(flags, ap);
  va_end(ap);
  SHIM_OPEN_BODY(dirfd, path, flags, mode, SHIM_REAL(openat64)(dirfd, path, flags, mode));
}

SHIM_EXPORT int creat(const char* path, mode_t mode) {
  SHIM_OPEN_BODY(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode, SHIM_REAL(creat)(path, mode));
}

SHIM_EXPORT int creat64(const char* path, mode_t mode) {
  SHIM_OPEN_BODY(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode,
                 SHIM_REAL(creat64)(path, mode));
}

SHIM_EXPORT int __open_2(const char* path, int flags) {
  SHIM_OPEN_BODY(AT_FDCWD, path, flags, 0, SHIM_REAL(__open_2)(path, flags));
}

SHIM_EXPORT int __open64_2(const char* path, int flags) {
  SHIM_OPEN_BODY(AT_FDCWD, path, flags, 0, SHIM_REAL(__open64_2)(path, flags));
}

SHIM_EXPORT int __openat_2(int dirfd, const char* path, int flags) {
  SHIM_OPEN_BODY(dirfd, path, flags, 0, SHIM_REAL(__openat_2)(dirfd, path, flags));
}

SHIM_EXPORT int __openat64_2(int dirfd, const char* path, int flags) {
  SHIM_OPEN_BODY(dirfd, path, flags, 0, SHIM_REAL(__openat64_2)(dirfd, path, flags));
}

/* REQUIRES: the lock. Records that tracked `fd` (info) was closed. */
static void emit_close(int fd, const struct ShimFdInfo* info, int result, int err) {
  struct ShimRecord r;
  shim_record_init(&r, kTraceClose);
  r.fd = fd;
  r.path = info->path;
  r.path_len = info->path_len;
  r.result = result;
  if (result < 0) {
    r.flag_bits = kTraceFailed;
    r.err = err;
  }
  shim_emit(&r);
}

SHIM_EXPORT int close(int fd) {
  if (!shim_active()) return SHIM_REAL(close)(fd);
  if (!shim_fd_maybe_tracked(fd)) {
    int rc = SHIM_REAL(close)(fd);
    int saved = errno;
    shim_fd_forget(fd);
    errno = saved;
    return rc;
  }
  ++shim_depth;
  shim_lock();
  struct ShimFdInfo info;
  int tracked = shim_fd_lookup(fd, &info);
  int rc = SHIM_REAL(close)(fd);
  int saved = errno;
  shim_fd_forget(fd);
  if (tracked) emit_close(fd, &info, rc, saved);
  shim_unlock();
  --shim_depth;
  errno = saved;
  return rc;
}

SHIM_EXPORT int close_range(unsigned int first, unsigned int last, int flags) {
  int rc = SHIM_REAL(close_range)(first, last, flags);
  int saved = errno;
  if (rc == 0 && shim_ready && shim.enabled && !(flags & CLOSE_RANGE_CLOEXEC)) {
    unsigned int top = (unsigned)kShimFdTableSize - 1;
    for (unsigned int fd = first; fd <= last && fd <= top; ++fd) shim_fd_forget((int)fd);
  }
  errno = saved;
  return rc;
}

/* The dup family: `call` made the copy `result` of `fd` (closing `target`
 * first when it was open: dup2/dup3). */
static int dup_end(int fd, int target, int result) {
  int saved = errno;
  if (result < 0 || result == fd) {
    shim_unlock();
    --shim_depth;
    errno = saved;
    return result;
  }
  struct ShimFdInfo info;
  if (shim_fd_lookup(fd, &info)) {
    struct ShimRecord r;
    shim_record_init(&r, kTraceDup);
    r.fd = fd;
    r.result = result;
    r.path = info.path;
    r.path_len = info.path_len;
    shim_emit(&r);
  }
  shim_fd_copy(fd, result);
  shim_unlock();
  --shim_depth;
  errno = saved;
  return result;
}

/* Before a dup onto `target` (-1 for dup/F_DUPFD): takes the lock and records
 * the implicit close of a tracked target. */
static void dup_begin(int fd, int target) {
  ++shim_depth;
  shim_lock();
  struct ShimFdInfo info;
  if (target >= 0 && target != fd && shim_fd_lookup(target, &info)) {
    emit_close(target, &info, 0, 0);
  }
}

SHIM_EXPORT int dup(int fd) {
  if (!shim_active()) return SHIM_REAL(dup)(fd);
  dup_begin(fd, -1);
  return dup_end(fd, -1, SHIM_REAL(dup)(fd));
}

SHIM_EXPORT int dup2(int fd, int target) {
  if (!shim_active()) return SHIM_REAL(dup2)(fd, target);
  dup_begin(fd, target);
  return dup_end(fd, target, SHIM_REAL(dup2)(fd, target));
}

SHIM_EXPORT int dup3(int fd, int target, int flags) {
  if (!shim_active()) return SHIM_REAL(dup3)(fd, target, flags);
  dup_begin(fd, target);
  return dup_end(fd, target, SHIM_REAL(dup3)(fd, target, flags));
}

static int fcntl_common(int fd, int cmd, void* arg, int (*real)(int, int, ...)) {
  if (!shim_active()) return real(fd, cmd, arg);
  if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) {
    dup_begin(fd, -1);
    return dup_end(fd, -1, real(fd, cmd, arg));
  }
  int rc = real(fd, cmd, arg);
  if (cmd == F_SETFL && rc == 0) {
    int saved = errno;
    shim_fd_set_append(fd, ((long)arg & O_APPEND) != 0);
    errno = saved;
  }
  return rc;
}

SHIM_EXPORT int fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  return fcntl_common(fd, cmd, arg, SHIM_REAL(fcntl));
}

SHIM_EXPORT int fcntl64(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  return fcntl_common(fd, cmd, arg, SHIM_REAL(fcntl64));
}
