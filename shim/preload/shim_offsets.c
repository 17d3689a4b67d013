/* Calls that move a descriptor's file offset without writing (read, readv,
 * lseek, preadv2 at the current offset; the copies in shim_copy.c too)
 * and `system`, which runs a child on shared descriptors. The shim does not
 * record them; it only tells the descriptor table, before and after each
 * call, so the write hooks' offset cache (shim_paths.c) is never trusted
 * across them. Cost on untracked descriptors: one table load. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "shim_internal.h"

ssize_t __read_chk(int fd, void* buf, size_t count, size_t buflen);

SHIM_DECLARE_REAL(read);
SHIM_DECLARE_REAL(__read_chk);
SHIM_DECLARE_REAL(readv);
SHIM_DECLARE_REAL(lseek);
SHIM_DECLARE_REAL(lseek64);
SHIM_DECLARE_REAL(preadv2);
SHIM_DECLARE_REAL(preadv64v2);
SHIM_DECLARE_REAL(system);

#define SHIM_MOVES_OFFSET(fd, type, call) \
  do {                                    \
    shim_fd_offset_moving(fd);            \
    type r_ = call;                       \
    shim_fd_offset_moving(fd);            \
    return r_;                            \
  } while (0)

SHIM_EXPORT ssize_t read(int fd, void* buf, size_t count) {
  SHIM_MOVES_OFFSET(fd, ssize_t, SHIM_REAL(read)(fd, buf, count));
}

SHIM_EXPORT ssize_t __read_chk(int fd, void* buf, size_t count, size_t buflen) {
  SHIM_MOVES_OFFSET(fd, ssize_t, SHIM_REAL(__read_chk)(fd, buf, count, buflen));
}

SHIM_EXPORT ssize_t readv(int fd, const struct iovec* iov, int iovcnt) {
  SHIM_MOVES_OFFSET(fd, ssize_t, SHIM_REAL(readv)(fd, iov, iovcnt));
}

SHIM_EXPORT off_t lseek(int fd, off_t offset, int whence) {
  SHIM_MOVES_OFFSET(fd, off_t, SHIM_REAL(lseek)(fd, offset, whence));
}

SHIM_EXPORT off64_t lseek64(int fd, off64_t offset, int whence) {
  SHIM_MOVES_OFFSET(fd, off64_t, SHIM_REAL(lseek64)(fd, offset, whence));
}

SHIM_EXPORT ssize_t preadv2(int fd, const struct iovec* iov, int iovcnt, off_t offset, int flags) {
  SHIM_MOVES_OFFSET(fd, ssize_t, SHIM_REAL(preadv2)(fd, iov, iovcnt, offset, flags));
}

SHIM_EXPORT ssize_t preadv64v2(int fd, const struct iovec* iov, int iovcnt, off64_t offset,
                               int flags) {
  SHIM_MOVES_OFFSET(fd, ssize_t, SHIM_REAL(preadv64v2)(fd, iov, iovcnt, offset, flags));
}

SHIM_EXPORT int system(const char* command) {
  if (shim_ready && shim.enabled) shim_fd_share_all();
  return SHIM_REAL(system)(command);
}
