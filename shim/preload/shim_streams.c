/* Opening, flushing, positioning and closing stdio streams (the output calls
 * are in shim_stdio.c): fopen/fopen64/freopen/freopen64/fdopen record the
 * open of a file under the root and tie the stream to its descriptor;
 * fflush/fclose/fcloseall and the positioning calls flush a traced stream
 * through the recorder first (the bytes land in the trace as a write), then
 * make the real call. Calls that create descriptors behind the shim's back
 * (tmpfile, popen, opendir, pipe, socket ...) mark them untracked, and the
 * matching closes forget them, so a reused number never carries a stale path. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shim_internal.h"

SHIM_DECLARE_REAL(fopen);
SHIM_DECLARE_REAL(fopen64);
SHIM_DECLARE_REAL(freopen);
SHIM_DECLARE_REAL(freopen64);
SHIM_DECLARE_REAL(fdopen);
SHIM_DECLARE_REAL(fflush);
SHIM_DECLARE_REAL(fflush_unlocked);
SHIM_DECLARE_REAL(fclose);
SHIM_DECLARE_REAL(fcloseall);
SHIM_DECLARE_REAL(fseek);
SHIM_DECLARE_REAL(fseeko);
SHIM_DECLARE_REAL(fseeko64);
SHIM_DECLARE_REAL(rewind);
SHIM_DECLARE_REAL(fsetpos);
SHIM_DECLARE_REAL(fsetpos64);
SHIM_DECLARE_REAL(tmpfile);
SHIM_DECLARE_REAL(tmpfile64);
SHIM_DECLARE_REAL(popen);
SHIM_DECLARE_REAL(pclose);
SHIM_DECLARE_REAL(opendir);
SHIM_DECLARE_REAL(fdopendir);
SHIM_DECLARE_REAL(closedir);
SHIM_DECLARE_REAL(pipe);
SHIM_DECLARE_REAL(pipe2);
SHIM_DECLARE_REAL(socket);
SHIM_DECLARE_REAL(socketpair);
SHIM_DECLARE_REAL(accept);
SHIM_DECLARE_REAL(accept4);

/* The open(2) flags an fopen mode string means. */
static int mode_flags(const char* mode) {
  int flags = 0;
  switch (mode[0]) {
    case 'r':
      flags = O_RDONLY;
      break;
    case 'w':
      flags = O_WRONLY | O_CREAT | O_TRUNC;
      break;
    case 'a':
      flags = O_WRONLY | O_CREAT | O_APPEND;
      break;
    default:
      return 0;
  }
  for (const char* p = mode + 1; *p != '\0' && *p != ','; ++p) {
    if (*p == '+') flags = (flags & ~O_ACCMODE) | O_RDWR;
    if (*p == 'x') flags |= O_EXCL;
    if (*p == 'e') flags |= O_CLOEXEC;
  }
  return flags;
}

/* REQUIRES: shim_active(). After a real fopen of `path` returned `f`. */
static FILE* opened_stream(const char* path, const char* mode, FILE* f) {
  int saved = errno;
  ++shim_depth;
  char resolved[PATH_MAX];
  int len = shim_resolve_path(AT_FDCWD, path, resolved);
  int flags = mode_flags(mode);
  if (len < 0) {
    if (f != NULL) shim_fd_set_untracked(fileno(f));
  } else if (f != NULL || (flags & O_CREAT)) {
    shim_lock();
    struct ShimRecord r;
    shim_record_init(&r, kTraceOpen);
    r.path = resolved;
    r.path_len = (size_t)len;
    r.flags = (uint32_t)flags;
    r.mode = 0666;
    r.result = f != NULL ? fileno(f) : -1;
    if (f == NULL) {
      r.flag_bits = kTraceFailed;
      r.err = saved;
    } else {
      shim_fd_set_tracked(fileno(f), resolved, (size_t)len, (flags & O_APPEND) != 0);
      shim_fd_set_stream(fileno(f), f);
    }
    shim_emit(&r);
    shim_unlock();
  }
  --shim_depth;
  errno = saved;
  return f;
}

SHIM_EXPORT FILE* fopen(const char* path, const char* mode) {
  FILE* f = SHIM_REAL(fopen)(path, mode);
  return shim_active() ? opened_stream(path, mode, f) : f;
}

SHIM_EXPORT FILE* fopen64(const char* path, const char* mode) {
  FILE* f = SHIM_REAL(fopen64)(path, mode);
  return shim_active() ? opened_stream(path, mode, f) : f;
}

