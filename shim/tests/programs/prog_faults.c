/* Live error injection, with POWERCUT_FAULTS set by the test to
 * "fsync-eio:*.wal:3;short-write:*data:1:4;enospc:12:*data": four fsyncs of
 * x.wal (the second from a forked child, so the count spans processes; the
 * third fails with EIO), then writes to "data" that come back short (the 1st
 * by rule, the 3rd at the space limit) and fail with ENOSPC. Prints what each
 * call returned. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/wait.h>

#include "prog_common.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: prog_faults ROOT\n");
    return 2;
  }
  MUST(chdir(argv[1]));
  int wal = MUST(open("x.wal", O_CREAT | O_WRONLY | O_TRUNC, 0644));
  SAY(write(wal, "1", 1));
  SAY(fsync(wal));
  pid_t child = fork();
  if (child == 0) {
    SAY(write(wal, "2", 1));
    SAY(fsync(wal));
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  SAY(write(wal, "3", 1));
  SAY(fsync(wal));
  SAY(fsync(wal));
  int data = MUST(open("data", O_CREAT | O_WRONLY | O_TRUNC, 0644));
  SAY(write(data, "0123456789", 10));
  SAY(write(data, "abcdef", 6));
  SAY(write(data, "ghijk", 5));
  SAY(write(data, "l", 1));
  SAY(close(data));
  SAY(close(wal));
  return 0;
}
