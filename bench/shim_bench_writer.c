/* The shim benchmark's workload: COUNT writes of SIZE bytes each to
 * DIR/bench.dat (write(2), one descriptor), an fsync every FSYNC_EVERY writes
 * and one at the end. Run untraced, under libpowercut_shim.so and under
 * strace by bench/shim_bench.sh; docs/performance.md has the numbers.
 * Usage: shim_bench_writer DIR [COUNT=200000] [SIZE=64] [FSYNC_EVERY=50000] */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2 || argc > 5) {
    fprintf(stderr, "usage: shim_bench_writer DIR [COUNT] [SIZE] [FSYNC_EVERY]\n");
    return 2;
  }
  long count = argc > 2 ? atol(argv[2]) : 200000;
  long size = argc > 3 ? atol(argv[3]) : 64;
  long fsync_every = argc > 4 ? atol(argv[4]) : 50000;
  if (count < 1 || size < 1 || size > 1 << 20 || fsync_every < 1) return 2;
  char path[4096];
  snprintf(path, sizeof path, "%s/bench.dat", argv[1]);
  int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0) {
    perror(path);
    return 1;
  }
  char* record = malloc((size_t)size);
  for (long i = 0; i < count; ++i) {
    memset(record, 'a' + (int)(i % 26), (size_t)size);
    if (write(fd, record, (size_t)size) != size) return 1;
    if ((i + 1) % fsync_every == 0 && fsync(fd) != 0) return 1;
  }
  if (fsync(fd) != 0 || close(fd) != 0) return 1;
  free(record);
  return 0;
}
