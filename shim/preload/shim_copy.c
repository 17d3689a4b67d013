/* In-kernel copies into files under the root: copy_file_range, sendfile,
 * sendfile64 and splice (coreutils 9 `cat` and `cp` copy with
 * copy_file_range). The data never passes through the program, so the shim
 * makes the real call, then records one kTraceWrite of the bytes that landed,
 * read back from the destination at the offset they landed at (the off_out
 * value before the call, or the descriptor's position after it minus the
 * count). Unlike the write family the real call runs without the trace lock:
 * a splice from a pipe may wait for a writer that itself needs the lock. The
 * calls also move descriptor offsets, which the offset cache must hear of. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim_internal.h"

SHIM_DECLARE_REAL(sendfile);
SHIM_DECLARE_REAL(sendfile64);
SHIM_DECLARE_REAL(copy_file_range);
SHIM_DECLARE_REAL(splice);

enum CopyCall { kSendfile, kSendfile64, kCopyFileRange, kSplice };

struct CopyOp {
  int call; /* CopyCall */
  int in;
  int out;
  void* in_off;     /* off_t* (sendfile) or off64_t* */
  off64_t* out_off; /* copy_file_range, splice; NULL: out's file offset */
  size_t count;
  unsigned int flags; /* copy_file_range, splice */
};

static ssize_t real_copy(const struct CopyOp* op) {
  switch (op->call) {
    case kSendfile:
      return SHIM_REAL(sendfile)(op->out, op->in, (off_t*)op->in_off, op->count);
    case kSendfile64:
      return SHIM_REAL(sendfile64)(op->out, op->in, (off64_t*)op->in_off, op->count);
    case kCopyFileRange:
      return SHIM_REAL(copy_file_range)(op->in, (off64_t*)op->in_off, op->out, op->out_off,
                                        op->count, op->flags);
    default:
      return SHIM_REAL(splice)(op->in, (off64_t*)op->in_off, op->out, op->out_off, op->count,
                               op->flags);
  }
}

/* REQUIRES: the lock; `n` > 0 bytes were just copied into `out`. */
static void record_copy(const struct CopyOp* op, int64_t start, ssize_t n) {
  struct ShimFdInfo info;
  struct stat st;
  if (!shim_fd_lookup(op->out, &info) || fstat(op->out, &st) != 0 || !S_ISREG(st.st_mode)) return;
  uint64_t at = start >= 0 ? (uint64_t)start : shim_offset_after_write(op->out, info.append, n);
  shim_emit_readback_write(op->out, &info, at, (uint64_t)n);
}

static ssize_t traced_copy(const struct CopyOp* op) {
  int saved = errno;
  shim_fd_offset_moving(op->out);
  shim_fd_offset_moving(op->in);
  int64_t start = op->out_off != NULL ? (int64_t)*op->out_off : -1;
  ssize_t n = real_copy(op);
  int err = errno;
  shim_fd_offset_moving(op->in);
  shim_fd_offset_moving(op->out);
  if (n > 0 && shim_active() && shim_fd_maybe_tracked(op->out)) {
    ++shim_depth;
    shim_lock();
    record_copy(op, start, n);
    shim_unlock();
    --shim_depth;
  }
  errno = n < 0 ? err : saved;
  return n;
}

SHIM_EXPORT ssize_t sendfile(int out, int in, off_t* offset, size_t count) {
  struct CopyOp op = {.call = kSendfile, .in = in, .out = out, .in_off = offset, .count = count};
  return traced_copy(&op);
}

SHIM_EXPORT ssize_t sendfile64(int out, int in, off64_t* offset, size_t count) {
  struct CopyOp op = {.call = kSendfile64, .in = in, .out = out, .in_off = offset, .count = count};
  return traced_copy(&op);
}

/* copy_file_range and splice: both name an input and output offset. */
static ssize_t traced_range_copy(int call, int in, off64_t* in_off, int out, off64_t* out_off,
                                 size_t count, unsigned int flags) {
  struct CopyOp op = {.call = call,
                      .in = in,
                      .out = out,
                      .in_off = in_off,
                      .out_off = out_off,
                      .count = count,
                      .flags = flags};
  return traced_copy(&op);
}

SHIM_EXPORT ssize_t copy_file_range(int in, off64_t* in_off, int out, off64_t* out_off,
                                    size_t count, unsigned int flags) {
  return traced_range_copy(kCopyFileRange, in, in_off, out, out_off, count, flags);
}

SHIM_EXPORT ssize_t splice(int in, off64_t* in_off, int out, off64_t* out_off, size_t count,
                           unsigned int flags) {
  return traced_range_copy(kSplice, in, in_off, out, out_off, count, flags);
}
