/* Process start and end for the shim: reads the environment (POWERCUT_ROOT,
 * POWERCUT_TRACE, POWERCUT_ACK_FD, POWERCUT_FAULTS, POWERCUT_TRACE_CAPACITY),
 * maps the trace (creating it when absent or empty), records kTraceExec for
 * the new process image, and at exit flushes traced stdio streams through the
 * recorder and says loudly when records were dropped. Real libc functions are
 * found with dlsym(RTLD_NEXT) and cached. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim_internal.h"

_Static_assert(sizeof(struct TraceRecord) == 80, "TraceRecord layout is frozen");
_Static_assert(offsetof(struct TraceHeader, root) == 48, "TraceHeader layout is frozen");
_Static_assert(kShimSharedOffset >= sizeof(struct TraceHeader), "private area overlaps");
_Static_assert(kShimSharedOffset + sizeof(struct ShimShared) <= kTraceHeaderBytes,
               "private area must fit in the header page");

struct ShimState shim = {.ack_fd = -1};
int shim_ready;
__thread int shim_depth __attribute__((tls_model("initial-exec")));
static __thread pid_t cached_tid __attribute__((tls_model("initial-exec")));
static const uint64_t kDefaultCapacity = 1ull << 30;

void* shim_resolve(void** slot, const char* name) {
  void* fn = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
  if (SHIM_LIKELY(fn != NULL)) return fn;
  fn = dlsym(RTLD_NEXT, name);
  if (fn == NULL) {
    static const char kMsg[] = "powercut shim: libc has no ";
    syscall(SYS_write, 2, kMsg, sizeof kMsg - 1);
    syscall(SYS_write, 2, name, strlen(name));
    syscall(SYS_write, 2, "\n", 1);
    abort();
  }
  __atomic_store_n(slot, fn, __ATOMIC_RELEASE);
  return fn;
}

pid_t shim_tid(void) {
  if (SHIM_UNLIKELY(cached_tid == 0)) cached_tid = (pid_t)syscall(SYS_gettid);
  return cached_tid;
}

void shim_say(const char* a, const char* b, const char* c) {
  const char* parts[3] = {a, b, c};
  for (int i = 0; i < 3; ++i) {
    if (parts[i] != NULL) syscall(SYS_write, 2, parts[i], strlen(parts[i]));
  }
}

/* After fork both processes share every open file description. */
static void after_fork_in_parent(void) { shim_fd_share_all(); }

static void after_fork_in_child(void) {
  shim.pid = (pid_t)syscall(SYS_getpid);
  cached_tid = 0;
  shim_fd_share_all();
}

static uint64_t parse_capacity(const char* text) {
  if (text == NULL || *text == '\0') return kDefaultCapacity;
  char* end = NULL;
  unsigned long long n = strtoull(text, &end, 10);
  if (*end == 'K' || *end == 'k')
    n <<= 10, ++end;
  else if (*end == 'M' || *end == 'm')
    n <<= 20, ++end;
  else if (*end == 'G' || *end == 'g')
    n <<= 30, ++end;
  if (*end != '\0' || n < 2 * kTraceHeaderBytes) {
    shim_say("powercut shim: POWERCUT_TRACE_CAPACITY='", text,
             "' is not a size >= 8192 (bytes, or with K/M/G); using 1G\n");
    return kDefaultCapacity;
  }
  return (n + 4095) & ~4095ull;
}

/* REQUIRES: `fd` is the trace, flock'ed, empty. Writes a fresh header. */
static int create_trace(int fd, uint64_t capacity) {
  if (ftruncate(fd, (off_t)capacity) != 0) return -1;
  void* map = mmap(NULL, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return -1;
  struct TraceHeader* h = map;
  struct ShimShared* shared = (struct ShimShared*)((char*)map + kShimSharedOffset);
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&shared->lock, &attr);
  pthread_mutexattr_destroy(&attr);
  h->version = kTraceVersion;
  h->header_bytes = kTraceHeaderBytes;
  h->capacity = capacity;
  h->end = kTraceHeaderBytes;
  h->next_seq = 1;
  memcpy(h->root, shim.root, shim.root_len + 1);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  memcpy(h->magic, POWERCUT_TRACE_MAGIC, 8); /* last: the header is complete */
  shim.header = h;
  shim.capacity = capacity;
  return 0;
}

