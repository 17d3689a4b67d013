/* Many small writes from THREADS threads in PROCS (1 or 2) processes under
 * the root argv[1]: thread t of process p writes RECORDS numbered 16-byte
 * records "p<p> t<t> n<nnnnnn>\n"-style to its own file own_p<p>_t<t> and to
 * the shared O_APPEND file "shared" (one descriptor per thread), with an
 * fdatasync of its own file every SYNC_EVERY records. The parent prints the child's
 * pid first so a test that kills the parent can still reap the child. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sys/wait.h>

#include "prog_common.h"

static int g_process;
static int g_records;
static int g_sync_every = 256;

/* Exactly 16 bytes: "p1 t3 n00001234\n". */
static void format_record(char* out, int process, int thread, int n) {
  char text[32];
  snprintf(text, sizeof text, "p%d t%d n%08d\n", process, thread, n);
  memcpy(out, text, 16);
}

static void* writer(void* arg) {
  int thread = (int)(long)arg;
  char name[64];
  snprintf(name, sizeof name, "own_p%d_t%d", g_process, thread);
  int own = MUST(open(name, O_CREAT | O_WRONLY | O_TRUNC, 0644));
  int shared = MUST(open("shared", O_CREAT | O_WRONLY | O_APPEND, 0644));
  char record[16];
  for (int n = 0; n < g_records; ++n) {
    format_record(record, g_process, thread, n);
    if (write(own, record, 16) != 16 || write(shared, record, 16) != 16) exit(3);
    if (g_sync_every > 0 && n % g_sync_every == g_sync_every - 1) MUST(fdatasync(own));
  }
  MUST(close(own));
  MUST(close(shared));
  return NULL;
}

static void run_threads(int threads) {
  pthread_t ids[64];
  for (int t = 0; t < threads; ++t) pthread_create(&ids[t], NULL, writer, (void*)(long)t);
  for (int t = 0; t < threads; ++t) pthread_join(ids[t], NULL);
}

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) {
    fprintf(stderr, "usage: prog_stress ROOT PROCS THREADS RECORDS [SYNC_EVERY=256, 0: never]\n");
    return 2;
  }
  if (argc == 6) g_sync_every = atoi(argv[5]);
  MUST(chdir(argv[1]));
  int procs = atoi(argv[2]);
  int threads = atoi(argv[3]);
  g_records = atoi(argv[4]);
  if (procs < 1 || procs > 2 || threads < 1 || threads > 64) return 2;
  pid_t child = -1;
  if (procs == 2) {
    child = fork();
    if (child == 0) g_process = 1;
  }
  if (child > 0) {
    char line[32];
    int n = snprintf(line, sizeof line, "child %d\n", (int)child);
    MUST(write(1, line, (size_t)n));
  }
  run_threads(threads);
  if (child > 0) {
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 5;
  }
  return 0;
}
