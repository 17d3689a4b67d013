/* Exercises every descriptor and namespace call the shim intercepts, in a
 * fixed order, under the root argv[1] (relative paths after chdir, *at
 * calls, 64-bit and vectored forms, dup'ed descriptors, a directory opened
 * O_RDONLY and fsync'ed, failures) and the same kind of calls in argv[2],
 * outside the root. Prints each call's result (SAY) so a run under the shim
 * can be compared with a run without it. shim_calls_test checks the trace. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "prog_common.h"

int __open_2(const char* path, int flags);
int __openat64_2(int dirfd, const char* path, int flags);

static void data_calls(void) {
  int fd = MUST(open("a", O_CREAT | O_WRONLY | O_TRUNC, 0644));
  SAY(write(fd, "hello", 5));
  SAY(pwrite(fd, "XY", 2, 1));
  SAY(pwrite64(fd, "Z", 1, 4));
  struct iovec iov[2] = {{"ab", 2}, {"cd", 2}};
  SAY(writev(fd, iov, 2));
  SAY(pwritev(fd, iov, 2, 20));
  SAY(pwritev64(fd, iov, 1, 24));
  SAY(pwritev2(fd, iov, 1, 30, 0));
  SAY(pwritev2(fd, iov + 1, 1, -1, 0));
  int d = MUST(dup(fd));
  SAY(write(d, "D", 1));
  int d2 = MUST(dup2(fd, 50));
  int d3 = MUST(dup3(fd, 51, O_CLOEXEC));
  int d4 = MUST(fcntl(fd, F_DUPFD, 60));
  int d5 = MUST(fcntl(fd, F_DUPFD_CLOEXEC, 70));
  SAY(write(d4, "E", 1));
  SAY(close(d) + close(d2) + close(d3) + close(d4) + close(d5));
  SAY(ftruncate(fd, 8));
  SAY(ftruncate64(fd, 9));
  SAY(fallocate(fd, 0, 0, 100));
  SAY(posix_fallocate(fd, 0, 200));
  SAY(fsync(fd));
  SAY(fdatasync(fd));
  SAY(sync_file_range(fd, 0, 10, SYNC_FILE_RANGE_WRITE));
  SAY(syncfs(fd));
  SAY(close(fd));
  SAY(truncate("a", 3));
  SAY(truncate64("a", 2));
}

static void directory_calls(void) {
  SAY(mkdir("sub", 0755));
  int dfd = MUST(open("sub", O_RDONLY));
  SAY(fsync(dfd));
  int fd = MUST(openat(dfd, "f", O_CREAT | O_WRONLY, 0600));
  SAY(write(fd, "x", 1));
  SAY(close(fd));
  SAY(mkdirat(dfd, "inner", 0700));
  SAY(renameat(dfd, "f", dfd, "g"));
  SAY(renameat2(AT_FDCWD, "sub/g", dfd, "h", RENAME_NOREPLACE));
  SAY(rename("a", "sub/a2"));
  SAY(link("sub/a2", "b"));
  SAY(linkat(dfd, "h", AT_FDCWD, "c", 0));
  SAY(unlink("b"));
  SAY(unlinkat(dfd, "h", 0));
  SAY(unlinkat(dfd, "inner", AT_REMOVEDIR));
  SAY(mkdir("e", 0755));
  SAY(rmdir("e"));
  SAY(fdatasync(dfd));
  SAY(close(dfd));
}

static void open_variants(void) {
  SAY(close(MUST(open64("o64", O_CREAT | O_RDWR, 0644))));
  SAY(close(MUST(openat64(AT_FDCWD, "oa64", O_CREAT | O_WRONLY, 0644))));
  SAY(close(MUST(creat("cr", 0644))));
  SAY(close(MUST(creat64("cr64", 0644))));
  SAY(close(MUST(__open_2("cr", O_RDONLY))));
  SAY(close(MUST(__openat64_2(AT_FDCWD, "cr64", O_WRONLY))));
  int fd = MUST(open("app", O_CREAT | O_WRONLY | O_APPEND, 0644));
  SAY(write(fd, "12", 2));
  SAY(write(fd, "345", 3));
  SAY(pwrite(fd, "Q", 1, 0)); /* Linux appends despite the offset */
  SAY(close(fd));
  SAY(close(MUST(open("sub/../dotdot", O_CREAT | O_WRONLY, 0644))));
  SAY(chdir("sub"));
  SAY(close(MUST(open("../rel", O_CREAT | O_WRONLY, 0644))));
  SAY(chdir(".."));
  sync();
}

static void failures(void) {
  SAY(open("missing", O_RDONLY));
  SAY(open("nodir/x", O_CREAT | O_WRONLY, 0644));
  SAY(rename("nonexistent", "zz"));
  SAY(unlink("nonexistent"));
  SAY(write(-1, "x", 1));
  SAY(fsync(-1));
}

/* The same kinds of calls outside the root: nothing may be recorded. */
static void outside(const char* dir) {
  MUST(chdir(dir));
  int fd = MUST(open("x", O_CREAT | O_WRONLY | O_TRUNC, 0644));
  SAY(write(fd, "out", 3));
  SAY(fsync(fd));
  SAY(close(fd));
  SAY(rename("x", "y"));
  SAY(mkdir("dd", 0755));
  SAY(rmdir("dd"));
  SAY(unlink("y"));
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: prog_calls ROOT OUTSIDE\n");
    return 2;
  }
  MUST(chdir(argv[1]));
  data_calls();
  directory_calls();
  open_variants();
  failures();
  outside(argv[2]);
  return 0;
}
