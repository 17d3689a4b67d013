/* Shared, writable mappings of files under the root: mmap, munmap, msync,
 * and the pages a mapping changed. mmap of a tracked descriptor with
 * MAP_SHARED + PROT_WRITE remembers the mapping (a fixed table of
 * kMaxMappings; more are not tracked) with a *shadow*: a private anonymous
 * copy of the mapped bytes as they were at mmap time (bytes past the file's
 * end are zeros, as the file reads when it grows). Stores through the mapping
 * reach the page cache without any call; the shim finds them by comparing the
 * mapping with its shadow page by page:
 *
 *   msync(addr, len, flags)  records each run of changed pages of the range as
 *                            a kTraceWrite (fd -1, path of the mapping), then
 *                            kTraceMsync for the range (no data), two-phase
 *                            like fsync; the shadow takes the recorded bytes.
 *                            MS_SYNC makes the range durable (the loader);
 *                            MS_ASYNC nothing.
 *   munmap, process exit     record the changed pages as kTraceWrite only:
 *                            they make nothing durable (mm/msync.c, msync(2)).
 *
 * Only pages inside the file's current size are compared (touching a page
 * past the end raises SIGBUS): the size comes from stat of the mapping's path
 * while it still names the same file (device and inode); a mapping whose file lost that name
 * records nothing, as writes through an unlinked descriptor do not. The shadow costs as much memory
 * as the mapped part of the file. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim_internal.h"

SHIM_DECLARE_REAL(mmap);
SHIM_DECLARE_REAL(mmap64);
SHIM_DECLARE_REAL(munmap);
SHIM_DECLARE_REAL(msync);

enum { kMaxMappings = 256 };

struct Mapping {
  char* addr; /* NULL: free slot */
  size_t len;
  uint64_t file_offset;
  int fd;    /* the descriptor it was mapped from (may be closed since) */
  dev_t dev; /* the file, to tell whether fd or path still name it */
  ino_t ino;
  uint64_t known_size;   /* the file's size when last seen */
  unsigned char* shadow; /* len bytes: the contents as last recorded */
  size_t path_len;
  char path[PATH_MAX];
};

static struct Mapping mappings[kMaxMappings]; /* guarded by the trace lock */

static size_t page_size(void) {
  static size_t size;
  if (size == 0) size = (size_t)sysconf(_SC_PAGESIZE);
  return size;
}

/* Whether the mapping's path still names its file: pages of a file whose
 * name was unlinked or renamed over can reach no crash image (SQLite unlinks
 * its -shm file before unmapping it), so they are not recorded. Refreshes
 * known_size. REQUIRES: the lock. */
static int still_named(struct Mapping* m) {
  struct stat st;
  if (stat(m->path, &st) != 0 || st.st_dev != m->dev || st.st_ino != m->ino) return 0;
  m->known_size = (uint64_t)st.st_size;
  return 1;
}

/* How many bytes of the mapping lie inside the file of `size` bytes. */
static size_t inside_file(const struct Mapping* m, uint64_t size) {
  if (size <= m->file_offset) return 0;
  return size - m->file_offset < m->len ? (size_t)(size - m->file_offset) : m->len;
}

/* REQUIRES: the lock. Records [from, to) of the mapping as one kTraceWrite
 * and copies it into the shadow. */
static void emit_run(struct Mapping* m, size_t from, size_t to) {
  struct ShimRecord r;
  shim_record_init(&r, kTraceWrite);
  r.path = m->path;
  r.path_len = m->path_len;
  r.offset = m->file_offset + from;
  r.length = to - from;
  r.result = (int64_t)(to - from);
  r.data_source = kShimDataBuffer;
  r.data = m->addr + from;
  r.data_len = to - from;
  shim_emit(&r);
  memcpy(m->shadow + from, m->addr + from, to - from);
}

/* REQUIRES: the lock. Records every run of pages of [from, to) (offsets in
 * the mapping) that differ from the shadow, clipped to the file's end. */
static void emit_changed_pages(struct Mapping* m, size_t from, size_t to) {
  if (!still_named(m)) return;
  size_t end = inside_file(m, m->known_size);
  if (to > end) to = end;
  size_t page = page_size();
  size_t run = 0, run_end = 0; /* the current run of changed pages, when run_end > 0 */
  for (size_t at = from - from % page; at < to; at += page) {
    size_t n = at + page < end ? page : end - at;
    if (memcmp(m->addr + at, m->shadow + at, n) != 0) {
      if (run_end == 0) run = at;
      run_end = at + n;
    } else if (run_end > 0) {
      emit_run(m, run, run_end);
      run_end = 0;
    }
  }
  if (run_end > 0) emit_run(m, run, run_end);
}

static void forget(struct Mapping* m) {
  if (m->shadow != NULL) SHIM_REAL(munmap)(m->shadow, m->len);
  m->shadow = NULL;
  m->addr = NULL;
}

/* REQUIRES: the lock. Fills a free slot for `addr` (mapped from the tracked
 * `fd`, `info`); a full table leaves the mapping untracked. */