SHIM_EXPORT FILE* fdopen(int fd, const char* mode) {
  FILE* f = SHIM_REAL(fdopen)(fd, mode);
  if (f != NULL && shim_active()) {
    int saved = errno;
    shim_fd_set_stream(fd, f);
    errno = saved;
  }
  return f;
}

/* Flushes `f` through the recorder when it is traced and holds output. */
static void flush_traced(FILE* f) {
  if (f == NULL || f->_IO_write_ptr <= f->_IO_write_base) return;
  shim_stdio_flush(f, SHIM_REAL(fflush));
}

/* Every traced stream the table knows, and stdout/stderr. */
static void flush_all_traced(void) {
  int top = shim_fd_high_water();
  for (int fd = 0; fd <= top; ++fd) {
    FILE* f = shim_fd_stream(fd);
    if (f != NULL && f != stdout && f != stderr) flush_traced(f);
  }
  flush_traced(stdout);
  flush_traced(stderr);
}

void shim_stdio_flush_all_at_exit(void) { flush_all_traced(); }

SHIM_EXPORT int fflush(FILE* f) {
  if (!shim_active()) return SHIM_REAL(fflush)(f);
  if (f == NULL) {
    flush_all_traced();
    return SHIM_REAL(fflush)(NULL);
  }
  return shim_stdio_flush(f, SHIM_REAL(fflush));
}

SHIM_EXPORT int fflush_unlocked(FILE* f) {
  if (!shim_active()) return SHIM_REAL(fflush_unlocked)(f);
  if (f == NULL) {
    flush_all_traced();
    return SHIM_REAL(fflush_unlocked)(NULL);
  }
  return shim_stdio_flush(f, SHIM_REAL(fflush_unlocked));
}

/* The descriptor table's view of `fd` before libc closes it behind us. */
static int closing_lookup(int fd, struct ShimFdInfo* info) {
  info->tracked = 0;
  if (fd < 0 || shim_is_ack_fd(fd) || !shim_fd_maybe_tracked(fd)) return 0;
  ++shim_depth;
  shim_lock();
  int tracked = shim_fd_lookup(fd, info);
  shim_unlock();
  --shim_depth;
  return tracked;
}

/* After libc closed `fd` (rc, err): record the close, forget the number. */
static void stream_closed(int fd, const struct ShimFdInfo* info, int rc, int err) {
  if (fd < 0) return;
  ++shim_depth;
  shim_lock();
  if (info->tracked) {
    struct ShimRecord r;
    shim_record_init(&r, kTraceClose);
    r.fd = fd;
    r.path = info->path;
    r.path_len = info->path_len;
    r.result = rc;
    if (rc != 0) {
      r.flag_bits = kTraceFailed;
      r.err = err;
    }
    shim_emit(&r);
  }
  shim_fd_forget(fd);
  shim_unlock();
  --shim_depth;
}

SHIM_EXPORT int fclose(FILE* f) {
  if (!shim_active() || f == NULL) return SHIM_REAL(fclose)(f);
  flush_traced(f);
  int fd = f->_fileno;
  struct ShimFdInfo info;
  closing_lookup(fd, &info);
  int rc = SHIM_REAL(fclose)(f);
  int saved = errno;
  stream_closed(fd, &info, rc, saved);
  errno = saved;
  return rc;
}

SHIM_EXPORT int fcloseall(void) {
  if (!shim_active()) return SHIM_REAL(fcloseall)();
  flush_all_traced();
  int rc = SHIM_REAL(fcloseall)();
  int saved = errno;
  int top = shim_fd_high_water();
  for (int fd = 0; fd <= top; ++fd) {
    if (shim_fd_stream(fd) != NULL) shim_fd_forget(fd);
  }
  errno = saved;
  return rc;
}

static FILE* reopen(const char* path, const char* mode, FILE* f,
                    FILE* (*real)(const char*, const char*, FILE*)) {
  if (!shim_active() || f == NULL) return real(path, mode, f);
  flush_traced(f);
  int fd = f->_fileno;
  struct ShimFdInfo info;
  closing_lookup(fd, &info);
  FILE* result = real(path, mode, f);
  if (path == NULL) return result; /* same file, new mode */
  int saved = errno;
  stream_closed(fd, &info, 0, 0);
  errno = saved;
  return opened_stream(path, mode, result);
}

SHIM_EXPORT FILE* freopen(const char* path, const char* mode, FILE* f) {
  return reopen(path, mode, f, SHIM_REAL(freopen));
}

SHIM_EXPORT FILE* freopen64(const char* path, const char* mode, FILE* f) {
  return reopen(path, mode, f, SHIM_REAL(freopen64));
}

