/* Namespace operations under the root: rename/renameat/renameat2,
 * link/linkat, unlink/unlinkat, remove, mkdir/mkdirat and rmdir. Each runs
 * under the trace lock and is recorded (failures too, with kTraceFailed), and
 * the descriptor table follows renames and unlinks of open files. A rename
 * out of the root is recorded as the unlink of its source; a rename or link
 * into the root from outside cannot be replayed and is not recorded
 * (docs/shim.md, limits). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim_internal.h"

SHIM_DECLARE_REAL(rename);
SHIM_DECLARE_REAL(renameat);
SHIM_DECLARE_REAL(renameat2);
SHIM_DECLARE_REAL(link);
SHIM_DECLARE_REAL(linkat);
SHIM_DECLARE_REAL(unlink);
SHIM_DECLARE_REAL(unlinkat);
SHIM_DECLARE_REAL(remove);
SHIM_DECLARE_REAL(mkdir);
SHIM_DECLARE_REAL(mkdirat);
SHIM_DECLARE_REAL(rmdir);

struct NameOp {
  uint16_t kind;
  uint32_t flags, mode;
  int len, len2; /* -1: outside the root */
  char path[PATH_MAX];
  char path2[PATH_MAX];
};

/* REQUIRES: the lock. Records `op` finished with `rc` and follows it in the
 * descriptor table. */
static void finish_name_op(struct NameOp* op, int rc, int err) {
  struct ShimRecord r;
  shim_record_init(&r, op->kind);
  r.flags = op->flags;
  r.mode = op->mode;
  r.result = rc;
  if (rc < 0) {
    r.flag_bits = kTraceFailed;
    r.err = err;
  }
  r.path = op->path;
  r.path_len = (size_t)op->len;
  if (op->kind == kTraceRename || op->kind == kTraceLink) {
    r.path2 = op->path2;
    r.path2_len = (size_t)op->len2;
  }
  shim_emit(&r);
  if (rc != 0) return;
  if (op->kind == kTraceRename && (op->flags & RENAME_EXCHANGE) == 0 &&
      strcmp(op->path, op->path2) != 0) {
    shim_fd_renamed(op->path, (size_t)op->len, op->path2, (size_t)op->len2);
  } else if (op->kind == kTraceUnlink) {
    shim_fd_unlinked(op->path, (size_t)op->len);
  }
}

/* Decides what to record for a two-path operation (rename, link). Returns 0
 * when nothing is recorded. */
static int classify_two_paths(struct NameOp* op) {
  if (op->len < 0) return 0; /* from outside the root: not replayable */
  if (op->len2 >= 0) return 1;
  if (op->kind == kTraceRename) { /* moved out of the root: gone from it */
    op->kind = kTraceUnlink;
    return 1;
  }
  return 0; /* a link to outside the root changes nothing inside it */
}

#define SHIM_NAME_OP(op, record, call) \
  do {                                 \
    int saved_ = errno;                \
    if (!(record)) {                   \
      --shim_depth;                    \
      errno = saved_;                  \
      return call;                     \
    }                                  \
    shim_lock();                       \
    errno = saved_;                    \
    int rc_ = call;                    \
    saved_ = errno;                    \
    finish_name_op(op, rc_, saved_);   \
    shim_unlock();                     \
    --shim_depth;                      \
    errno = saved_;                    \
    return rc_;                        \
  } while (0)

static int rename_common(int olddir, const char* old, int newdir, const char* new_path,
                         unsigned int flags, int which) {
#define RENAME_CALL                                                  \
  (which == 0   ? SHIM_REAL(rename)(old, new_path)                   \
   : which == 1 ? SHIM_REAL(renameat)(olddir, old, newdir, new_path) \
                : SHIM_REAL(renameat2)(olddir, old, newdir, new_path, flags))
  if (!shim_active()) return RENAME_CALL;
  struct NameOp op = {.kind = kTraceRename, .flags = flags};
  ++shim_depth;
  op.len = shim_resolve_path(olddir, old, op.path);
  op.len2 = shim_resolve_path(newdir, new_path, op.path2);
  SHIM_NAME_OP(&op, classify_two_paths(&op), RENAME_CALL);
#undef RENAME_CALL
}

