/* stdio streams on files under the root. glibc's stdio writes through
 * internal calls an interposed write() never sees, so the shim records at the
 * stdio calls themselves: for a traced stream it notes the file position (the
 * size for append streams) before the call, makes the real call, and when the
 * position moved records one kTraceWrite of the bytes that reached the
 * kernel, read back from the file through /proc/self/fd. A call that cannot
 * reach the kernel (the data fits the buffer of a fully buffered stream) is
 * passed straight through, so buffered output costs one flockfile. The
 * stream's own lock is taken before the trace lock (always that order).
 * Streams on POWERCUT_ACK_FD record kTraceAck at the call with the bytes the
 * program handed over (formatted with vsnprintf for the printf family). At
 * exit the shim flushes traced streams itself, before libc's final flush. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim_internal.h"

/* With optimisation glibc defines some of these as macros or inlines. */
#undef fwrite_unlocked
#undef fputs_unlocked
#undef putc
#undef putc_unlocked
#undef fputc_unlocked
#undef putchar
#undef putchar_unlocked

#ifndef _IO_UNBUFFERED
#define _IO_UNBUFFERED 0x0002
#endif
#ifndef _IO_LINE_BUF
#define _IO_LINE_BUF 0x0200
#endif
#define SHIM_LEN_UNKNOWN SIZE_MAX

struct StdioCall {
  FILE* f;
  int file_locked; /* flockfile held */
  int traced;      /* trace lock held; `before` and `fd` valid */
  int fd;
  uint64_t before;
  struct ShimFdInfo info;
};

static uint64_t stream_position(int fd, int append) {
  if (append) {
    struct stat st;
    return fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
  }
  off_t pos = lseek(fd, 0, SEEK_CUR);
  return pos < 0 ? 0 : (uint64_t)pos;
}

/* True when writing `len` more bytes may make stdio call the kernel. */
static int may_reach_kernel(FILE* f, size_t len) {
  if (len == SHIM_LEN_UNKNOWN || (f->_flags & (_IO_UNBUFFERED | _IO_LINE_BUF))) return 1;
  if (f->_IO_write_ptr == NULL || f->_IO_write_end < f->_IO_write_ptr) return 1;
  return len > (size_t)(f->_IO_write_end - f->_IO_write_ptr);
}

static int has_pending_output(FILE* f) { return f->_IO_write_ptr > f->_IO_write_base; }

/* Takes the trace lock and notes the position of `fd` when it is tracked. */
static void begin_on_fd(int fd, struct StdioCall* c) {
  ++shim_depth;
  shim_lock();
  if (shim_fd_lookup(fd, &c->info)) {
    c->fd = fd;
    c->traced = 1;
    c->before = stream_position(fd, c->info.append);
  } else {
    shim_unlock();
    --shim_depth;
  }
}

static int traceable_fd(int fd) {
  return fd >= 0 && !shim_is_ack_fd(fd) && shim_fd_maybe_tracked(fd);
}

/* Before a stdio call that may write `len` bytes to `f`. */
static void stdio_begin(FILE* f, size_t len, struct StdioCall* c) {
  c->f = f;
  c->file_locked = 0;
  c->traced = 0;
  if (f == NULL || !shim_active() || !traceable_fd(f->_fileno)) return;
  int saved = errno;
  flockfile(f);
  c->file_locked = 1;
  if (may_reach_kernel(f, len)) begin_on_fd(f->_fileno, c);
  errno = saved;
}

/* Before dprintf-style output straight to a descriptor. */
static void fd_begin(int fd, struct StdioCall* c) {
  c->f = NULL;
  c->file_locked = 0;
  c->traced = 0;
  if (!shim_active() || !traceable_fd(fd)) return;
  int saved = errno;
  begin_on_fd(fd, c);
  errno = saved;
}

static void stdio_end(struct StdioCall* c) {
  int saved = errno;
  if (c->traced) {
    uint64_t after = stream_position(c->fd, c->info.append);
    if (after > c->before) shim_emit_readback_write(c->fd, &c->info, c->before, after - c->before);
    shim_unlock();
    --shim_depth;
  }
  if (c->file_locked) funlockfile(c->f);
  errno = saved;
}

/* kTraceAck for bytes handed to stdio for POWERCUT_ACK_FD. */
static void fd_ack(int fd, const void* data, size_t n) {
  if (n == 0 || !shim_active() || !shim_is_ack_fd(fd)) return;
  int saved = errno;
  ++shim_depth;
  shim_lock();
  shim_emit_ack(data, n, NULL, 0);
  shim_unlock();
  --shim_depth;
  errno = saved;
}

