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
  ka_join(path, root, "log");
  int fd = open(path, O_WRONLY | O_APPEND);
  if (fd < 0) ka_die("open", path, errno);
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

static int run_check(const char* image) {
  char path[kKaPathMax];
  ka_join(path, image, "log");
  size_t len = 0;
  char* text = ka_read_file(path, &len);
  if (text == NULL) {
    perror(path);
    return kKaExitCannotRecover;
  }
  ka_print_text_records(text, len);
  free(text);
  return kKaExitRecovered;
}

int main(int argc, char** argv) {
  int keys = 0;
  int mode = ka_parse_mode(argc, argv, &keys);
  if (mode == 2) return run_check(ka_dir_from_env("POWERCUT_IMAGE"));
  const char* root = ka_dir_from_env("POWERCUT_ROOT");
  char path[kKaPathMax];
  ka_join(path, root, "log");
  if (mode == 0) {
    ka_create_empty(path);
  } else {
    run_workload(root, keys);
  }
  return 0;
}
