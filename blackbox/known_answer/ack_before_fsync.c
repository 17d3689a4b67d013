/* Known-answer program "ack before fsync": an append-only log of text records
 * ("key value\n", one write each) in $POWERCUT_ROOT/log.
 *
 * The bug: the write is acknowledged *before* the fsync that makes it durable,
 * so a power cut between the two loses an acknowledged key. `powercut
 * blackbox` must fail it under power-loss (and prefix, reorder, ...); under
 * process-kill it passes, since the page cache survives a kill. The twin
 * (-DKA_FIXED=1) fsyncs first and acknowledges after, and must pass under
 * every model.
 *
 * The checker prints the complete records and drops an incomplete or
 * malformed tail (an unacknowledged append that was cut short). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ka_common.h"

static void run_workload(const char* root, int keys) {
  char path[kKaPathMax];
  int fd = ka_open_for_append(root, "log", path);
  for (int i = 0; i < keys; i++) {
    char record[64];
    int n = snprintf(record, sizeof record, "k%d v%d\n", i, i);
    char line[80];
    snprintf(line, sizeof line, "W k%d v%d", i, i);
    ka_ack(line);
    ka_write_all(fd, record, (size_t)n, path);
    line[0] = 'A';
#if KA_FIXED
    ka_fsync(fd, path); /* durable first ... */
    ka_ack(line);       /* ... then acknowledged */
#else
    ka_ack(line); /* BUG: acknowledged while the record is only in the page cache */
    ka_fsync(fd, path);
#endif
  }
  close(fd);
}

static void run_init(const char* root) { ka_init_empty_file(root, "log"); }

static int run_check(const char* image) { return ka_check_text_file(image, "log"); }

int main(int argc, char** argv) {
  const struct KaProgram program = {run_init, run_workload, run_check};
  return ka_main(argc, argv, &program);
}
