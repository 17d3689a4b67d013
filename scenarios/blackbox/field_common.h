/* field_common.h: what the field programs of scenarios/blackbox (lmdb,
 * leveldb, rocksdb) share to speak the black-box protocol of docs/blackbox.md:
 * the directory from the environment, acknowledgement lines on
 * $POWERCUT_ACK_FD, and the exit statuses a checker uses. Header-only, C and
 * C++. Each program has three modes:
 *
 *   PROG init              create the empty store under $POWERCUT_ROOT
 *   PROG workload N MODE   store k0..k(N-1) = v0..v(N-1), one commit per key,
 *                          `W key value` before and `A key value` once the
 *                          library's commit call returned
 *   PROG check             open the store in $POWERCUT_IMAGE as an application
 *                          would after a reboot (the library recovers it) and
 *                          print `key value` lines: exit 0; 1 the library
 *                          refused to open it; 2 it opened but reading failed
 *                          (the store is damaged). Exit 3: a usage error or a
 *                          workload failure, not a verdict. */
#ifndef POWERCUT_SCENARIOS_BLACKBOX_FIELD_COMMON_H_
#define POWERCUT_SCENARIOS_BLACKBOX_FIELD_COMMON_H_

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { kFieldRecovered = 0, kFieldCannotRecover = 1, kFieldDamaged = 2, kFieldError = 3 };

/* The directory named by environment variable `name`; exits 3 when unset. */
static inline const char* field_dir(const char* name) {
  const char* dir = getenv(name);
  if (dir == NULL || dir[0] == '\0') {
    fprintf(stderr, "field: $%s is not set (run under powercut blackbox)\n", name);
    exit(kFieldError);
  }
  return dir;
}

/* Writes "KIND key value\n" to the descriptor in $POWERCUT_ACK_FD with one
 * write(2) (value NULL: "KIND key\n"); nothing when the variable is unset. */
static inline void field_ack(const char* kind, const char* key, const char* value) {
  const char* fd_text = getenv("POWERCUT_ACK_FD");
  if (fd_text == NULL || fd_text[0] == '\0') return;
  char line[256];
  int len = value ? snprintf(line, sizeof line, "%s %s %s\n", kind, key, value)
                  : snprintf(line, sizeof line, "%s %s\n", kind, key);
  if (len <= 0 || (size_t)len >= sizeof line || write(atoi(fd_text), line, (size_t)len) != len) {
    fprintf(stderr, "field: cannot write the ack line for %s\n", key);
    exit(kFieldError);
  }
}

/* The number of keys of `workload N`: 1..1000, else exits 3. */
static inline int field_keys(const char* text) {
  int keys = atoi(text);
  if (keys < 1 || keys > 1000) {
    fprintf(stderr, "field: key count '%s' is not in 1..1000\n", text);
    exit(kFieldError);
  }
  return keys;
}

#endif  // POWERCUT_SCENARIOS_BLACKBOX_FIELD_COMMON_H_
