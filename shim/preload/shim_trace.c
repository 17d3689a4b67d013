/* Appending records to the mapped trace (format: shim/trace_format.h). The
 * trace lock is a robust, process-shared mutex in the header's private area;
 * a record is reserved (bytes written, commit 0, `end` advanced), filled, and
 * committed last, so a process killed at any point leaves either nothing or
 * an uncommitted record that readers skip. Nothing here allocates or makes a
 * system call except pread for kShimDataFile and the first-drop warning. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "shim_internal.h"

void shim_record_init(struct ShimRecord* r, uint16_t kind) {
  memset(r, 0, sizeof *r);
  r->kind = kind;
  r->fd = -1;
}

/* Waits for the lock in slices: a robust futex whose owner died while
 * another process's waiter was between checks has been seen to leave that
 * waiter asleep with the owner-died state never delivered (a lost wake-up);
 * a waiter that wakes up on its own re-reads the state and takes over. */
enum { kLockSliceNanos = 200 * 1000 * 1000 };

/* TSan (gcc 12's libtsan) does not intercept pthread_mutex_clocklock, and its
 * pthread_mutex_timedlock does not count EOWNERDEAD as taking the lock: a lock
 * taken that way is invisible to TSan, which then reports the unlock as "of
 * an unlocked mutex" and every access under it as a race. Its trylock does
 * both right, so the TSan build of the shim polls with trylock (1 ms naps)
 * instead of sleeping on the futex; the lock and its owner-died handling are
 * the same. */
#if defined(__SANITIZE_THREAD__)
static int lock_slowly(pthread_mutex_t* lock) {
  for (;;) {
    int rc = pthread_mutex_trylock(lock);
    if (rc != EBUSY) return rc;
    struct timespec nap = {0, 1000 * 1000};
    nanosleep(&nap, NULL);
  }
}
#else
static int lock_slowly(pthread_mutex_t* lock) {
  for (;;) {
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += kLockSliceNanos;
    if (deadline.tv_nsec >= 1000000000) {
      deadline.tv_nsec -= 1000000000;
      ++deadline.tv_sec;
    }
    int rc = pthread_mutex_clocklock(lock, CLOCK_MONOTONIC, &deadline);
    if (rc != ETIMEDOUT) return rc;
  }
}
#endif

void shim_lock(void) {
  int rc = pthread_mutex_trylock(&shim.shared->lock);
  if (rc == EBUSY) rc = lock_slowly(&shim.shared->lock);
  if (SHIM_UNLIKELY(rc == EOWNERDEAD)) {
    /* The owner died holding the lock: whatever record it was writing stays
     * uncommitted (readers skip it by its `bytes`). */
    uint64_t inflight = shim.shared->inflight;
    if (inflight != 0) {
      struct TraceRecord* dead = (struct TraceRecord*)(shim.base + inflight);
      __atomic_store_n(&dead->commit, 0u, __ATOMIC_RELEASE);
      shim.shared->inflight = 0;
    }
    pthread_mutex_consistent(&shim.shared->lock);
  } else if (SHIM_UNLIKELY(rc != 0)) {
    shim_say("powercut shim: the trace lock is unusable: ", strerror(rc), "; aborting\n");
    abort();
  }
}

void shim_unlock(void) { pthread_mutex_unlock(&shim.shared->lock); }

static size_t data_length(const struct ShimRecord* r) {
  return r->data_source == kShimDataNone ? 0 : r->data_len;
}

/* Faulting the sparse trace in page by page costs a trap each; instead the
 * shim prefaults it a chunk at a time (one madvise per 1 MiB, Linux >= 5.14;
 * older kernels refuse it and the pages fault in as before). */
enum { kPrefaultChunk = 1 << 20 };

static void prefault_ahead(uint64_t old_end, uint64_t new_end) {
  uint64_t chunk = (new_end + kPrefaultChunk - 1) / kPrefaultChunk;
  if (chunk == (old_end + kPrefaultChunk - 1) / kPrefaultChunk) return;
  uint64_t start = chunk * (uint64_t)kPrefaultChunk;
  if (start + kPrefaultChunk > shim.capacity) return;
  madvise(shim.base + start, kPrefaultChunk, MADV_POPULATE_WRITE);
}