/* REQUIRES: `fd` is the trace, flock'ed, initialised by some process. */
static int attach_trace(int fd, const char* file) {
  struct TraceHeader h;
  if (pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h ||
      memcmp(h.magic, POWERCUT_TRACE_MAGIC, 8) != 0 || h.version != kTraceVersion) {
    shim_say("powercut shim: ", file, " is not a version-1 powercut trace; not tracing\n");
    return -1;
  }
  if (strcmp(h.root, shim.root) != 0) {
    shim_say("powercut shim: the trace's root is ", h.root, "");
    shim_say(", POWERCUT_ROOT is ", shim.root, "; not tracing\n");
    return -1;
  }
  void* map = mmap(NULL, h.capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return -1;
  shim.header = map;
  shim.capacity = h.capacity;
  return 0;
}

/* Whether the trace file's magic is still all zeros (preallocated, never
 * initialised). */
static int unwritten_trace(int fd) {
  char magic[8];
  if (pread(fd, magic, sizeof magic, 0) != (ssize_t)sizeof magic) return 0;
  for (size_t i = 0; i < sizeof magic; ++i) {
    if (magic[i] != 0) return 0;
  }
  return 1;
}

/* Opens (or creates) and maps POWERCUT_TRACE. Returns 0 or -1. */
static int map_trace(const char* file) {
  int fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    shim_say("powercut shim: cannot open POWERCUT_TRACE ", file, ": ");
    shim_say(strerror(errno), "; not tracing\n", NULL);
    return -1;
  }
  /* The first process to take the lock on an empty file initialises it. A
   * file of zeros counts as empty: a runner may preallocate the trace
   * (fallocate) so that the traced program does not pay for fresh pages. */
  while (flock(fd, LOCK_EX) != 0 && errno == EINTR) {
  }
  struct stat st;
  int rc = fstat(fd, &st);
  if (rc == 0 && (st.st_size == 0 || unwritten_trace(fd))) {
    uint64_t capacity = parse_capacity(getenv("POWERCUT_TRACE_CAPACITY"));
    if ((uint64_t)st.st_size > capacity) capacity = ((uint64_t)st.st_size + 4095) & ~4095ull;
    rc = create_trace(fd, capacity);
  } else if (rc == 0) {
    rc = attach_trace(fd, file);
  }
  if (rc != 0 && shim.header == NULL && errno != 0) {
    shim_say("powercut shim: cannot map the trace ", file, "; not tracing\n");
  }
  flock(fd, LOCK_UN);
  close(fd);
  if (rc != 0) return -1;
  shim.base = (char*)shim.header;
  shim.shared = (struct ShimShared*)(shim.base + kShimSharedOffset);
  return 0;
}

static int read_root(const char* root) {
  if (root[0] != '/') {
    shim_say("powercut shim: POWERCUT_ROOT must be absolute, not '", root, "'; not tracing\n");
    return -1;
  }
  int n = shim_normalise(root, shim.root);
  if (n < 0 || n >= kTraceRootMax) {
    shim_say("powercut shim: POWERCUT_ROOT is too long; not tracing\n", NULL, NULL);
    return -1;
  }
  shim.root_len = (size_t)n;
  char real[PATH_MAX];
  if (realpath(shim.root, real) != NULL && strcmp(real, shim.root) != 0) {
    shim.real_root_len = strlen(real);
    memcpy(shim.real_root, real, shim.real_root_len + 1);
  }
  return 0;
}

/* kTraceExec: this process image started; path = the program, data = argv
 * (NUL-separated, as /proc/self/cmdline has it). */
static void record_exec(void) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n < 0) n = 0;
  exe[n] = '\0';
  char cmdline[4096];
  ssize_t c = 0;
  int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    c = read(fd, cmdline, sizeof cmdline);
    close(fd);
    if (c < 0) c = 0;
  }
  struct ShimRecord r;
  shim_record_init(&r, kTraceExec);
  r.path = exe;
  r.path_len = (size_t)n;
  r.data_source = kShimDataBuffer;
  r.data = cmdline;
  r.data_len = (size_t)c;
  shim_lock();
  shim_emit(&r);
  shim_unlock();
}

static void configure(void) {
  shim.pid = (pid_t)syscall(SYS_getpid);
  const char* root = getenv("POWERCUT_ROOT");
  if (root == NULL || *root == '\0' || read_root(root) != 0) return;
  const char* trace = getenv("POWERCUT_TRACE");
  if (trace == NULL || *trace == '\0') {
    shim_say("powercut shim: POWERCUT_ROOT is set but POWERCUT_TRACE is not; not tracing\n", NULL,
             NULL);
    return;
  }
  const char* faults = getenv("POWERCUT_FAULTS");
  if (faults != NULL && shim_parse_faults(faults) != 0) {
    shim_say("powercut shim: refusing to run with bad POWERCUT_FAULTS\n", NULL, NULL);
    _exit(126);
  }
  const char* ack = getenv("POWERCUT_ACK_FD");
  if (ack != NULL && *ack != '\0') {
    char* end = NULL;
    long fd = strtol(ack, &end, 10);
    if (*end == '\0' && fd >= 0 && fd < INT_MAX) {
      shim.ack_fd = (int)fd;
    } else {
      shim_say("powercut shim: POWERCUT_ACK_FD='", ack, "' is not a descriptor number\n");
    }
  }
  if (map_trace(trace) != 0) return;
  pthread_atfork(NULL, after_fork_in_parent, after_fork_in_child);
  shim.enabled = 1;
  record_exec();
}

void shim_init(void) {
  static int state; /* 0: not started, 1: running, 2: done */
  int expected = 0;
  if (!__atomic_compare_exchange_n(&state, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    if (shim_depth > 0) return; /* our own calls during initialisation */
    while (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2) sched_yield();
    return;
  }
  int saved = errno;
  ++shim_depth;
  configure();
  --shim_depth;
  __atomic_store_n(&shim_ready, 1, __ATOMIC_RELEASE);
  __atomic_store_n(&state, 2, __ATOMIC_RELEASE);
  errno = saved;
}

__attribute__((constructor)) static void shim_constructor(void) { shim_init(); }

__attribute__((destructor)) static void shim_destructor(void) {
  if (!shim.enabled) return;
  int saved = errno;
  shim_stdio_flush_all_at_exit();
  ++shim_depth;
  shim_mmap_record_at_exit();
  --shim_depth;
  if (shim.header->dropped != 0) {
    char count[32];
    snprintf(count, sizeof count, "%llu", (unsigned long long)shim.header->dropped);
    shim_say("powercut shim: WARNING: the trace is INCOMPLETE: ", count,
             " records were dropped because its capacity ran out "
             "(raise POWERCUT_TRACE_CAPACITY)\n");
  }
  errno = saved;
}
