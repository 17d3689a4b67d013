/* The helpers of ka_common.h: environment, acknowledgements, whole writes and
 * fsyncs that die on error, whole-file reads, CRC-32 and the text-record
 * parser shared by the known-answer programs' checkers. */
#define _GNU_SOURCE
#include "ka_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void ka_die(const char* what, const char* path, int errno_value) {
  fprintf(stderr, "%s: %s%s%s%s%s\n", program_invocation_short_name, what, path ? " " : "",
          path ? path : "", errno_value ? ": " : "", errno_value ? strerror(errno_value) : "");
  exit(kKaExitError);
}

const char* ka_dir_from_env(const char* name) {
  const char* dir = getenv(name);
  if (dir == NULL || dir[0] == '\0') ka_die("environment variable not set:", name, 0);
  return dir;
}

void ka_join(char* out, const char* dir, const char* name) {
  int n = snprintf(out, kKaPathMax, "%s/%s", dir, name);
  if (n < 0 || n >= kKaPathMax) ka_die("path too long:", name, 0);
}

void ka_ack(const char* line) {
  const char* fd_text = getenv("POWERCUT_ACK_FD");
  if (fd_text == NULL || fd_text[0] == '\0') return;
  char buffer[512];
  int n = snprintf(buffer, sizeof buffer, "%s\n", line);
  if (n < 0 || n >= (int)sizeof buffer) ka_die("acknowledgement too long:", line, 0);
  /* One write per line: the shim stamps it into the trace at this point. */
  ka_write_all(atoi(fd_text), buffer, (size_t)n, "(POWERCUT_ACK_FD)");
}

void ka_write_all(int fd, const void* data, size_t len, const char* path) {
  const char* bytes = data;
  while (len > 0) {
    ssize_t n = write(fd, bytes, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ka_die("write", path, errno);
    bytes += n;
    len -= (size_t)n;
  }
}

void ka_fsync(int fd, const char* path) {
  if (fsync(fd) != 0) ka_die("fsync", path, errno);
}

void ka_fsync_dir(const char* dir) {
  int fd = open(dir, O_RDONLY);
  if (fd < 0) ka_die("open directory", dir, errno);
  ka_fsync(fd, dir);
  close(fd);
}

void ka_create_empty(const char* path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) ka_die("create", path, errno);
  close(fd);
}

char* ka_read_file(const char* path, size_t* len) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return NULL;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return NULL;
  }
  char* buffer = malloc((size_t)st.st_size + 1);
  if (buffer == NULL) ka_die("out of memory reading", path, 0);
  size_t done = 0;
  while (done < (size_t)st.st_size) {
    ssize_t n = read(fd, buffer + done, (size_t)st.st_size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break; /* a short file: what is there is what we have */
    done += (size_t)n;
  }
  close(fd);
  buffer[done] = '\0';
  *len = done;
  return buffer;
}

uint32_t ka_crc32(const void* data, size_t len) {
  const unsigned char* bytes = data;
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < len; i++) {
    crc ^= bytes[i];
    for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

/* 0 init, 1 workload (N in *keys), 2 check; usage and exit 3 otherwise. */
static int parse_mode(int argc, char** argv, int* keys) {
  if (argc == 2 && strcmp(argv[1], "init") == 0) return 0;
  if (argc == 2 && strcmp(argv[1], "check") == 0) return 2;
  if (argc == 3 && strcmp(argv[1], "workload") == 0) {
    char* end = NULL;
    long n = strtol(argv[2], &end, 10);
    if (end != argv[2] && *end == '\0' && n > 0 && n <= 100000) {
      *keys = (int)n;
      return 1;
    }
  }
  fprintf(stderr,
          "usage: %s init | workload N | check\n"
          "  init        create the empty store under $POWERCUT_ROOT\n"
          "  workload N  store k0..k(N-1) (1 <= N <= 100000), acking on $POWERCUT_ACK_FD\n"
          "  check       print the store recovered from $POWERCUT_IMAGE as `key value` lines\n",
          program_invocation_short_name);
  exit(kKaExitError);
}

int ka_main(int argc, char** argv, const struct KaProgram* program) {
  int keys = 0;
  int mode = parse_mode(argc, argv, &keys);
  if (mode == 2) return program->check(ka_dir_from_env("POWERCUT_IMAGE"));
  const char* root = ka_dir_from_env("POWERCUT_ROOT");
  if (mode == 0) {
    program->init(root);
  } else {
    program->workload(root, keys);
  }
  return 0;
}

void ka_init_empty_file(const char* root, const char* name) {
  char path[kKaPathMax];
  ka_join(path, root, name);
  ka_create_empty(path);
}

int ka_open_for_append(const char* root, const char* name, char* path) {
  ka_join(path, root, name);
  int fd = open(path, O_WRONLY | O_APPEND);
  if (fd < 0) ka_die("open", path, errno);
  return fd;
}

char* ka_read_image_file(const char* image, const char* name, size_t* len) {
  char path[kKaPathMax];
  ka_join(path, image, name);
  char* contents = ka_read_file(path, len);
  if (contents == NULL) perror(path);
  return contents;
}

int ka_check_text_file(const char* image, const char* name) {
  size_t len = 0;
  char* text = ka_read_image_file(image, name, &len);
  if (text == NULL) return kKaExitCannotRecover;
  ka_print_text_records(text, len);
  free(text);
  return kKaExitRecovered;
}

/* True when line[0, len) is "key value": two non-empty fields, one space,
 * printable non-space bytes only. */
static int is_record_line(const char* line, size_t len) {
  int spaces = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)line[i];
    if (c == ' ') {
      if (i == 0 || i + 1 == len || line[i - 1] == ' ') return 0;
      spaces++;
    } else if (c <= ' ' || c >= 0x7F) {
      return 0;
    }
  }
  return spaces == 1;
}

int ka_print_text_records(const char* text, size_t len) {
  int printed = 0;
  size_t start = 0;
  while (start < len) {
    const char* newline = memchr(text + start, '\n', len - start);
    if (newline == NULL) break; /* incomplete last line: a torn tail */
    size_t line_len = (size_t)(newline - (text + start));
    if (!is_record_line(text + start, line_len)) break;
    printf("%.*s\n", (int)line_len, text + start);
    printed++;
    start += line_len + 1;
  }
  return printed;
}
