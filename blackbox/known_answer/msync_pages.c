/* Known-answer program "records in a shared mapping": $POWERCUT_ROOT/map is a
 * 1 MiB file of 256 pages, each filled at init with a pattern of its own
 * (never zero). The workload maps the whole file MAP_SHARED and stores key i
 * as a 64-byte record at the start of page slot(i) = 1 + 37 i (at most
 * kMaxKeys keys), then calls msync on the *whole* mapping and acknowledges:
 *
 *   "KAREC001" | "kI vI\n" | zeros | u32 CRC-32 of bytes [0, 60)   (LE)
 *
 * The bug: msync(MS_ASYNC), which makes nothing durable (msync(2): since
 * Linux 2.6.19 MS_ASYNC is a no-op; the pages are only in the page cache), so
 * `powercut blackbox` must fail it under power-loss. The twin (-DKA_FIXED=1)
 * uses MS_SYNC (mm/msync.c: vfs_fsync_range over the range) and must pass
 * under every model: only the pages the program changed may be torn, and a
 * torn record fails its CRC and was never acknowledged.
 *
 * The checker reads the image's map: a page equal to its pattern is
 * untouched; a slot page with a valid record prints it; a slot page without
 * one is an unacknowledged, torn record and is skipped; any other page that
 * differs from its pattern was never written by the program, and the checker
 * exits 2 (inconsistent) naming it -- what a shim that records the whole
 * msync range produces when a crash model tears bytes the device never
 * wrote. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ka_common.h"

enum { kPage = 4096, kPages = 256, kMapBytes = kPage * kPages, kMaxKeys = 6, kRecordBytes = 64 };
static const char kMagic[8] = "KAREC001"; /* no terminator */

static int slot(int key) { return 1 + 37 * key; }

static char pattern(int page, int offset) { return (char)('A' + (page + offset / 512) % 26); }

static void put_u32(unsigned char* out, uint32_t v) {
  for (int i = 0; i < 4; i++) out[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char* in) {
  return (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
}

static void run_init(const char* root) {
  char path[kKaPathMax];
  ka_join(path, root, "map");
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) ka_die("create", path, errno);
  static char page[kPage];
  for (int p = 0; p < kPages; p++) {
    for (int o = 0; o < kPage; o++) page[o] = pattern(p, o);
    ka_write_all(fd, page, kPage, path);
  }
  close(fd);
}

static void run_workload(const char* root, int keys) {
  if (keys > kMaxKeys) ka_die("too many keys for the map (at most 6)", NULL, 0);
  char path[kKaPathMax];
  ka_join(path, root, "map");
  int fd = open(path, O_RDWR);
  if (fd < 0) ka_die("open", path, errno);
  unsigned char* map = mmap(NULL, kMapBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) ka_die("mmap", path, errno);
  for (int i = 0; i < keys; i++) {
    char line[80];
    snprintf(line, sizeof line, "W k%d v%d", i, i);
    ka_ack(line);
    unsigned char* record = map + (size_t)slot(i) * kPage;
    memset(record, 0, kRecordBytes);
    memcpy(record, kMagic, sizeof kMagic);
    snprintf((char*)record + sizeof kMagic, kRecordBytes - 4 - sizeof kMagic, "k%d v%d\n", i, i);
    put_u32(record + kRecordBytes - 4, ka_crc32(record, kRecordBytes - 4));
#if KA_FIXED
    if (msync(map, kMapBytes, MS_SYNC) != 0) ka_die("msync", path, errno);
#else
    if (msync(map, kMapBytes, MS_ASYNC) != 0) ka_die("msync", path, errno); /* BUG */
#endif
    line[0] = 'A';
    ka_ack(line);
  }
  munmap(map, kMapBytes);
  close(fd);
}

/* The key index page `page` is the slot of, or -1. */
static int key_of_slot(int page) {
  for (int i = 0; i < kMaxKeys; i++) {
    if (slot(i) == page) return i;
  }
  return -1;
}

/* Prints page `p`'s record when it holds a valid one. */
static void print_record(const unsigned char* page) {
  if (memcmp(page, kMagic, sizeof kMagic) != 0) return;
  if (ka_crc32(page, kRecordBytes - 4) != get_u32(page + kRecordBytes - 4)) return;
  printf("%s", (const char*)page + sizeof kMagic);
}

static int run_check(const char* image) {
  size_t len = 0;
  char* map = ka_read_image_file(image, "map", &len);
  if (map == NULL) return kKaExitCannotRecover;
  if (len != kMapBytes) {
    fprintf(stderr, "map holds %zu bytes, not %d\n", len, kMapBytes);
    free(map);
    return kKaExitInconsistent;
  }
  for (int p = 0; p < kPages; p++) {
    const unsigned char* page = (const unsigned char*)map + (size_t)p * kPage;
    int o = 0;
    while (o < kPage && (char)page[o] == pattern(p, o)) o++;
    if (o == kPage) continue; /* untouched */
    if (key_of_slot(p) >= 0) {
      print_record(page);
      continue;
    }
    fprintf(stderr, "page %d was never written but byte %d holds 0x%02x, not '%c'\n", p, o, page[o],
            pattern(p, o));
    free(map);
    return kKaExitInconsistent;
  }
  free(map);
  return kKaExitRecovered;
}

int main(int argc, char** argv) {
  const struct KaProgram program = {run_init, run_workload, run_check};
  return ka_main(argc, argv, &program);
}
