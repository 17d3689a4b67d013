/* Known-answer program "torn record read without a checksum": an append-only
 * log of binary records in $POWERCUT_ROOT/log, each spanning several 512-byte
 * sectors:
 *
 *   u32 key_len | u32 value_len | u32 body_len | u32 crc | body | key | value
 *
 * (little-endian; body is body_len bytes of filler standing for a document's
 * contents; crc is CRC-32 of everything after it). Each record is written with
 * one write, fsynced, then acknowledged: the writer is correct.
 *
 * The bug is in recovery: the buggy reader trusts the lengths and bytes it
 * finds and never checks the crc, so a record whose write was torn by the
 * crash (some sectors on disk, others zeros) comes back as a key or value
 * that was never written. `powercut blackbox` must fail it under torn, and
 * pass it under reorder (no write lands in part). The twin (-DKA_FIXED=1)
 * checks the crc and drops a bad tail, and must pass under every model. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ka_common.h"

enum { kHeaderBytes = 16, kBodyBytes = 1500, kRecordMax = kHeaderBytes + kBodyBytes + 64 };

static void put_u32(unsigned char* out, uint32_t v) {
  for (int i = 0; i < 4; i++) out[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char* in) {
  return (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
}

/* Encodes one record into `out`; returns its size. */
static size_t encode_record(unsigned char* out, const char* key, const char* value) {
  size_t key_len = strlen(key), value_len = strlen(value);
  put_u32(out, (uint32_t)key_len);
  put_u32(out + 4, (uint32_t)value_len);
  put_u32(out + 8, kBodyBytes);
  memset(out + kHeaderBytes, 'b', kBodyBytes);
  memcpy(out + kHeaderBytes + kBodyBytes, key, key_len);
  memcpy(out + kHeaderBytes + kBodyBytes + key_len, value, value_len);
  size_t size = kHeaderBytes + kBodyBytes + key_len + value_len;
  put_u32(out + 12, ka_crc32(out + kHeaderBytes, size - kHeaderBytes));
  return size;
}

static void run_workload(const char* root, int keys) {
  char path[kKaPathMax];
  int fd = ka_open_for_append(root, "log", path);
  for (int i = 0; i < keys; i++) {
    char key[24], value[24], line[80];
    snprintf(key, sizeof key, "k%d", i);
    snprintf(value, sizeof value, "v%d", i);
    snprintf(line, sizeof line, "W %s %s", key, value);
    ka_ack(line);
    unsigned char record[kRecordMax];
    ka_write_all(fd, record, encode_record(record, key, value), path);
    ka_fsync(fd, path);
    line[0] = 'A';
    ka_ack(line);
  }
  close(fd);
}

/* Prints bytes as the naive reader would show them: anything that is not a
 * printable non-space character becomes '?'. */
static void print_field(const unsigned char* bytes, size_t len) {
  for (size_t i = 0; i < len; i++) putchar(bytes[i] > ' ' && bytes[i] < 0x7F ? bytes[i] : '?');
}

/* Decodes records from log[0, len). Stops at the end, at a zero header (the
 * unwritten tail) or a record running past the end; the twin also stops at
 * the first record whose crc does not match. */
static void print_records(const unsigned char* log, size_t len) {
  size_t at = 0;
  while (len - at >= kHeaderBytes) {
    uint32_t key_len = get_u32(log + at), value_len = get_u32(log + at + 4);
    uint32_t body_len = get_u32(log + at + 8), crc = get_u32(log + at + 12);
    if (key_len == 0 || value_len == 0) break;
    uint64_t size = (uint64_t)kHeaderBytes + body_len + key_len + value_len;
    if (size > len - at) break;
#if KA_FIXED
    if (ka_crc32(log + at + kHeaderBytes, size - kHeaderBytes) != crc) break; /* torn tail */
#else
    (void)crc; /* BUG: the bytes are trusted as they are */
#endif
    const unsigned char* key = log + at + kHeaderBytes + body_len;
    print_field(key, key_len);
    putchar(' ');
    print_field(key + key_len, value_len);
    putchar('\n');
    at += size;
  }
}

static void run_init(const char* root) { ka_init_empty_file(root, "log"); }

static int run_check(const char* image) {
  size_t len = 0;
  char* log = ka_read_image_file(image, "log", &len);
  if (log == NULL) return kKaExitCannotRecover;
  print_records((const unsigned char*)log, len);
  free(log);
  return kKaExitRecovered;
}

int main(int argc, char** argv) {
  const struct KaProgram program = {run_init, run_workload, run_check};
  return ka_main(argc, argv, &program);
}
