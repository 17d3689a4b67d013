/* Synchronous I/O and shared mappings under the root argv[1]: opens with
 * O_DSYNC, O_SYNC and a lone __O_SYNC bit, a dup of the
 * O_DSYNC descriptor and a forked child writing through it, pwritev2 and
 * pwritev64v2 with RWF_DSYNC / RWF_SYNC, fcntl(F_SETFL, O_SYNC) (which Linux
 * ignores), ftruncate and fallocate on an O_SYNC descriptor; then a 1 MiB
 * shared mapping of which two pages change before msync(MS_SYNC), an msync
 * with nothing changed, two adjacent pages before msync(MS_ASYNC), a page
 * before munmap, a mapping longer than its file, and a page still mapped at
 * exit. argv[2] (outside the root) gets a mapping that must not be recorded.
 * Prints each call's result (SAY); shim_calls_test checks the trace. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "prog_common.h"

enum { kPage = 4096, kBig = 1 << 20 };
/* The bit O_SYNC adds to O_DSYNC (__O_SYNC in the kernel's
 * asm-generic/fcntl.h, which glibc's <fcntl.h> does not expose); the kernel
 * adds O_DSYNC to it at open (build_open_flags, fs/open.c). */
#define SYNC_BIT_ONLY 04000000

static void sync_descriptors(void) {
  int d = MUST(open("dsync", O_CREAT | O_WRONLY | O_TRUNC | O_DSYNC, 0644));
  SAY(pwrite(d, "commit", 6, 0));
  int copy = MUST(dup(d));
  SAY(write(copy, "+dup", 4));
  pid_t child = MUST(fork());
  if (child == 0) {
    SAY(pwrite(d, "child", 5, 10));
    _exit(0);
  }
  int status = 0;
  MUST(waitpid(child, &status, 0));
  SAY(close(copy) + close(d));
  int s = MUST(open("osync", O_CREAT | O_RDWR | O_TRUNC | O_SYNC, 0644));
  SAY(write(s, "full", 4));
  SAY(ftruncate(s, 2));
  SAY(fallocate(s, 0, 0, 8));
  SAY(close(s));
  int g = MUST(open("gsync", O_CREAT | O_WRONLY | O_TRUNC | SYNC_BIT_ONLY, 0644));
  SAY(write(g, "g", 1));
  SAY(close(g));
  int p = MUST(open("plain", O_CREAT | O_WRONLY | O_TRUNC, 0644));
  struct iovec iov = {"rwf", 3};
  SAY(pwritev2(p, &iov, 1, 0, RWF_DSYNC));
  SAY(pwritev2(p, &iov, 1, 3, RWF_SYNC));
  SAY(pwritev64v2(p, &iov, 1, 6, RWF_DSYNC));
  SAY(fcntl(p, F_SETFL, O_SYNC));
  SAY(fcntl(p, F_GETFL) & O_DSYNC); /* 0: F_SETFL cannot set it (fcntl(2)) */
  SAY(pwrite(p, "x", 1, 9));
  SAY(close(p));
}

static char* map_file(const char* path, size_t file_size, size_t map_size) {
  int fd = MUST(open(path, O_CREAT | O_RDWR | O_TRUNC, 0644));
  MUST(ftruncate(fd, (off_t)file_size));
  char* p = mmap(NULL, map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) exit(3);
  SAY(close(fd));
  return p;
}

static void mappings(void) {
  char* p = map_file("big", kBig, kBig);
  memcpy(p + 5 * kPage, "five", 4);
  memcpy(p + 200 * kPage + 100, "two hundred", 11);
  SAY(msync(p, kBig, MS_SYNC));
  SAY(msync(p, kBig, MS_SYNC)); /* nothing changed since */
  memcpy(p + 7 * kPage, "seven", 5);
  memcpy(p + 8 * kPage, "eight", 5);
  SAY(msync(p + 6 * kPage, 4 * kPage, MS_ASYNC));
  memcpy(p + 9 * kPage, "nine", 4);
  SAY(munmap(p, kBig));
  char* q = map_file("short", 100, 2 * kPage); /* the second page is past the end */
  memcpy(q + 90, "tail", 4);
  SAY(msync(q, 2 * kPage, MS_SYNC));
  SAY(munmap(q, 2 * kPage));
  char* r = map_file("atexit", kPage, kPage);
  memcpy(r, "left mapped", 11);
}

static void outside(const char* dir) {
  MUST(chdir(dir));
  char* p = map_file("outmap", kPage, kPage);
  memcpy(p, "not traced", 10);
  SAY(msync(p, kPage, MS_SYNC));
  SAY(munmap(p, kPage));
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: prog_sync ROOT OUTSIDE\n");
    return 2;
  }
  MUST(chdir(argv[1]));
  sync_descriptors();
  mappings();
  outside(argv[2]);
  return 0;
}