static void stdio_ack(FILE* f, const void* data, size_t n) {
  if (f != NULL) fd_ack(f->_fileno, data, n);
}

static void fd_ack_format(int fd, const char* format, va_list ap) {
  if (!shim_active() || !shim_is_ack_fd(fd)) return;
  char text[4096];
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(text, sizeof text, format, copy);
  va_end(copy);
  if (n > 0) fd_ack(fd, text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
}

/* The length printf would produce, computed only for traced streams. */
static size_t format_length(FILE* f, const char* format, va_list ap) {
  if (f == NULL || !shim_active() || f->_fileno < 0 || !shim_fd_maybe_tracked(f->_fileno)) {
    return 0;
  }
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, format, copy);
  va_end(copy);
  return n < 0 ? SHIM_LEN_UNKNOWN : (size_t)n;
}

/* ---- output calls ---- */

SHIM_DECLARE_REAL(fwrite);
SHIM_DECLARE_REAL(fwrite_unlocked);
SHIM_DECLARE_REAL(fputs);
SHIM_DECLARE_REAL(fputs_unlocked);
SHIM_DECLARE_REAL(fputc);
SHIM_DECLARE_REAL(fputc_unlocked);
SHIM_DECLARE_REAL(putc);
SHIM_DECLARE_REAL(putc_unlocked);
SHIM_DECLARE_REAL(_IO_putc);
SHIM_DECLARE_REAL(putchar);
SHIM_DECLARE_REAL(putchar_unlocked);
SHIM_DECLARE_REAL(puts);
SHIM_DECLARE_REAL(vfprintf);
SHIM_DECLARE_REAL(vprintf);
SHIM_DECLARE_REAL(__vfprintf_chk);
SHIM_DECLARE_REAL(__vprintf_chk);
SHIM_DECLARE_REAL(vdprintf);
SHIM_DECLARE_REAL(__vdprintf_chk);
SHIM_DECLARE_REAL(__overflow);

int _IO_putc(int c, FILE* f);
int __overflow(FILE* f, int c);
int __vfprintf_chk(FILE* f, int flag, const char* format, va_list ap);
int __vprintf_chk(int flag, const char* format, va_list ap);
int __vdprintf_chk(int fd, int flag, const char* format, va_list ap);

/* Wraps `call` (returning `type`) on stream `f` that writes `len` bytes;
 * `ack`/`ack_len` are the bytes an ack stream records. */
#define SHIM_STDIO(type, f, len, ack, ack_len, call) \
  do {                                               \
    struct StdioCall c_;                             \
    stdio_ack(f, ack, ack_len);                      \
    stdio_begin(f, len, &c_);                        \
    type r_ = call;                                  \
    stdio_end(&c_);                                  \
    return r_;                                       \
  } while (0)

static size_t product(size_t a, size_t b) {
  return b != 0 && a > SIZE_MAX / b ? SHIM_LEN_UNKNOWN : a * b;
}

SHIM_EXPORT size_t fwrite(const void* p, size_t size, size_t n, FILE* f) {
  SHIM_STDIO(size_t, f, product(size, n), p, product(size, n), SHIM_REAL(fwrite)(p, size, n, f));
}

SHIM_EXPORT size_t fwrite_unlocked(const void* p, size_t size, size_t n, FILE* f) {
  SHIM_STDIO(size_t, f, product(size, n), p, product(size, n),
             SHIM_REAL(fwrite_unlocked)(p, size, n, f));
}

SHIM_EXPORT int fputs(const char* s, FILE* f) {
  SHIM_STDIO(int, f, strlen(s), s, strlen(s), SHIM_REAL(fputs)(s, f));
}

SHIM_EXPORT int fputs_unlocked(const char* s, FILE* f) {
  SHIM_STDIO(int, f, strlen(s), s, strlen(s), SHIM_REAL(fputs_unlocked)(s, f));
}

#define SHIM_PUTC(real_call, f)                \
  do {                                         \
    char ch_ = (char)c;                        \
    SHIM_STDIO(int, f, 1, &ch_, 1, real_call); \
  } while (0)

