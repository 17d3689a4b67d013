/* Helpers for the shim's test programs: SAY prints one line describing a
 * call and what it returned (with errno when it failed), so a run under the
 * shim can be compared line by line with a run without it; MUST exits with
 * status 3 when a call that must succeed did not. */
#ifndef POWERCUT_SHIM_TEST_PROG_COMMON_H_
#define POWERCUT_SHIM_TEST_PROG_COMMON_H_

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Prints "what -> result" (and errno's name number when result < 0). */
static inline long say(const char* what, long result) {
  char line[512];
  int n = result < 0 ? snprintf(line, sizeof line, "%s -> %ld errno=%d\n", what, result, errno)
                     : snprintf(line, sizeof line, "%s -> %ld\n", what, result);
  if (write(1, line, (size_t)n) != n) exit(4);
  return result;
}
#define SAY(call) say(#call, (long)(call))

static inline long must(const char* what, long result) {
  if (result < 0) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(3);
  }
  return result;
}
#define MUST(call) must(#call, (long)(call))

#endif /* POWERCUT_SHIM_TEST_PROG_COMMON_H_ */