SHIM_EXPORT int rename(const char* old, const char* new_path) {
  return rename_common(AT_FDCWD, old, AT_FDCWD, new_path, 0, 0);
}

SHIM_EXPORT int renameat(int olddir, const char* old, int newdir, const char* new_path) {
  return rename_common(olddir, old, newdir, new_path, 0, 1);
}

SHIM_EXPORT int renameat2(int olddir, const char* old, int newdir, const char* new_path,
                          unsigned int flags) {
  return rename_common(olddir, old, newdir, new_path, flags, 2);
}

/* linkat(fd, "", ..., AT_EMPTY_PATH) links the file `fd` is open on. */
static int link_source(int olddir, const char* old, int flags, char* out) {
  if ((flags & AT_EMPTY_PATH) && old != NULL && old[0] == '\0') {
    struct ShimFdInfo info;
    if (!shim_fd_lookup(olddir, &info)) return -1;
    memcpy(out, info.path, info.path_len + 1);
    return (int)info.path_len;
  }
  return shim_resolve_path(olddir, old, out);
}

static int link_common(int olddir, const char* old, int newdir, const char* new_path, int flags,
                       int which) {
#define LINK_CALL                              \
  (which == 0 ? SHIM_REAL(link)(old, new_path) \
              : SHIM_REAL(linkat)(olddir, old, newdir, new_path, flags))
  if (!shim_active()) return LINK_CALL;
  struct NameOp op = {.kind = kTraceLink, .flags = (uint32_t)flags};
  ++shim_depth;
  shim_lock(); /* link_source may fill the descriptor table */
  op.len = link_source(olddir, old, flags, op.path);
  shim_unlock();
  op.len2 = shim_resolve_path(newdir, new_path, op.path2);
  SHIM_NAME_OP(&op, classify_two_paths(&op), LINK_CALL);
#undef LINK_CALL
}

SHIM_EXPORT int link(const char* old, const char* new_path) {
  return link_common(AT_FDCWD, old, AT_FDCWD, new_path, 0, 0);
}

SHIM_EXPORT int linkat(int olddir, const char* old, int newdir, const char* new_path, int flags) {
  return link_common(olddir, old, newdir, new_path, flags, 1);
}

/* One-path operations: unlink, unlinkat, remove, mkdir, mkdirat, rmdir. */
#define SHIM_ONE_PATH(kind_expr, dirfd, path, mode_value, call) \
  do {                                                          \
    if (!shim_active()) return call;                            \
    struct NameOp op = {.mode = (uint32_t)(mode_value)};        \
    ++shim_depth;                                               \
    op.len = shim_resolve_path(dirfd, path, op.path);           \
    op.kind = (kind_expr);                                      \
    SHIM_NAME_OP(&op, op.len >= 0, call);                       \
  } while (0)

SHIM_EXPORT int unlink(const char* path) {
  SHIM_ONE_PATH(kTraceUnlink, AT_FDCWD, path, 0, SHIM_REAL(unlink)(path));
}

SHIM_EXPORT int unlinkat(int dirfd, const char* path, int flags) {
  SHIM_ONE_PATH((flags & AT_REMOVEDIR) ? kTraceRmdir : kTraceUnlink, dirfd, path, 0,
                SHIM_REAL(unlinkat)(dirfd, path, flags));
}

static uint16_t remove_kind(const char* path) {
  struct stat st;
  return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) ? kTraceRmdir : kTraceUnlink;
}

SHIM_EXPORT int remove(const char* path) {
  SHIM_ONE_PATH(remove_kind(path), AT_FDCWD, path, 0, SHIM_REAL(remove)(path));
}

SHIM_EXPORT int mkdir(const char* path, mode_t mode) {
  SHIM_ONE_PATH(kTraceMkdir, AT_FDCWD, path, mode, SHIM_REAL(mkdir)(path, mode));
}

SHIM_EXPORT int mkdirat(int dirfd, const char* path, mode_t mode) {
  SHIM_ONE_PATH(kTraceMkdir, dirfd, path, mode, SHIM_REAL(mkdirat)(dirfd, path, mode));
}

SHIM_EXPORT int rmdir(const char* path) {
  SHIM_ONE_PATH(kTraceRmdir, AT_FDCWD, path, 0, SHIM_REAL(rmdir)(path));
}
