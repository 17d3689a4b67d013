/* Paths and descriptors: lexical normalisation, resolution of relative and
 * *at paths against the cwd or a directory descriptor, the root test, and the
 * per-process descriptor table (a fixed array; descriptors beyond it are
 * resolved through /proc/self/fd on every call instead of being cached).
 * Table entries of tracked descriptors are written under the trace lock;
 * `state` is read without it (atomically) so untracked descriptors cost one
 * load. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shim_internal.h"

static struct ShimFd fd_table[kShimFdTableSize];
/* The highest fd ever tracked. Threads open files at once, so it is raised
 * with a compare-and-swap loop (a plain `if (fd > hw) hw = fd` lost raises
 * under TSan's 4-thread stress) and read with atomic loads. */
static int fd_high_water = -1;

static int load_high_water(void) { return __atomic_load_n(&fd_high_water, __ATOMIC_ACQUIRE); }

static void raise_high_water(int fd) {
  int seen = load_high_water();
  while (fd > seen && !__atomic_compare_exchange_n(&fd_high_water, &seen, fd, /*weak=*/1,
                                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
  }
}

int shim_normalise(const char* in, char* out) {
  size_t len = 0;
  const char* p = in;
  while (*p != '\0') {
    while (*p == '/') ++p;
    const char* start = p;
    while (*p != '\0' && *p != '/') ++p;
    size_t n = (size_t)(p - start);
    if (n == 0 || (n == 1 && start[0] == '.')) continue;
    if (n == 2 && start[0] == '.' && start[1] == '.') {
      while (len > 0 && out[len - 1] != '/') --len;
      if (len > 0) --len; /* the '/' before the dropped component */
      continue;
    }
    if (len + 1 + n >= PATH_MAX) return -1;
    out[len++] = '/';
    memcpy(out + len, start, n);
    len += n;
  }
  if (len == 0) out[len++] = '/';
  out[len] = '\0';
  return (int)len;
}

static int has_prefix_dir(const char* path, size_t len, const char* dir, size_t dir_len) {
  if (dir_len == 1) return 1; /* "/" holds everything */
  return len >= dir_len && memcmp(path, dir, dir_len) == 0 &&
         (len == dir_len || path[dir_len] == '/');
}

/* Keeps `out` (normalised, length len) when under the root, rewriting a
 * realpath spelling of the root to the trace's spelling. */
static int under_root(char* out, int len) {
  if (len < 0) return -1;
  if (has_prefix_dir(out, (size_t)len, shim.root, shim.root_len)) return len;
  if (shim.real_root_len == 0 ||
      !has_prefix_dir(out, (size_t)len, shim.real_root, shim.real_root_len)) {
    return -1;
  }
  size_t rest = (size_t)len - shim.real_root_len;
  if (shim.root_len + rest >= PATH_MAX) return -1;
  memmove(out + shim.root_len, out + shim.real_root_len, rest + 1);
  memcpy(out, shim.root, shim.root_len);
  return (int)(shim.root_len + rest);
}

void shim_proc_fd_path(int fd, char out[32]) {
  static const char kPrefix[] = "/proc/self/fd/";
  memcpy(out, kPrefix, sizeof kPrefix - 1);
  char digits[12];
  int n = 0;
  unsigned int value = (unsigned int)fd;
  do {
    digits[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  size_t at = sizeof kPrefix - 1;
  while (n > 0) out[at++] = digits[--n];
  out[at] = '\0';
}

/* The directory `dirfd` names (AT_FDCWD: the cwd), absolute, into dir. */
static int directory_of(int dirfd, char* dir) {
  if (dirfd == AT_FDCWD) return getcwd(dir, PATH_MAX) != NULL ? (int)strlen(dir) : -1;
  char link[32];
  shim_proc_fd_path(dirfd, link);
  ssize_t n = readlink(link, dir, PATH_MAX - 1);
  if (n <= 0 || dir[0] != '/') return -1;
  dir[n] = '\0';
  return (int)n;
}

int shim_resolve_path(int dirfd, const char* path, char* out) {
  if (path == NULL || path[0] == '\0') return -1;
  if (path[0] == '/') return under_root(out, shim_normalise(path, out));
  char joined[2 * PATH_MAX];
  int n = directory_of(dirfd, joined);
  size_t plen = strlen(path);
  if (n < 0 || (size_t)n + 1 + plen >= sizeof joined) return -1;
  joined[n] = '/';
  memcpy(joined + n + 1, path, plen + 1);
  return under_root(out, shim_normalise(joined, out));
}

uint32_t shim_rule_mask_for(const char* path) {
  uint32_t mask = 0;
  for (int i = 0; i < shim.nrules; ++i) {
    if (fnmatch(shim.rules[i].glob, path, 0) == 0) mask |= 1u << i;
  }
  return mask;
}

/* Resolves an fd the shim has not seen opened, via /proc/self/fd. Returns 1
 * and fills info when it is a live file under the root. */
static int resolve_unknown(int fd, struct ShimFdInfo* info) {
  char link[32];
  char target[PATH_MAX];
  shim_proc_fd_path(fd, link);
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n <= 0) return -1; /* not open: nothing to cache */
  target[n] = '\0';
  static const char kDeleted[] = " (deleted)";
  size_t dl = sizeof kDeleted - 1;
  if (target[0] != '/' || ((size_t)n > dl && strcmp(target + n - dl, kDeleted) == 0)) return 0;
  int len = under_root(info->path, shim_normalise(target, info->path));
  if (len < 0) return 0;
  int fl = fcntl(fd, F_GETFL);
  info->path_len = (size_t)len;
  info->append = fl >= 0 && (fl & O_APPEND) != 0;
  info->rule_mask = shim_rule_mask_for(info->path);
  info->tracked = 1;
  return 1;
}

int shim_fd_maybe_tracked(int fd) {
  if (fd < 0) return 0;
  if (fd >= kShimFdTableSize) return 1;
  return __atomic_load_n(&fd_table[fd].state, __ATOMIC_ACQUIRE) != kFdUntracked;
}

int shim_fd_lookup(int fd, struct ShimFdInfo* info) {
  info->tracked = 0;
  if (fd < 0) return 0;
  if (fd >= kShimFdTableSize) return resolve_unknown(fd, info) == 1;
  struct ShimFd* e = &fd_table[fd];
  int state = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);
  if (state == kFdUntracked) return 0;
  if (state == kFdTracked) {
    info->tracked = 1;
    info->append = e->append;
    info->rule_mask = e->rule_mask;
    info->path_len = e->path_len;
    memcpy(info->path, e->path, e->path_len + 1);
    return 1;
  }
  int rc = resolve_unknown(fd, info);
  if (rc == 1) {
    shim_fd_set_tracked(fd, info->path, info->path_len, info->append);
  } else if (rc == 0) {
    shim_fd_set_untracked(fd);
  }
  return rc == 1;
}

void shim_fd_set_tracked(int fd, const char* path, size_t len, int append) {
  if (fd < 0 || fd >= kShimFdTableSize) return;
  struct ShimFd* e = &fd_table[fd];
  __atomic_store_n(&e->state, kFdUnknown, __ATOMIC_RELEASE);
  memcpy(e->path, path, len + 1);
  e->path_len = len;
  e->append = append;
  e->rule_mask = shim_rule_mask_for(e->path);
  e->stream = NULL;
  e->private_offset = 0;
  e->cached_offset = -1;
  e->announced_pid = 0;
  raise_high_water(fd);
  __atomic_store_n(&e->state, kFdTracked, __ATOMIC_RELEASE);
}

void shim_fd_set_opened(int fd, const char* path, size_t len, int append) {
  shim_fd_set_tracked(fd, path, len, append);
  if (fd < 0 || fd >= kShimFdTableSize || append) return;
  struct ShimFd* e = &fd_table[fd];
  e->cached_moves = __atomic_load_n(&e->moves, __ATOMIC_SEQ_CST);
  e->cached_offset = 0;
  e->private_offset = 1;
}

int shim_fd_cached_offset(int fd, uint64_t* moves, int64_t* offset) {
  if (fd < 0 || fd >= kShimFdTableSize) return 0;
  struct ShimFd* e = &fd_table[fd];
  *moves = __atomic_load_n(&e->moves, __ATOMIC_SEQ_CST);
  if (!e->private_offset || e->cached_offset < 0 || e->cached_moves != *moves) return 0;
  *offset = e->cached_offset;
  return 1;
}

void shim_fd_store_offset(int fd, uint64_t moves, int64_t offset) {
  if (fd < 0 || fd >= kShimFdTableSize) return;
  struct ShimFd* e = &fd_table[fd];
  int unchanged = __atomic_load_n(&e->moves, __ATOMIC_SEQ_CST) == moves;
  e->cached_offset = e->private_offset && unchanged ? offset : -1;
  e->cached_moves = moves;
}

int shim_fd_path_announced(int fd) {
  if (fd < 0 || fd >= kShimFdTableSize) return 0;
  struct ShimFd* e = &fd_table[fd];
  return __atomic_load_n(&e->state, __ATOMIC_ACQUIRE) == kFdTracked &&
         e->announced_pid == (int32_t)shim.pid;
}

void shim_fd_mark_announced(int fd) {
  if (fd < 0 || fd >= kShimFdTableSize) return;
  struct ShimFd* e = &fd_table[fd];
  if (__atomic_load_n(&e->state, __ATOMIC_ACQUIRE) == kFdTracked)
    e->announced_pid = (int32_t)shim.pid;
}

void shim_fd_offset_moving(int fd) {
  if (fd < 0 || fd >= kShimFdTableSize) return;
  if (__atomic_load_n(&fd_table[fd].state, __ATOMIC_ACQUIRE) != kFdTracked) return;
  __atomic_add_fetch(&fd_table[fd].moves, 1, __ATOMIC_SEQ_CST);
}

void shim_fd_share_all(void) {
  const int top = load_high_water();
  for (int fd = 0; fd <= top; ++fd) fd_table[fd].private_offset = 0;
}

void shim_fd_set_untracked(int fd) {
  if (fd < 0 || fd >= kShimFdTableSize) return;
  fd_table[fd].stream = NULL;
  __atomic_store_n(&fd_table[fd].state, kFdUntracked, __ATOMIC_RELEASE);
}

void shim_fd_forget(int fd) {
  if (fd < 0 || fd >= kShimFdTableSize) return;
  shim_ack_fd_closed(fd);
  fd_table[fd].stream = NULL;
  __atomic_store_n(&fd_table[fd].state, kFdUnknown, __ATOMIC_RELEASE);
}

void shim_fd_copy(int from, int to) {
  if (to < 0 || to >= kShimFdTableSize || from == to) return;
  if (from >= 0 && from < kShimFdTableSize) fd_table[from].private_offset = 0;
  struct ShimFdInfo info;
  if (shim_fd_lookup(from, &info)) {
    shim_fd_set_tracked(to, info.path, info.path_len, info.append);
  } else if (from >= 0 && from < kShimFdTableSize &&
             __atomic_load_n(&fd_table[from].state, __ATOMIC_ACQUIRE) == kFdUntracked) {
    shim_fd_set_untracked(to);
  } else {
    shim_fd_forget(to);
  }
  shim_ack_fd_copied(from, to);
}

void shim_fd_set_append(int fd, int append) {
  if (fd < 0 || fd >= kShimFdTableSize) return;
  fd_table[fd].append = append;
  if (append) fd_table[fd].private_offset = 0;
}

void shim_fd_set_stream(int fd, FILE* stream) {
  if (fd < 0 || fd >= kShimFdTableSize) return;
  fd_table[fd].stream = stream;
  fd_table[fd].private_offset = 0; /* stdio reads and seeks behind us */
}

FILE* shim_fd_stream(int fd) {
  if (fd < 0 || fd >= kShimFdTableSize) return NULL;
  if (__atomic_load_n(&fd_table[fd].state, __ATOMIC_ACQUIRE) != kFdTracked) return NULL;
  return fd_table[fd].stream;
}

int shim_fd_high_water(void) { return load_high_water(); }

void shim_fd_renamed(const char* from, size_t from_len, const char* to, size_t to_len) {
  const int top = load_high_water();
  for (int fd = 0; fd <= top; ++fd) {
    struct ShimFd* e = &fd_table[fd];
    if (__atomic_load_n(&e->state, __ATOMIC_ACQUIRE) != kFdTracked) continue;
    if (e->path_len == to_len && memcmp(e->path, to, to_len) == 0) {
      shim_fd_set_untracked(fd); /* replaced: its file has no name now */
      continue;
    }
    if (!has_prefix_dir(e->path, e->path_len, from, from_len)) continue;
    size_t rest = e->path_len - from_len;
    if (to_len + rest >= PATH_MAX) continue;
    char moved[PATH_MAX];
    memcpy(moved, to, to_len);
    memcpy(moved + to_len, e->path + from_len, rest + 1);
    FILE* stream = e->stream;
    int private_offset = e->private_offset;
    int64_t cached_offset = e->cached_offset;
    shim_fd_set_tracked(fd, moved, to_len + rest, e->append);
    e->stream = stream;
    e->private_offset = private_offset;
    e->cached_offset = cached_offset;
  }
}

void shim_fd_unlinked(const char* path, size_t len) {
  const int top = load_high_water();
  for (int fd = 0; fd <= top; ++fd) {
    struct ShimFd* e = &fd_table[fd];
    if (__atomic_load_n(&e->state, __ATOMIC_ACQUIRE) == kFdTracked && e->path_len == len &&
        memcmp(e->path, path, len) == 0) {
      shim_fd_set_untracked(fd);
    }
  }
}
