/* Acknowledgements on POWERCUT_ACK_FD, interleaved with file operations under
 * the root argv[1]: a write(2) ack and a stdio ack (fdopen + fprintf). The
 * trace must hold each ack right after the fsync it follows. */
#define _GNU_SOURCE
#include <fcntl.h>

#include "prog_common.h"

int main(int argc, char** argv) {
  const char* ack_env = getenv("POWERCUT_ACK_FD");
  if (argc != 2 || ack_env == NULL) {
    fprintf(stderr, "usage: POWERCUT_ACK_FD=N prog_acks ROOT\n");
    return 2;
  }
  int ack = atoi(ack_env);
  MUST(chdir(argv[1]));
  int fd = MUST(open("kv", O_CREAT | O_WRONLY | O_TRUNC, 0644));
  MUST(write(fd, "k1=v1\n", 6));
  MUST(fsync(fd));
  MUST(write(ack, "A k1 v1\n", 8));
  MUST(write(fd, "k2=v2\n", 6));
  MUST(fsync(fd));
  FILE* acks = fdopen(ack, "w");
  fprintf(acks, "A %s %s\n", "k2", "v2");
  fflush(acks);
  MUST(close(fd));
  return 0;
}
