/* msync of shared, writable mappings of files under the root. mmap records
 * which file and offset a MAP_SHARED + PROT_WRITE mapping of a tracked
 * descriptor shows (a fixed table of kMaxMappings; more are not tracked);
 * munmap forgets every mapping it overlaps. msync records kTraceMsync with
 * the mapped bytes as they are at msync time, in two phases like fsync.
 * Stores through a mapping that is never msync'ed are not seen (limit). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

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
  int fd;
  size_t path_len;
  char path[PATH_MAX];
};

static struct Mapping mappings[kMaxMappings]; /* guarded by the trace lock */

void shim_mmap_forget_all(void) {
  for (int i = 0; i < kMaxMappings; ++i) mappings[i].addr = NULL;
}

static void remember(void* addr, size_t len, int fd, off64_t offset) {
  shim_lock();
  struct ShimFdInfo info;
  if (shim_fd_lookup(fd, &info)) {
    for (int i = 0; i < kMaxMappings; ++i) {
      if (mappings[i].addr != NULL) continue;
      mappings[i].addr = addr;
      mappings[i].len = len;
      mappings[i].file_offset = (uint64_t)offset;
      mappings[i].fd = fd;
      mappings[i].path_len = info.path_len;
      memcpy(mappings[i].path, info.path, info.path_len + 1);
      break;
    }
  }
  shim_unlock();
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
  remember(result, len, fd, offset);
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

SHIM_EXPORT int munmap(void* addr, size_t len) {
  int rc = SHIM_REAL(munmap)(addr, len);
  if (rc != 0 || !shim_active()) return rc;
  int saved = errno;
  ++shim_depth;
  shim_lock();
  char* start = addr;
  for (int i = 0; i < kMaxMappings; ++i) {
    char* m = mappings[i].addr;
    if (m != NULL && m < start + len && start < m + mappings[i].len) mappings[i].addr = NULL;
  }
  shim_unlock();
  --shim_depth;
  errno = saved;
  return rc;
}

SHIM_EXPORT int msync(void* addr, size_t len, int flags) {
  if (!shim_active()) return SHIM_REAL(msync)(addr, len, flags);
  int saved = errno;
  ++shim_depth;
  shim_lock();
  char* start = addr;
  uint64_t reserved = 0;
  for (int i = 0; i < kMaxMappings; ++i) {
    struct Mapping* m = &mappings[i];
    if (m->addr == NULL || start < m->addr || start >= m->addr + m->len) continue;
    size_t n = len;
    if (n > (size_t)(m->addr + m->len - start)) n = (size_t)(m->addr + m->len - start);
    struct ShimRecord r;
    shim_record_init(&r, kTraceMsync);
    r.fd = m->fd;
    r.path = m->path;
    r.path_len = m->path_len;
    r.offset = m->file_offset + (uint64_t)(start - m->addr);
    r.length = n;
    r.flags = (uint32_t)flags;
    r.data_source = kShimDataBuffer;
    r.data = start;
    r.data_len = n;
    reserved = shim_reserve(&r);
    break;
  }
  shim_unlock();
  errno = saved;
  int rc = SHIM_REAL(msync)(addr, len, flags);
  saved = errno;
  shim_commit_reserved(reserved, rc, rc < 0 ? saved : 0, rc < 0 ? kTraceFailed : 0);
  --shim_depth;
  errno = saved;
  return rc;
}
