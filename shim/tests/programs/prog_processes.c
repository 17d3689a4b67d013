/* Many processes, one trace: under the root argv[1] the parent appends to
 * "shared", a forked child writes "shared" and its own file, an exec'd
 * /bin/sh started with a trimmed environment (execle: no LD_PRELOAD, no
 * POWERCUT_*) runs a shell redirection and mkdir, and a posix_spawn'ed shell
 * writes "spawned". The shim must follow all of them. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include "prog_common.h"

extern char** environ;

static void wait_for(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) exit(5);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: prog_processes ROOT\n");
    return 2;
  }
  MUST(chdir(argv[1]));
  int fd = MUST(open("shared", O_CREAT | O_WRONLY | O_APPEND, 0644));
  MUST(write(fd, "parent1\n", 8));
  pid_t child = fork();
  if (child == 0) {
    MUST(write(fd, "child\n", 6));
    int own = MUST(open("childfile", O_CREAT | O_WRONLY | O_TRUNC, 0644));
    MUST(write(own, "c", 1));
    MUST(fsync(own));
    _exit(0);
  }
  wait_for(child);
  MUST(write(fd, "parent2\n", 8));
  pid_t shell = fork();
  if (shell == 0) {
    char* trimmed[] = {"PATH=/usr/bin:/bin", NULL};
    execle("/bin/sh", "sh", "-c", "echo from-sh >> shell_out; mkdir shdir", (char*)NULL, trimmed);
    _exit(7);
  }
  wait_for(shell);
  pid_t spawned = 0;
  char* args[] = {"sh", "-c", "echo spawned > spawned", NULL};
  if (posix_spawn(&spawned, "/bin/sh", NULL, NULL, args, environ) != 0) return 6;
  wait_for(spawned);
  MUST(write(fd, "parent3\n", 8));
  MUST(close(fd));
  return 0;
}
