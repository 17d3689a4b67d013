/* Known-answer program "rename of an unsynced temp file": the whole store is
 * one text file, $POWERCUT_ROOT/db ("key value\n" lines), replaced on every
 * update the classic way: write db.tmp, rename it over db, fsync the
 * directory, acknowledge.
 *
 * The bug: db.tmp is never fsynced, so the rename (made durable by the
 * directory fsync) can reach the disk before the data it names: after a
 * crash, db is empty or short and every key is gone -- the ext4 "zero-length
 * file" problem of 2009. `powercut blackbox` must fail it under power-loss
 * and reorder. The twin (-DKA_FIXED=1) fsyncs db.tmp before the rename and
 * must pass under every model.
 *
 * The checker prints the complete lines of db and drops a malformed tail. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ka_common.h"

/* Writes k0..k(count-1) to `path` and, in the twin, fsyncs it. */
static void write_temp(const char* path, int count) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) ka_die("create", path, errno);
  for (int i = 0; i < count; i++) {
    char record[64];
    int n = snprintf(record, sizeof record, "k%d v%d\n", i, i);
    ka_write_all(fd, record, (size_t)n, path);
  }
#if KA_FIXED
  ka_fsync(fd, path); /* the data is durable before any name points at it */
#endif
  /* BUG (when KA_FIXED is 0): the rename below may persist before this data. */
  close(fd);
}

static void run_workload(const char* root, int keys) {
  char db[kKaPathMax], tmp[kKaPathMax];
  ka_join(db, root, "db");
  ka_join(tmp, root, "db.tmp");
  for (int i = 0; i < keys; i++) {
    char line[80];
    snprintf(line, sizeof line, "W k%d v%d", i, i);
    ka_ack(line);
    write_temp(tmp, i + 1);
    if (rename(tmp, db) != 0) ka_die("rename", tmp, errno);
    ka_fsync_dir(root);
    line[0] = 'A';
    ka_ack(line);
  }
}

static void run_init(const char* root) { ka_init_empty_file(root, "db"); }

static int run_check(const char* image) { return ka_check_text_file(image, "db"); }

int main(int argc, char** argv) {
  const struct KaProgram program = {run_init, run_workload, run_check};
  return ka_main(argc, argv, &program);
}
