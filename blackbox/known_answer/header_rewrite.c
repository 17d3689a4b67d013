/* Known-answer program "in-place header rewrite": the whole store is one
 * 512-byte sector at the start of $POWERCUT_ROOT/store, rewritten in place by
 * one pwrite and fsynced before each acknowledgement:
 *
 *   u32 count | u32 unused | 15 slots of 32 bytes: "key value" NUL-padded | pad
 *
 * No checksum: the program relies on the sector being written atomically,
 * which is what real devices give (the default torn, torn-512-old) and what
 * LMDB and SQLite document they assume. A device that tears *inside* a
 * sector (torn-512-new: half new bytes, half old) leaves a count from the new
 * header over slots from the old one, and the reader shows an empty or stale
 * slot: `powercut blackbox` must pass it under torn and fail it under
 * torn-512-new. Before powercut's torn became sector-atomic, the old default
 * (a sector that did not land read as zeros) failed this correct program.
 *
 * The twin (-DKA_FIXED=1) keeps two header copies in sectors 0 and 1, writes
 * them alternately with a sequence number and a CRC, and reads the valid copy
 * with the higher sequence (LMDB's two meta pages): it passes every model,
 * the in-sector tears included. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ka_common.h"

enum { kSector = 512, kSlotBytes = 32, kSlots = 15, kSlotsAt = 16, kCrcAt = 8 };

static void put_u32(unsigned char* out, uint32_t v) {
  for (int i = 0; i < 4; i++) out[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char* in) {
  return (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
}

/* The header holding keys k0..k(count-1); `seq` in bytes [4, 8), a CRC of the
 * rest in [8, 12) (used by the twin only). */
static void encode_header(unsigned char* sector, uint32_t count, uint32_t seq) {
  memset(sector, 0, kSector);
  put_u32(sector, count);
  put_u32(sector + 4, seq);
  for (uint32_t i = 0; i < count; i++) {
    snprintf((char*)sector + kSlotsAt + i * kSlotBytes, kSlotBytes, "k%u v%u", i, i);
  }
  put_u32(sector + kCrcAt, ka_crc32(sector + kSlotsAt, kSector - kSlotsAt) ^ count ^ seq);
}

static int header_valid(const unsigned char* sector) {
  uint32_t count = get_u32(sector), seq = get_u32(sector + 4);
  return count <= kSlots &&
         get_u32(sector + kCrcAt) == (ka_crc32(sector + kSlotsAt, kSector - kSlotsAt) ^ count ^ seq);
}

static void run_init(const char* root) {
  char path[kKaPathMax];
  ka_join(path, root, "store");
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) ka_die("create", path, errno);
  unsigned char sectors[2 * kSector];
  encode_header(sectors, 0, 0);
  encode_header(sectors + kSector, 0, 0);
  ka_write_all(fd, sectors, sizeof sectors, path);
  close(fd);
}

static void run_workload(const char* root, int keys) {
  char path[kKaPathMax];
  ka_join(path, root, "store");
  int fd = open(path, O_WRONLY);
  if (fd < 0) ka_die("open", path, errno);
  if (keys > kSlots) keys = kSlots;
  for (int i = 0; i < keys; i++) {
    char line[80];
    snprintf(line, sizeof line, "W k%d v%d", i, i);
    ka_ack(line);
    unsigned char sector[kSector];
    encode_header(sector, (uint32_t)i + 1, (uint32_t)i + 1);
    off_t at = KA_FIXED ? (off_t)((i + 1) % 2) * kSector : 0;
    if (pwrite(fd, sector, kSector, at) != kSector) ka_die("pwrite", path, errno);
    ka_fsync(fd, path);
    line[0] = 'A';
    ka_ack(line);
  }
  close(fd);
}

/* The header to read: sector 0 (buggy), or the valid copy with the higher
 * sequence (twin); NULL if none is valid. */
static const unsigned char* choose_header(const unsigned char* store, size_t len) {
  if (len < 2 * kSector) return NULL;
#if KA_FIXED
  const unsigned char* a = store;
  const unsigned char* b = store + kSector;
  if (!header_valid(a)) return header_valid(b) ? b : NULL;
  if (!header_valid(b)) return a;
  return get_u32(b + 4) > get_u32(a + 4) ? b : a;
#else
  (void)header_valid;
  return store; /* trusts the sector as it finds it */
#endif
}

static int run_check(const char* image) {
  size_t len = 0;
  char* store = ka_read_image_file(image, "store", &len);
  if (store == NULL) return kKaExitCannotRecover;
  const unsigned char* header = choose_header((const unsigned char*)store, len);
  if (header == NULL) {
    fprintf(stderr, "no valid header\n");
    free(store);
    return kKaExitCannotRecover;
  }
  uint32_t count = get_u32(header);
  if (count > kSlots) count = kSlots;
  for (uint32_t i = 0; i < count; i++) {
    char slot[kSlotBytes + 1];
    memcpy(slot, header + kSlotsAt + i * kSlotBytes, kSlotBytes);
    slot[kSlotBytes] = '\0';
    for (char* c = slot; *c != '\0'; c++) {
      if (*c < ' ' || *c > '~') *c = '?';
    }
    printf("%s\n", slot[0] == '\0' ? "? ?" : slot);
  }
  free(store);
  return kKaExitRecovered;
}

int main(int argc, char** argv) {
  const struct KaProgram program = {run_init, run_workload, run_check};
  return ka_main(argc, argv, &program);
}