/* Positioning flushes pending output first: do it through the recorder. */
#define SHIM_POSITION(type, f, call)    \
  do {                                  \
    if (shim_active()) flush_traced(f); \
    return call;                        \
  } while (0)

SHIM_EXPORT int fseek(FILE* f, long offset, int whence) {
  SHIM_POSITION(int, f, SHIM_REAL(fseek)(f, offset, whence));
}
SHIM_EXPORT int fseeko(FILE* f, off_t offset, int whence) {
  SHIM_POSITION(int, f, SHIM_REAL(fseeko)(f, offset, whence));
}
SHIM_EXPORT int fseeko64(FILE* f, off64_t offset, int whence) {
  SHIM_POSITION(int, f, SHIM_REAL(fseeko64)(f, offset, whence));
}
SHIM_EXPORT void rewind(FILE* f) {
  if (shim_active()) flush_traced(f);
  SHIM_REAL(rewind)(f);
}
SHIM_EXPORT int fsetpos(FILE* f, const fpos_t* pos) {
  SHIM_POSITION(int, f, SHIM_REAL(fsetpos)(f, pos));
}
SHIM_EXPORT int fsetpos64(FILE* f, const fpos64_t* pos) {
  SHIM_POSITION(int, f, SHIM_REAL(fsetpos64)(f, pos));
}

/* ---- descriptors made behind the shim's back ---- */

static void mark_untracked(int fd) {
  if (fd >= 0 && shim_ready && shim.enabled) shim_fd_set_untracked(fd);
}

static FILE* untracked_stream(FILE* f) {
  int saved = errno;
  if (f != NULL) mark_untracked(fileno(f));
  errno = saved;
  return f;
}

SHIM_EXPORT FILE* tmpfile(void) { return untracked_stream(SHIM_REAL(tmpfile)()); }
SHIM_EXPORT FILE* tmpfile64(void) { return untracked_stream(SHIM_REAL(tmpfile64)()); }
SHIM_EXPORT FILE* popen(const char* command, const char* type) {
  if (shim_ready && shim.enabled) shim_fd_share_all();
  return untracked_stream(SHIM_REAL(popen)(command, type));
}

SHIM_EXPORT int pclose(FILE* f) {
  int fd = f != NULL ? fileno(f) : -1;
  int rc = SHIM_REAL(pclose)(f);
  int saved = errno;
  if (fd >= 0 && shim_ready && shim.enabled) shim_fd_forget(fd);
  errno = saved;
  return rc;
}

SHIM_EXPORT DIR* opendir(const char* path) {
  DIR* d = SHIM_REAL(opendir)(path);
  int saved = errno;
  if (d != NULL && shim_ready && shim.enabled) shim_fd_forget(dirfd(d));
  errno = saved;
  return d;
}

SHIM_EXPORT DIR* fdopendir(int fd) { return SHIM_REAL(fdopendir)(fd); }

SHIM_EXPORT int closedir(DIR* d) {
  int fd = d != NULL ? dirfd(d) : -1;
  int rc = SHIM_REAL(closedir)(d);
  int saved = errno;
  if (fd >= 0 && shim_ready && shim.enabled) shim_fd_forget(fd);
  errno = saved;
  return rc;
}

SHIM_EXPORT int pipe(int fds[2]) {
  int rc = SHIM_REAL(pipe)(fds);
  if (rc == 0) mark_untracked(fds[0]), mark_untracked(fds[1]);
  return rc;
}

SHIM_EXPORT int pipe2(int fds[2], int flags) {
  int rc = SHIM_REAL(pipe2)(fds, flags);
  if (rc == 0) mark_untracked(fds[0]), mark_untracked(fds[1]);
  return rc;
}

SHIM_EXPORT int socket(int domain, int type, int protocol) {
  int fd = SHIM_REAL(socket)(domain, type, protocol);
  mark_untracked(fd);
  return fd;
}

SHIM_EXPORT int socketpair(int domain, int type, int protocol, int fds[2]) {
  int rc = SHIM_REAL(socketpair)(domain, type, protocol, fds);
  if (rc == 0) mark_untracked(fds[0]), mark_untracked(fds[1]);
  return rc;
}

SHIM_EXPORT int accept(int fd, struct sockaddr* addr, socklen_t* len) {
  int result = SHIM_REAL(accept)(fd, addr, len);
  mark_untracked(result);
  return result;
}

SHIM_EXPORT int accept4(int fd, struct sockaddr* addr, socklen_t* len, int flags) {
  int result = SHIM_REAL(accept4)(fd, addr, len, flags);
  mark_untracked(result);
  return result;
}
