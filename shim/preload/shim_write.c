/* The write family: write, pwrite/pwrite64, writev, pwritev/pwritev64 and
 * the 2 variants. One record per call with the bytes the kernel accepted and
 * the offset they landed at (lseek after the write, minus the count; the
 * given offset for positional writes; the file size for O_APPEND and
 * RWF_APPEND), and the pwritev2 flags (RWF_DSYNC, RWF_SYNC, ...) as they were
 * passed, in `flags` (0 for the other calls). Writes to POWERCUT_ACK_FD become kTraceAck records.
 * Live enospc and short-write rules shorten or fail the call here. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "shim_internal.h"

SHIM_DECLARE_REAL(write);
SHIM_DECLARE_REAL(pwrite);
SHIM_DECLARE_REAL(pwrite64);
SHIM_DECLARE_REAL(writev);
SHIM_DECLARE_REAL(pwritev);
SHIM_DECLARE_REAL(pwritev64);
SHIM_DECLARE_REAL(pwritev2);
SHIM_DECLARE_REAL(pwritev64v2);

enum WriteCall {
  kWrite,
  kPwrite,
  kPwrite64,
  kWritev,
  kPwritev,
  kPwritev64,
  kPwritev2,
  kPwritev64v2
};

struct WriteOp {
  int call; /* WriteCall */
  int fd;
  const void* buf;         /* write, pwrite */
  const struct iovec* iov; /* the vectored calls */
  int iovcnt;
  size_t count; /* total bytes asked for */
  off_t offset; /* positional calls; -1 = the file offset */
  int rwf;      /* pwritev2 flags */
};

static int positional(const struct WriteOp* op) {
  return op->call != kWrite && op->call != kWritev && op->offset != -1;
}

/* The real call, asking for at most `limit` bytes (limit < count only when
 * a fault rule shortens the write). */
static ssize_t real_write(const struct WriteOp* op, size_t limit) {
  const struct iovec* iov = op->iov;
  int iovcnt = op->iovcnt;
  int cuttable = op->iov != NULL && limit < op->count && op->iovcnt > 0 && op->iovcnt <= 1024;
  struct iovec cut[cuttable ? op->iovcnt : 1];
  if (cuttable) {
    size_t left = limit;
    for (iovcnt = 0; iovcnt < op->iovcnt && left > 0; ++iovcnt) {
      cut[iovcnt] = op->iov[iovcnt];
      if (cut[iovcnt].iov_len > left) cut[iovcnt].iov_len = left;
      left -= cut[iovcnt].iov_len;
    }
    iov = cut;
  }
  switch (op->call) {
    case kWrite:
      return SHIM_REAL(write)(op->fd, op->buf, limit);
    case kPwrite:
      return SHIM_REAL(pwrite)(op->fd, op->buf, limit, op->offset);
    case kPwrite64:
      return SHIM_REAL(pwrite64)(op->fd, op->buf, limit, op->offset);
    case kWritev:
      return SHIM_REAL(writev)(op->fd, iov, iovcnt);
    case kPwritev:
      return SHIM_REAL(pwritev)(op->fd, iov, iovcnt, op->offset);
    case kPwritev64:
      return SHIM_REAL(pwritev64)(op->fd, iov, iovcnt, op->offset);
    case kPwritev2:
      return SHIM_REAL(pwritev2)(op->fd, iov, iovcnt, op->offset, op->rwf);
    default:
      return SHIM_REAL(pwritev64v2)(op->fd, iov, iovcnt, op->offset, op->rwf);
  }
}

uint64_t shim_offset_after_write(int fd, int append, int64_t n) {
  if (append) {
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size >= n) return (uint64_t)(st.st_size - n);
    return 0;
  }
  off_t pos = lseek(fd, 0, SEEK_CUR);
  return pos >= n ? (uint64_t)(pos - n) : 0;
}

/* Where the `n` bytes just written landed. REQUIRES: the lock; `moves` and
 * `cached` from shim_fd_cached_offset before the write (`known` its result). */
