/* Live error injection: POWERCUT_FAULTS holds faultfs FaultRule text
 * (faultfs/include/powercut/faultfs/fault_rules.h), rules separated by ';'.
 * The shim injects the three rules that make sense on a live program:
 *   fsync-eio:GLOB:N[:drop|keep|clean-but-visible]  the Nth fsync/fdatasync
 *       of a matching path returns EIO (not passed to the kernel);
 *   enospc:BYTES[:GLOB]   writes to matching paths fail with ENOSPC once
 *       BYTES bytes in total were written; the crossing write is short;
 *   short-write:GLOB:N[:BYTES]  the Nth write writes BYTES (0: half, >= 1).
 * Counters live in the trace header, so they count across every process.
 * read-eio and bitflip are SimFs-only and rejected here. Parsing is strict. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shim_internal.h"

static int rule_error(const char* rule, const char* why) {
  shim_say("powercut shim: bad fault rule '", rule, "': ");
  shim_say(why, "\n", NULL);
  return -1;
}

static int parse_number(const char* field, uint64_t* out) {
  if (*field == '\0') return -1;
  char* end = NULL;
  errno = 0;
  unsigned long long n = strtoull(field, &end, 10);
  if (*end != '\0' || errno != 0 || field[0] == '-' || field[0] == '+') return -1;
  *out = n;
  return 0;
}

/* Splits `text` (modified in place) at ':' into at most 5 fields. */
static int split_fields(char* text, char** fields) {
  int n = 0;
  fields[n++] = text;
  for (char* p = text; *p != '\0'; ++p) {
    if (*p != ':') continue;
    if (n == 5) return 6;
    *p = '\0';
    fields[n++] = p + 1;
  }
  return n;
}

static int parse_glob(const char* rule, const char* glob, struct ShimFaultRule* out) {
  if (*glob == '\0') return rule_error(rule, "GLOB must not be empty (use '*' for every path)");
  if (strlen(glob) >= sizeof out->glob) return rule_error(rule, "GLOB is too long");
  strcpy(out->glob, glob);
  return 0;
}

static int parse_rule(const char* rule, struct ShimFaultRule* out) {
  char copy[sizeof out->text];
  if (strlen(rule) >= sizeof copy) return rule_error(rule, "rule too long");
  strcpy(copy, rule);
  strcpy(out->text, rule);
  char* f[5];
  int n = split_fields(copy, f);
  if (strcmp(f[0], "fsync-eio") == 0) {
    out->kind = kShimFsyncEio;
    if (n < 3 || n > 4)
      return rule_error(rule, "expected fsync-eio:GLOB:N[:drop|keep|clean-but-visible]");
    if (parse_glob(rule, f[1], out) != 0) return -1;
    if (parse_number(f[2], &out->nth) != 0) return rule_error(rule, "N must be a decimal number");
    if (n == 4 && strcmp(f[3], "drop") != 0 && strcmp(f[3], "keep") != 0 &&
        strcmp(f[3], "clean-but-visible") != 0) {
      return rule_error(rule, "the after-failure profile must be drop, keep or clean-but-visible");
    }
    return 0;
  }
  if (strcmp(f[0], "enospc") == 0) {
    out->kind = kShimEnospc;
    if (n < 2 || n > 3) return rule_error(rule, "expected enospc:BYTES[:GLOB]");
    if (parse_number(f[1], &out->bytes) != 0)
      return rule_error(rule, "BYTES must be a decimal number");
    return parse_glob(rule, n == 3 ? f[2] : "*", out);
  }
  if (strcmp(f[0], "short-write") == 0) {
    out->kind = kShimShortWrite;
    if (n < 3 || n > 4) return rule_error(rule, "expected short-write:GLOB:N[:BYTES]");
    if (parse_glob(rule, f[1], out) != 0) return -1;
    if (parse_number(f[2], &out->nth) != 0) return rule_error(rule, "N must be a decimal number");
    if (n == 4 && parse_number(f[3], &out->bytes) != 0) {
      return rule_error(rule, "BYTES must be a decimal number");
    }
    return 0;
  }
  if (strcmp(f[0], "read-eio") == 0 || strcmp(f[0], "bitflip") == 0) {
    return rule_error(rule,
                      "read-eio and bitflip are SimFs rules; the shim injects fsync-eio, "
                      "enospc and short-write");
  }
  return rule_error(rule,
                    "unknown kind; valid: fsync-eio:GLOB:N[:PROFILE], enospc:BYTES[:GLOB], "
                    "short-write:GLOB:N[:BYTES]");
}

int shim_parse_faults(const char* text) {
  const char* p = text;
  while (*p != '\0') {
    const char* semi = strchr(p, ';');
    size_t len = semi != NULL ? (size_t)(semi - p) : strlen(p);
    if (len > 0) {
      char rule[sizeof shim.rules[0].text];
      if (len >= sizeof rule) return rule_error(p, "rule too long");
      memcpy(rule, p, len);
      rule[len] = '\0';
      if (shim.nrules == kShimMaxRules) return rule_error(rule, "more than 16 rules");
      if (parse_rule(rule, &shim.rules[shim.nrules]) != 0) return -1;
      ++shim.nrules;
    }
    p += len;
    if (*p == ';') ++p;
  }
  return 0;
}

/* Counts one more matching operation for rule i; true when it is the Nth. */
static int count_fires(int i) {
  uint64_t count = ++shim.shared->rule_count[i];
  return shim.rules[i].nth == 0 || count == shim.rules[i].nth;
}

int shim_fault_fsync(uint32_t mask) {
  int fired = -1;
  for (int i = 0; i < shim.nrules; ++i) {
    if (!(mask & (1u << i)) || shim.rules[i].kind != kShimFsyncEio) continue;
    if (count_fires(i) && fired < 0) fired = i;
  }
  return fired;
}

size_t shim_fault_write(uint32_t mask, size_t count, int* rule) {
  *rule = -1;
  size_t allowed = count;
  for (int i = 0; i < shim.nrules; ++i) {
    if (!(mask & (1u << i))) continue;
    const struct ShimFaultRule* r = &shim.rules[i];
    if (r->kind == kShimEnospc) {
      uint64_t used = shim.shared->rule_bytes[i];
      uint64_t left = used >= r->bytes ? 0 : r->bytes - used;
      if (left < allowed) {
        allowed = (size_t)left;
        *rule = i;
      }
    } else if (r->kind == kShimShortWrite && count > 0 && count_fires(i)) {
      size_t shortened = r->bytes != 0 ? (size_t)r->bytes : count / 2;
      if (shortened == 0) shortened = 1;
      if (shortened < allowed) {
        allowed = shortened;
        *rule = i;
      }
    }
  }
  return allowed;
}

void shim_fault_account(uint32_t mask, size_t written) {
  for (int i = 0; i < shim.nrules; ++i) {
    if ((mask & (1u << i)) && shim.rules[i].kind == kShimEnospc) {
      shim.shared->rule_bytes[i] += written;
    }
  }
}

void shim_emit_fault(int index, const char* path, size_t path_len, int err) {
  struct ShimRecord r;
  shim_record_init(&r, kTraceFault);
  r.flag_bits = kTraceInjected;
  r.err = err;
  r.path = path;
  r.path_len = path_len;
  r.data_source = kShimDataBuffer;
  r.data = shim.rules[index].text;
  r.data_len = strlen(shim.rules[index].text);
  shim_emit(&r);
}
