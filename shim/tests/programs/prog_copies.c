/* In-kernel copies into a file under the root argv[1]: copy_file_range with
 * and without an output offset, sendfile and sendfile64 (at the output's file
 * offset), splice from a pipe with and without an output offset, then a plain
 * write (whose offset the shim must take from the file after the copies
 * moved it); the same copies into a file in argv[2], outside the root. The
 * destination is opened O_WRONLY, so the shim must read the copied bytes
 * back through another descriptor. Prints each call's result (SAY);
 * shim_calls_test checks the trace. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/sendfile.h>

#include "prog_common.h"

/* Copies parts of "0123456789abcdef" from `src` into `dst` by every call. */
static void copies(int src, int dst) {
  off64_t in_off = 0;
  SAY(copy_file_range(src, &in_off, dst, NULL, 4, 0));
  off64_t out_off = 10;
  in_off = 4;
  SAY(copy_file_range(src, &in_off, dst, &out_off, 3, 0));
  off_t send_off = 8;
  SAY(sendfile(dst, src, &send_off, 2));
  off64_t send_off64 = 12;
  SAY(sendfile64(dst, src, &send_off64, 2));
  int pipe_fds[2];
  MUST(pipe(pipe_fds));
  MUST(write(pipe_fds[1], "pipe!xy", 7));
  off64_t splice_off = 20;
  SAY(splice(pipe_fds[0], NULL, dst, &splice_off, 5, 0));
  SAY(splice(pipe_fds[0], NULL, dst, NULL, 2, 0));
  SAY(write(dst, "W", 1));
  SAY(close(pipe_fds[0]) + close(pipe_fds[1]));
}

static void copy_in(const char* dir) {
  MUST(chdir(dir));
  int src = MUST(open("src", O_CREAT | O_RDWR | O_TRUNC, 0644));
  SAY(write(src, "0123456789abcdef", 16));
  int dst = MUST(open("dst", O_CREAT | O_WRONLY | O_TRUNC, 0644));
  copies(src, dst);
  SAY(close(dst));
  SAY(close(src));
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: prog_copies ROOT OUTSIDE\n");
    return 2;
  }
  copy_in(argv[1]);
  copy_in(argv[2]);
  return 0;
}