static uint64_t landed_at(const struct WriteOp* op, const struct ShimFdInfo* info, ssize_t n,
                          int known, uint64_t moves, int64_t cached) {
  if (n <= 0) return 0;
  int append = info->append || (op->rwf & RWF_APPEND);
  if (positional(op) && !append) return (uint64_t)op->offset;
  if (append || !known) {
    uint64_t offset = shim_offset_after_write(op->fd, append, n);
    if (!append) shim_fd_store_offset(op->fd, moves, (int64_t)offset + n);
    return offset;
  }
  shim_fd_store_offset(op->fd, moves, cached + n);
  return (uint64_t)cached;
}

/* The data comes from `data`/`iov` by `source`, or from `data_fd` at
 * `offset` for kShimDataFile. The path is omitted (kTracePathOfFd) when this
 * process already recorded a write carrying the descriptor's current path. */
static void emit_write_record(const struct ShimFdInfo* info, int fd, int64_t result, int err,
                              uint64_t offset, int source, const void* data,
                              const struct iovec* iov, int iovcnt, int data_fd, uint16_t extra_bits,
                              uint32_t rwf) {
  struct ShimRecord r;
  shim_record_init(&r, kTraceWrite);
  r.fd = fd;
  r.result = result;
  r.flag_bits = extra_bits;
  r.flags = rwf;
  int omit_path = shim_fd_path_announced(fd);
  if (omit_path) {
    r.flag_bits |= kTracePathOfFd;
  } else {
    r.path = info->path;
    r.path_len = info->path_len;
  }
  if (result < 0) {
    r.flag_bits |= kTraceFailed;
    r.err = err;
  } else {
    r.offset = offset;
    r.length = (uint64_t)result;
    r.data_source = source;
    r.data = data;
    r.iov = iov;
    r.iovcnt = iovcnt;
    r.data_fd = data_fd;
    r.data_off = offset;
    r.data_len = (size_t)result;
  }
  uint64_t dropped = shim.header->dropped;
  shim_emit(&r);
  if (!omit_path && shim.header->dropped == dropped) shim_fd_mark_announced(fd);
}

void shim_emit_write(const struct ShimFdInfo* info, int fd, int64_t result, int err,
                     uint64_t offset, int source, const void* data, const struct iovec* iov,
                     int iovcnt, uint16_t extra_bits, uint32_t rwf) {
  emit_write_record(info, fd, result, err, offset, source, data, iov, iovcnt, fd, extra_bits, rwf);
}

void shim_emit_readback_write(int fd, const struct ShimFdInfo* info, uint64_t offset,
                              uint64_t length) {
  int reader = fd;
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || (flags & O_ACCMODE) != O_RDWR) {
    char proc[32];
    shim_proc_fd_path(fd, proc);
    reader = open(proc, O_RDONLY | O_CLOEXEC);
  }
  emit_write_record(info, fd, (int64_t)length, 0, offset, kShimDataFile, NULL, NULL, 0, reader, 0,
                    0);
  if (reader != fd && reader >= 0) close(reader);
}

void shim_emit_ack(const void* data, size_t n, const struct iovec* iov, int iovcnt) {
  struct ShimRecord r;
  shim_record_init(&r, kTraceAck);
  r.fd = shim.ack_fd;
  r.result = (int64_t)n;
  r.length = n;
  r.data_source = iov != NULL ? kShimDataIovec : kShimDataBuffer;
  r.data = data;
  r.iov = iov;
  r.iovcnt = iovcnt;
  r.data_len = n;
  shim_emit(&r);
}

/* REQUIRES: the lock, `info` tracked. The real call with fault rules applied;
 * records the write (and the fault). Returns the result, *err its errno. */
static ssize_t write_tracked(const struct WriteOp* op, const struct ShimFdInfo* info, int* err) {
  int rule = -1;
  size_t allowed = op->count;
  if (SHIM_UNLIKELY(info->rule_mask != 0))
    allowed = shim_fault_write(info->rule_mask, op->count, &rule);
  uint64_t moves = 0;
  int64_t cached = -1;
  int known = shim_fd_cached_offset(op->fd, &moves, &cached);
  ssize_t n;
  if (rule >= 0 && allowed == 0) {
    n = -1;
    *err = ENOSPC;
  } else {
    n = real_write(op, allowed);
    *err = errno;
  }
  if (n > 0 && info->rule_mask != 0) shim_fault_account(info->rule_mask, (size_t)n);
  int source = op->iov != NULL ? kShimDataIovec : kShimDataBuffer;
  uint64_t offset = landed_at(op, info, n, known, moves, cached);
  shim_emit_write(info, op->fd, n, *err, offset, source, op->buf, op->iov, op->iovcnt,
                  rule >= 0 ? kTraceInjected : 0, (uint32_t)op->rwf);
  if (rule >= 0) shim_emit_fault(rule, info->path, info->path_len, n < 0 ? ENOSPC : 0);
  return n;
}

