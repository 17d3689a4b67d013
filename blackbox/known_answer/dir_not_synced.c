/* Known-answer program "new file, directory never synced": one file per key,
 * $POWERCUT_ROOT/keys/<key>, holding "value\n".
 *
 * The bug: each new file is written and fsynced, but its directory is not, so
 * the file's *name* is not durable when the key is acknowledged: a crash can
 * lose the entry (and with it the key) although the data reached the disk.
 * `powercut blackbox` must fail it under power-loss, prefix and reorder. The
 * twin (-DKA_FIXED=1) fsyncs the directory, opened O_RDONLY the way SQLite
 * does, before acknowledging, and must pass under every model.
 *
 * The checker lists keys/ and prints each file whose content is one complete
 * "value\n" line; an empty or zero-filled file (a create whose data did not
 * persist) holds no value and is skipped. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ka_common.h"

static void store_key(const char* dir, int i) {
  char name[32], path[kKaPathMax], line[80], value[40];
  snprintf(name, sizeof name, "k%d", i);
  ka_join(path, dir, name);
  snprintf(line, sizeof line, "W k%d v%d", i, i);
  ka_ack(line);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) ka_die("create", path, errno);
  int n = snprintf(value, sizeof value, "v%d\n", i);
  ka_write_all(fd, value, (size_t)n, path);
  ka_fsync(fd, path);
  close(fd);
#if KA_FIXED
  ka_fsync_dir(dir); /* the new name is durable too */
#endif
  /* BUG (when KA_FIXED is 0): the data is durable, the name is not. */
  line[0] = 'A';
  ka_ack(line);
}

/* Prints "name value" when `path` holds exactly one "value\n" line. */
static void print_key_file(const char* name, const char* path) {
  size_t len = 0;
  char* text = ka_read_file(path, &len);
  if (text == NULL) return;
  int complete = len >= 2 && text[len - 1] == '\n' && strlen(text) == len &&
                 memchr(text, ' ', len) == NULL && memchr(text, '\n', len) == text + len - 1;
  if (complete) printf("%s %.*s\n", name, (int)(len - 1), text);
  free(text);
}

static int run_check(const char* image) {
  char dir[kKaPathMax];
  ka_join(dir, image, "keys");
  DIR* listing = opendir(dir);
  if (listing == NULL) {
    perror(dir);
    return kKaExitCannotRecover;
  }
  struct dirent* entry;
  while ((entry = readdir(listing)) != NULL) {
    if (entry->d_name[0] == '.') continue;
    char path[kKaPathMax];
    ka_join(path, dir, entry->d_name);
    print_key_file(entry->d_name, path);
  }
  closedir(listing);
  return kKaExitRecovered;
}

static void run_init(const char* root) {
  char dir[kKaPathMax];
  ka_join(dir, root, "keys");
  if (mkdir(dir, 0755) != 0) ka_die("mkdir", dir, errno);
}

static void run_workload(const char* root, int keys) {
  char dir[kKaPathMax];
  ka_join(dir, root, "keys");
  for (int i = 0; i < keys; i++) store_key(dir, i);
}

int main(int argc, char** argv) {
  const struct KaProgram program = {run_init, run_workload, run_check};
  return ka_main(argc, argv, &program);
}
