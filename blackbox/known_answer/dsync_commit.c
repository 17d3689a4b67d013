/* Known-answer program "commit record without a synchronous descriptor": a
 * log of "key value\n" records in $POWERCUT_ROOT/log, each written with one
 * pwrite at the end of the log (the program keeps the offset) and
 * acknowledged as soon as the pwrite returns. There is no fsync anywhere.
 *
 * The bug: the log is opened without O_DSYNC, so an acknowledged record is
 * only in the page cache and a power cut loses it; `powercut blackbox` must
 * fail it under power-loss. The twin (-DKA_FIXED=1) opens the log O_DSYNC,
 * which makes every write durable when it returns, with the file size it
 * implies (open(2): "By the time write(2) (and similar) return, the output
 * data has been transferred to the underlying hardware, along with any file
 * metadata that would be required to retrieve that data"; fs/sync.c
 * generic_write_sync), and must pass under every model although it never
 * calls fsync.
 *
 * Built with -DKA_RWF=1 (ka_rwf_dsync_commit[_fixed]) the log is opened
 * plainly and each record is written with pwritev2: the twin passes
 * RWF_DSYNC (pwritev2(2): "a per-write equivalent of the O_DSYNC open(2)
 * flag"), the buggy program passes 0.
 *
 * The checker prints the complete records (ka_print_text_records). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ka_common.h"

#ifndef KA_RWF
#define KA_RWF 0
#endif

/* O_DSYNC on the descriptor only in the twin of the O_DSYNC pair. */
static int open_flags(void) { return O_WRONLY | (KA_FIXED && !KA_RWF ? O_DSYNC : 0); }

/* RWF_DSYNC on each write only in the twin of the pwritev2 pair. */
static int write_flags(void) { return KA_FIXED && KA_RWF ? RWF_DSYNC : 0; }

static void write_record(int fd, const char* record, size_t len, off_t at, const char* path) {
  struct iovec iov = {(void*)record, len};
  ssize_t n = KA_RWF ? pwritev2(fd, &iov, 1, at, write_flags()) : pwrite(fd, record, len, at);
  if (n < 0) ka_die("pwrite", path, errno);
  if ((size_t)n != len) ka_die("short pwrite", path, 0);
}

static void run_workload(const char* root, int keys) {
  char path[kKaPathMax];
  ka_join(path, root, "log");
  int fd = open(path, open_flags());
  if (fd < 0) ka_die("open", path, errno);
  off_t end = lseek(fd, 0, SEEK_END);
  for (int i = 0; i < keys; i++) {
    char record[64], line[80];
    int n = snprintf(record, sizeof record, "k%d v%d\n", i, i);
    snprintf(line, sizeof line, "W k%d v%d", i, i);
    ka_ack(line);
    write_record(fd, record, (size_t)n, end, path); /* the commit point: no fsync follows */
    end += n;
    line[0] = 'A';
    ka_ack(line);
  }
  close(fd);
}

static void run_init(const char* root) { ka_init_empty_file(root, "log"); }

static int run_check(const char* image) { return ka_check_text_file(image, "log"); }

int main(int argc, char** argv) {
  const struct KaProgram program = {run_init, run_workload, run_check};
  return ka_main(argc, argv, &program);
}