SHIM_EXPORT int fputc(int c, FILE* f) { SHIM_PUTC(SHIM_REAL(fputc)(c, f), f); }
SHIM_EXPORT int fputc_unlocked(int c, FILE* f) { SHIM_PUTC(SHIM_REAL(fputc_unlocked)(c, f), f); }
SHIM_EXPORT int putc(int c, FILE* f) { SHIM_PUTC(SHIM_REAL(putc)(c, f), f); }
SHIM_EXPORT int putc_unlocked(int c, FILE* f) { SHIM_PUTC(SHIM_REAL(putc_unlocked)(c, f), f); }
SHIM_EXPORT int _IO_putc(int c, FILE* f) { SHIM_PUTC(SHIM_REAL(_IO_putc)(c, f), f); }
SHIM_EXPORT int putchar(int c) { SHIM_PUTC(SHIM_REAL(putchar)(c), stdout); }
SHIM_EXPORT int putchar_unlocked(int c) { SHIM_PUTC(SHIM_REAL(putchar_unlocked)(c), stdout); }

SHIM_EXPORT int puts(const char* s) {
  stdio_ack(stdout, s, strlen(s));
  SHIM_STDIO(int, stdout, strlen(s) + 1, "\n", 1, SHIM_REAL(puts)(s));
}

/* Called by inlined putc when the buffer is full: may always write. */
SHIM_EXPORT int __overflow(FILE* f, int c) {
  SHIM_STDIO(int, f, SHIM_LEN_UNKNOWN, NULL, 0, SHIM_REAL(__overflow)(f, c));
}

#define SHIM_VPRINTF(f, format, ap, call)                            \
  do {                                                               \
    if ((f) != NULL) fd_ack_format((f)->_fileno, format, ap);        \
    SHIM_STDIO(int, f, format_length(f, format, ap), NULL, 0, call); \
  } while (0)

SHIM_EXPORT int vfprintf(FILE* f, const char* format, va_list ap) {
  SHIM_VPRINTF(f, format, ap, SHIM_REAL(vfprintf)(f, format, ap));
}

SHIM_EXPORT int vprintf(const char* format, va_list ap) {
  SHIM_VPRINTF(stdout, format, ap, SHIM_REAL(vprintf)(format, ap));
}

SHIM_EXPORT int __vfprintf_chk(FILE* f, int flag, const char* format, va_list ap) {
  SHIM_VPRINTF(f, format, ap, SHIM_REAL(__vfprintf_chk)(f, flag, format, ap));
}

SHIM_EXPORT int __vprintf_chk(int flag, const char* format, va_list ap) {
  SHIM_VPRINTF(stdout, format, ap, SHIM_REAL(__vprintf_chk)(flag, format, ap));
}

SHIM_EXPORT int fprintf(FILE* f, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = vfprintf(f, format, ap);
  va_end(ap);
  return n;
}

SHIM_EXPORT int printf(const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = vprintf(format, ap);
  va_end(ap);
  return n;
}

SHIM_EXPORT int __fprintf_chk(FILE* f, int flag, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = __vfprintf_chk(f, flag, format, ap);
  va_end(ap);
  return n;
}

SHIM_EXPORT int __printf_chk(int flag, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = __vprintf_chk(flag, format, ap);
  va_end(ap);
  return n;
}

#define SHIM_VDPRINTF(fd, format, ap, call) \
  do {                                      \
    fd_ack_format(fd, format, ap);          \
    struct StdioCall c_;                    \
    fd_begin(fd, &c_);                      \
    int r_ = call;                          \
    stdio_end(&c_);                         \
    return r_;                              \
  } while (0)

SHIM_EXPORT int vdprintf(int fd, const char* format, va_list ap) {
  SHIM_VDPRINTF(fd, format, ap, SHIM_REAL(vdprintf)(fd, format, ap));
}

SHIM_EXPORT int __vdprintf_chk(int fd, int flag, const char* format, va_list ap) {
  SHIM_VDPRINTF(fd, format, ap, SHIM_REAL(__vdprintf_chk)(fd, flag, format, ap));
}

SHIM_EXPORT int dprintf(int fd, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = vdprintf(fd, format, ap);
  va_end(ap);
  return n;
}

int __dprintf_chk(int fd, int flag, const char* format, ...);
SHIM_EXPORT int __dprintf_chk(int fd, int flag, const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = __vdprintf_chk(fd, flag, format, ap);
  va_end(ap);
  return n;
}

int shim_stdio_flush(FILE* f, int (*real)(FILE*)) {
  struct StdioCall c;
  stdio_begin(f, has_pending_output(f) ? SHIM_LEN_UNKNOWN : 0, &c);
  int rc = real(f);
  stdio_end(&c);
  return rc;
}