static ssize_t traced_write(const struct WriteOp* op) {
  if (!shim_active() || (!shim_is_ack_fd(op->fd) && !shim_fd_maybe_tracked(op->fd))) {
    return real_write(op, op->count);
  }
  int saved = errno;
  ++shim_depth;
  shim_lock();
  ssize_t n;
  int err;
  struct ShimFdInfo info;
  if (shim_is_ack_fd(op->fd)) {
    n = real_write(op, op->count);
    err = errno;
    if (n > 0) shim_emit_ack(op->buf, (size_t)n, op->iov, op->iovcnt);
  } else if (shim_fd_lookup(op->fd, &info)) {
    n = write_tracked(op, &info, &err);
  } else {
    n = real_write(op, op->count);
    err = errno;
  }
  shim_unlock();
  --shim_depth;
  errno = n < 0 ? err : saved;
  return n;
}

static size_t iov_total(const struct iovec* iov, int iovcnt) {
  size_t total = 0;
  for (int i = 0; i < iovcnt && iov != NULL; ++i) total += iov[i].iov_len;
  return total;
}

SHIM_EXPORT ssize_t write(int fd, const void* buf, size_t count) {
  struct WriteOp op = {.call = kWrite, .fd = fd, .buf = buf, .count = count, .offset = -1};
  return traced_write(&op);
}

SHIM_EXPORT ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  struct WriteOp op = {.call = kPwrite, .fd = fd, .buf = buf, .count = count, .offset = offset};
  return traced_write(&op);
}

SHIM_EXPORT ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset) {
  struct WriteOp op = {.call = kPwrite64, .fd = fd, .buf = buf, .count = count, .offset = offset};
  return traced_write(&op);
}

SHIM_EXPORT ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  struct WriteOp op = {.call = kWritev,
                       .fd = fd,
                       .iov = iov,
                       .iovcnt = iovcnt,
                       .count = iov_total(iov, iovcnt),
                       .offset = -1};
  return traced_write(&op);
}

SHIM_EXPORT ssize_t pwritev(int fd, const struct iovec* iov, int iovcnt, off_t offset) {
  struct WriteOp op = {.call = kPwritev,
                       .fd = fd,
                       .iov = iov,
                       .iovcnt = iovcnt,
                       .count = iov_total(iov, iovcnt),
                       .offset = offset};
  return traced_write(&op);
}

SHIM_EXPORT ssize_t pwritev64(int fd, const struct iovec* iov, int iovcnt, off64_t offset) {
  struct WriteOp op = {.call = kPwritev64,
                       .fd = fd,
                       .iov = iov,
                       .iovcnt = iovcnt,
                       .count = iov_total(iov, iovcnt),
                       .offset = offset};
  return traced_write(&op);
}

SHIM_EXPORT ssize_t pwritev2(int fd, const struct iovec* iov, int iovcnt, off_t offset, int flags) {
  struct WriteOp op = {.call = kPwritev2,
                       .fd = fd,
                       .iov = iov,
                       .iovcnt = iovcnt,
                       .count = iov_total(iov, iovcnt),
                       .offset = offset,
                       .rwf = flags};
  return traced_write(&op);
}

SHIM_EXPORT ssize_t pwritev64v2(int fd, const struct iovec* iov, int iovcnt, off64_t offset,
                                int flags) {
  struct WriteOp op = {.call = kPwritev64v2,
                       .fd = fd,
                       .iov = iov,
                       .iovcnt = iovcnt,
                       .count = iov_total(iov, iovcnt),
                       .offset = offset,
                       .rwf = flags};
  return traced_write(&op);
}