/* REQUIRES: the lock. Reserves space for `r`; returns its offset or 0. */
static uint64_t reserve(const struct ShimRecord* r, struct TraceRecord** out) {
  struct TraceHeader* h = shim.header;
  uint64_t need =
      (sizeof(struct TraceRecord) + r->path_len + r->path2_len + data_length(r) + 7) & ~(uint64_t)7;
  uint64_t offset = h->end;
  if (SHIM_UNLIKELY(need > UINT32_MAX || offset + need > shim.capacity)) {
    ++h->dropped;
    if (!shim.shared->drop_warned) {
      shim.shared->drop_warned = 1;
      shim_say(
          "powercut shim: WARNING: trace capacity exhausted; records are being dropped "
          "(raise POWERCUT_TRACE_CAPACITY)\n",
          NULL, NULL);
    }
    return 0;
  }
  struct TraceRecord* rec = (struct TraceRecord*)(shim.base + offset);
  rec->bytes = (uint32_t)need;
  rec->commit = 0;
  shim.shared->inflight = offset;
  h->end = offset + need;
  prefault_ahead(offset, offset + need);
  rec->seq = h->next_seq++;
  rec->kind = r->kind;
  rec->flag_bits = r->flag_bits;
  rec->pid = shim.pid;
  rec->tid = shim_tid();
  rec->fd = r->fd;
  rec->result = r->result;
  rec->err = r->err;
  rec->flags = r->flags;
  rec->mode = r->mode;
  rec->path_len = (uint32_t)r->path_len;
  rec->path2_len = (uint32_t)r->path2_len;
  rec->data_len = (uint32_t)data_length(r);
  rec->offset = r->offset;
  rec->length = r->length;
  *out = rec;
  return offset;
}

static void copy_iovec(char* dst, const struct iovec* iov, int iovcnt, size_t len) {
  for (int i = 0; i < iovcnt && len > 0; ++i) {
    size_t n = iov[i].iov_len < len ? iov[i].iov_len : len;
    memcpy(dst, iov[i].iov_base, n);
    dst += n;
    len -= n;
  }
}

/* Reads the bytes back from a file (stdio flushes); zeros what cannot be read. */
static void copy_file(char* dst, int fd, uint64_t offset, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = pread(fd, dst + done, len - done, (off_t)(offset + done));
    if (n <= 0) break;
    done += (size_t)n;
  }
  if (done < len) memset(dst + done, 0, len - done);
}

static void fill_payload(struct TraceRecord* rec, const struct ShimRecord* r) {
  char* p = (char*)(rec + 1);
  /* memcpy with a null pointer is undefined even for 0 bytes (C11 7.24.1p2;
   * UBSan flags it): a later write of a descriptor carries no path. */
  if (r->path_len) memcpy(p, r->path, r->path_len);
  p += r->path_len;
  if (r->path2_len) memcpy(p, r->path2, r->path2_len);
  p += r->path2_len;
  size_t len = data_length(r);
  if (r->data_source == kShimDataBuffer) {
    if (len) memcpy(p, r->data, len);
  } else if (r->data_source == kShimDataIovec) {
    copy_iovec(p, r->iov, r->iovcnt, len);
  } else if (r->data_source == kShimDataFile) {
    copy_file(p, r->data_fd, r->data_off, len);
  }
  p += len;
  size_t used = (size_t)(p - (char*)rec);
  if (used < rec->bytes) memset(p, 0, rec->bytes - used);
}

void shim_emit(const struct ShimRecord* r) {
  struct TraceRecord* rec = NULL;
  uint64_t offset = reserve(r, &rec);
  if (offset == 0) return;
  fill_payload(rec, r);
  __atomic_store_n(&rec->commit, kTraceCommitted, __ATOMIC_RELEASE);
  shim.shared->inflight = 0;
}

uint64_t shim_reserve(const struct ShimRecord* r) {
  struct TraceRecord* rec = NULL;
  uint64_t offset = reserve(r, &rec);
  if (offset == 0) return 0;
  fill_payload(rec, r);
  shim.shared->inflight = 0; /* uncommitted until shim_commit_reserved */
  return offset;
}

void shim_commit_reserved(uint64_t offset, int64_t result, int32_t err, uint16_t flag_bits) {
  if (offset == 0) return;
  struct TraceRecord* rec = (struct TraceRecord*)(shim.base + offset);
  rec->result = result;
  rec->err = err;
  rec->flag_bits |= flag_bits;
  __atomic_store_n(&rec->commit, kTraceCommitted, __ATOMIC_RELEASE);
}
