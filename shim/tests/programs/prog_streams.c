/* Exercises stdio on files under the root argv[1] (fopen/fputs/fputc/
 * fprintf/fwrite/fflush/fclose, a write larger than the buffer, append and
 * r+ streams with fseek, fdopen, freopen, an unbuffered stream, dprintf,
 * stdout reopened onto a file and flushed only at exit), fopen failures, a
 * stream outside the root (argv[2]), and msync of a shared mapping. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>

#include "prog_common.h"

static void buffered(void) {
  FILE* f = fopen("s", "w");
  if (f == NULL) exit(3);
  fputs("line1\n", f);
  fputc('x', f);
  fprintf(f, "%d-%s\n", 42, "z");
  fwrite("abc", 1, 3, f);
  SAY(fflush(f));
  SAY(fsync(fileno(f)));
  static char big[10000];
  memset(big, 'b', sizeof big);
  SAY(fwrite(big, 1, sizeof big, f));
  SAY(fclose(f));
  f = fopen("s", "a");
  fprintf(f, "tail\n");
  SAY(fclose(f));
  f = fopen("s", "r+");
  SAY(fseek(f, 2, SEEK_SET));
  fputs("ZZ", f);
  SAY(fseek(f, 0, SEEK_END));
  SAY(fclose(f));
}

static void other_streams(void) {
  int fd = MUST(open("fd", O_CREAT | O_WRONLY | O_TRUNC, 0644));
  FILE* g = fdopen(fd, "w");
  fprintf(g, "via fdopen\n");
  SAY(fclose(g));
  FILE* h = fopen("r1", "w");
  fputs("one", h);
  h = freopen("r2", "w", h);
  fputs("two", h);
  SAY(fclose(h));
  FILE* u = fopen("unbuf", "w");
  setvbuf(u, NULL, _IONBF, 0);
  fputs("u1", u);
  fputc('2', u);
  SAY(fclose(u));
  int d = MUST(open("dp", O_CREAT | O_WRONLY | O_TRUNC, 0644));
  SAY(dprintf(d, "dp %d\n", 7));
  SAY(close(d));
  errno = 0;
  SAY(fopen("missing", "r") == NULL ? -1 : 0);
  SAY(fopen("nodir/x", "w") == NULL ? -1 : 0);
}

static void mapped(void) {
  int fd = MUST(open("m", O_CREAT | O_RDWR | O_TRUNC, 0644));
  SAY(ftruncate(fd, 8192));
  char* p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) exit(3);
  memcpy(p + 4096, "mapped", 6);
  SAY(msync(p + 4096, 16, MS_SYNC));
  char* q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  memcpy(q, "private", 7);
  SAY(msync(q, 4096, MS_SYNC));
  SAY(munmap(q, 4096));
  SAY(munmap(p, 8192));
  SAY(close(fd));
}

static void outside(const char* dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/out.txt", dir);
  FILE* f = fopen(path, "w");
  fprintf(f, "not traced\n");
  SAY(fflush(f));
  SAY(fclose(f));
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: prog_streams ROOT OUTSIDE\n");
    return 2;
  }
  MUST(chdir(argv[1]));
  buffered();
  other_streams();
  mapped();
  outside(argv[2]);
  /* stdout onto a file under the root, left for exit() to flush. */
  if (freopen("stdout.txt", "w", stdout) == NULL) return 3;
  printf("p%d\n", 1);
  puts("q");
  putchar('c');
  return 0;
}