static void remember_locked(void* addr, size_t len, int fd, off64_t offset,
                            const struct ShimFdInfo* info) {
  struct stat st;
  if (fstat(fd, &st) != 0) return;
  for (int i = 0; i < kMaxMappings; ++i) {
    struct Mapping* m = &mappings[i];
    if (m->addr != NULL) continue;
    void* shadow = SHIM_REAL(mmap)(NULL, len, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (shadow == MAP_FAILED) return;
    m->addr = addr;
    m->len = len;
    m->file_offset = (uint64_t)offset;
    m->fd = fd;
    m->dev = st.st_dev;
    m->ino = st.st_ino;
    m->known_size = (uint64_t)st.st_size;
    m->shadow = shadow;
    memcpy(m->shadow, addr, inside_file(m, m->known_size));
    m->path_len = info->path_len;
    memcpy(m->path, info->path, info->path_len + 1);
    return;
  }
}

static void* mmap_common(void* addr, size_t len, int prot, int flags, int fd, off64_t offset,
                         void* result) {
  int shared = (flags & MAP_TYPE) == MAP_SHARED || (flags & MAP_TYPE) == MAP_SHARED_VALIDATE;
  if (result == MAP_FAILED || !shared || !(prot & PROT_WRITE) || fd < 0 || !shim_active() ||
      !shim_fd_maybe_tracked(fd)) {
    return result;
  }
  int saved = errno;
  ++shim_depth;
  shim_lock();
  struct ShimFdInfo info;
  if (shim_fd_lookup(fd, &info)) remember_locked(result, len, fd, offset, &info);
  shim_unlock();
  --shim_depth;
  errno = saved;
  return result;
}

SHIM_EXPORT void* mmap(void* addr, size_t len, int prot, int flags, int fd, off_t offset) {
  return mmap_common(addr, len, prot, flags, fd, offset,
                     SHIM_REAL(mmap)(addr, len, prot, flags, fd, offset));
}

SHIM_EXPORT void* mmap64(void* addr, size_t len, int prot, int flags, int fd, off64_t offset) {
  return mmap_common(addr, len, prot, flags, fd, offset,
                     SHIM_REAL(mmap64)(addr, len, prot, flags, fd, offset));
}

static int overlaps(const struct Mapping* m, const char* start, size_t len) {
  return m->addr != NULL && m->addr < start + len && start < m->addr + m->len;
}

/* munmap makes nothing durable: the changed pages of every mapping it touches
 * are recorded as pending writes (while still mapped), then forgotten. */
SHIM_EXPORT int munmap(void* addr, size_t len) {
  if (!shim_active()) return SHIM_REAL(munmap)(addr, len);
  int saved = errno;
  ++shim_depth;
  shim_lock();
  for (int i = 0; i < kMaxMappings; ++i) {
    if (overlaps(&mappings[i], addr, len)) emit_changed_pages(&mappings[i], 0, mappings[i].len);
  }
  errno = saved;
  int rc = SHIM_REAL(munmap)(addr, len);
  saved = errno;
  for (int i = 0; rc == 0 && i < kMaxMappings; ++i) {
    if (overlaps(&mappings[i], addr, len)) forget(&mappings[i]);
  }
  shim_unlock();
  --shim_depth;
  errno = saved;
  return rc;
}

void shim_mmap_record_at_exit(void) {
  shim_lock();
  for (int i = 0; i < kMaxMappings; ++i) {
    if (mappings[i].addr != NULL) emit_changed_pages(&mappings[i], 0, mappings[i].len);
  }
  shim_unlock();
}

/* REQUIRES: the lock. The changed pages of `m` inside [start, start+len) and
 * the reserved kTraceMsync record of that part; returns its offset (0 when
 * dropped). */
static uint64_t record_msync(struct Mapping* m, char* start, size_t len, int flags) {
  size_t from = start > m->addr ? (size_t)(start - m->addr) : 0;
  size_t to = start + len < m->addr + m->len ? (size_t)(start + len - m->addr) : m->len;
  emit_changed_pages(m, from, to);
  struct ShimRecord r;
  shim_record_init(&r, kTraceMsync);
  r.fd = m->fd;
  r.path = m->path;
  r.path_len = m->path_len;
  r.offset = m->file_offset + from;
  r.length = to - from;
  r.flags = (uint32_t)flags;
  return shim_reserve(&r);
}

SHIM_EXPORT int msync(void* addr, size_t len, int flags) {
  if (!shim_active()) return SHIM_REAL(msync)(addr, len, flags);
  int saved = errno;
  ++shim_depth;
  uint64_t reserved[kMaxMappings];
  int nreserved = 0;
  shim_lock();
  for (int i = 0; i < kMaxMappings; ++i) {
    if (overlaps(&mappings[i], addr, len) && still_named(&mappings[i])) {
      reserved[nreserved++] = record_msync(&mappings[i], addr, len, flags);
    }
  }
  shim_unlock();
  errno = saved;
  int rc = SHIM_REAL(msync)(addr, len, flags);
  saved = errno;
  for (int i = 0; i < nreserved; ++i) {
    shim_commit_reserved(reserved[i], rc, rc < 0 ? saved : 0, rc < 0 ? kTraceFailed : 0);
  }
  --shim_depth;
  errno = saved;
  return rc;
}
