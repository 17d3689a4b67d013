/* Keeping children traced. Every exec and posix_spawn hook makes sure the new
 * image's environment carries LD_PRELOAD (with this library) and the
 * POWERCUT_* variables the shim started with, even when the program passes a
 * trimmed environment (execve, execle, execvpe, posix_spawn) or cleared
 * `environ` (execv, execvp, execl, execlp). The augmented environment is
 * built on the stack: no allocation, no locks, so it is safe in a vfork
 * child. fork needs nothing: the child inherits the mapping and the table. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "shim_internal.h"

extern char** environ;

SHIM_DECLARE_REAL(execve);
SHIM_DECLARE_REAL(execvpe);
SHIM_DECLARE_REAL(fexecve);
SHIM_DECLARE_REAL(posix_spawn);
SHIM_DECLARE_REAL(posix_spawnp);

/* An instrumented copy of the shim (sanitizer builds' libpowercut_shim_<name>.so,
 * for the shim's own tests) can only be loaded after its sanitizer's runtime:
 * it carries the runtime into LD_PRELOAD ahead of itself, and the
 * sanitizer's options, as it carries itself and POWERCUT_*. */
#if defined(__SANITIZE_ADDRESS__)
#define SHIM_SANITIZER_RUNTIME_SYMBOL __asan_init
#define SHIM_SANITIZER_OPTIONS "ASAN_OPTIONS=", "UBSAN_OPTIONS=",
#elif defined(__SANITIZE_THREAD__)
#define SHIM_SANITIZER_RUNTIME_SYMBOL __tsan_init
#define SHIM_SANITIZER_OPTIONS "TSAN_OPTIONS=",
#else
#define SHIM_SANITIZER_OPTIONS
#endif
#ifdef SHIM_SANITIZER_RUNTIME_SYMBOL
extern void SHIM_SANITIZER_RUNTIME_SYMBOL(void);
#endif

static const char* const kCarried[] = {SHIM_SANITIZER_OPTIONS "POWERCUT_ROOT=",
                                       "POWERCUT_TRACE=", "POWERCUT_ACK_FD=",
                                       "POWERCUT_FAULTS=", "POWERCUT_TRACE_CAPACITY="};
enum { kCarriedCount = sizeof kCarried / sizeof kCarried[0], kEnvTextMax = 4096 };

/* Snapshot taken at start: "NAME=value", "" when unset. */
static char carried[kCarriedCount][kEnvTextMax];
static char shim_library[PATH_MAX];

__attribute__((constructor(101))) static void snapshot_environment(void) {
  for (int i = 0; i < kCarriedCount; ++i) {
    size_t name_len = strlen(kCarried[i]);
    for (char** e = environ; e != NULL && *e != NULL; ++e) {
      if (strncmp(*e, kCarried[i], name_len) == 0 && strlen(*e) < kEnvTextMax) {
        strcpy(carried[i], *e);
      }
    }
  }
  Dl_info info;
#ifdef SHIM_SANITIZER_RUNTIME_SYMBOL
  Dl_info runtime;
  if (dladdr((void*)&SHIM_SANITIZER_RUNTIME_SYMBOL, &runtime) != 0 && runtime.dli_fname != NULL &&
      dladdr((void*)&snapshot_environment, &info) != 0 && info.dli_fname != NULL &&
      strlen(runtime.dli_fname) + strlen(info.dli_fname) + 1 < sizeof shim_library) {
    strcpy(shim_library, runtime.dli_fname);
    strcat(shim_library, ":");
    strcat(shim_library, info.dli_fname);
  }
  return;
#endif
  if (dladdr((void*)&snapshot_environment, &info) != 0 && info.dli_fname != NULL &&
      strlen(info.dli_fname) < sizeof shim_library) {
    strcpy(shim_library, info.dli_fname);
  }
}

static int env_has(char* const* envp, const char* prefix) {
  size_t n = strlen(prefix);
  for (char* const* e = envp; e != NULL && *e != NULL; ++e) {
    if (strncmp(*e, prefix, n) == 0) return 1;
  }
  return 0;
}

static size_t env_count(char* const* envp) {
  size_t n = 0;
  while (envp != NULL && envp[n] != NULL) ++n;
  return n;
}

/* Fills out[] (room for count + kCarriedCount + 2) with envp plus what is
 * missing; `preload` is scratch for a rewritten LD_PRELOAD. */
static char** augment(char* const* envp, char** out, char* preload, size_t preload_size) {
  size_t n = 0;
  int preload_done = shim_library[0] == '\0';
  for (char* const* e = envp; e != NULL && *e != NULL; ++e) {
    if (strncmp(*e, "LD_PRELOAD=", 11) == 0 && !preload_done) {
      preload_done = 1;
      if (strstr(*e, shim_library) == NULL &&
          strlen(*e) + strlen(shim_library) + 2 < preload_size) {
        strcpy(preload, "LD_PRELOAD=");
        strcat(preload, shim_library);
        strcat(preload, ":");
        strcat(preload, *e + 11);
        out[n++] = preload;
        continue;
      }
    }
    out[n++] = *e;
  }
  if (!preload_done && strlen(shim_library) + 12 < preload_size) {
    strcpy(preload, "LD_PRELOAD=");
    strcat(preload, shim_library);
    out[n++] = preload;
  }
  for (int i = 0; i < kCarriedCount; ++i) {
    if (carried[i][0] != '\0' && !env_has(envp, kCarried[i])) out[n++] = carried[i];
  }
  out[n] = NULL;
  return out;
}

/* Declares `name`, the augmented copy of `envp`, on the caller's stack. */
/* The new image (or a vfork child, which shares our memory) may move the
 * offsets of every inherited descriptor: the offset cache must not trust them. */
#define SHIM_AUGMENTED_ENV(name, envp)                                                            \
  if (shim.enabled) shim_fd_share_all();                                                          \
  char* name##_slots[env_count(envp) + kCarriedCount + 2];                                        \
  char name##_preload[PATH_MAX * 2];                                                              \
  char** name = shim.enabled ? augment(envp, name##_slots, name##_preload, sizeof name##_preload) \
                             : (char**)(envp)

SHIM_EXPORT int execve(const char* path, char* const argv[], char* const envp[]) {
  SHIM_AUGMENTED_ENV(env, envp);
  return SHIM_REAL(execve)(path, argv, env);
}

SHIM_EXPORT int execvpe(const char* file, char* const argv[], char* const envp[]) {
  SHIM_AUGMENTED_ENV(env, envp);
  return SHIM_REAL(execvpe)(file, argv, env);
}

SHIM_EXPORT int fexecve(int fd, char* const argv[], char* const envp[]) {
  SHIM_AUGMENTED_ENV(env, envp);
  return SHIM_REAL(fexecve)(fd, argv, env);
}

SHIM_EXPORT int execv(const char* path, char* const argv[]) { return execve(path, argv, environ); }

SHIM_EXPORT int execvp(const char* file, char* const argv[]) {
  return execvpe(file, argv, environ);
}

/* The execl family: collect the variadic arguments into an argv array. */
/* The number of arguments before the terminating NULL, `first` included. */
static size_t count_args(const char* first, va_list ap) {
  if (first == NULL) return 0;
  size_t n = 1;
  va_list copy;
  va_copy(copy, ap);
  while (va_arg(copy, const char*) != NULL) ++n;
  va_end(copy);
  return n;
}

/* Consumes the arguments and their terminating NULL from `ap`. */
#define SHIM_COLLECT_ARGS(argv, arg, ap)                              \
  size_t argc_ = count_args(arg, ap);                                 \
  char* argv[argc_ + 1];                                              \
  argv[0] = (char*)(arg);                                             \
  for (size_t i_ = 1; i_ < argc_; ++i_) argv[i_] = va_arg(ap, char*); \
  if (argc_ > 0) (void)va_arg(ap, char*);                             \
  argv[argc_] = NULL

SHIM_EXPORT int execl(const char* path, const char* arg, ...) {
  va_list ap;
  va_start(ap, arg);
  SHIM_COLLECT_ARGS(argv, arg, ap);
  va_end(ap);
  return execve(path, argv, environ);
}

SHIM_EXPORT int execlp(const char* file, const char* arg, ...) {
  va_list ap;
  va_start(ap, arg);
  SHIM_COLLECT_ARGS(argv, arg, ap);
  va_end(ap);
  return execvpe(file, argv, environ);
}

SHIM_EXPORT int execle(const char* path, const char* arg, ...) {
  va_list ap;
  va_start(ap, arg);
  SHIM_COLLECT_ARGS(argv, arg, ap);
  char* const* envp = va_arg(ap, char* const*);
  va_end(ap);
  return execve(path, argv, envp);
}

SHIM_EXPORT int posix_spawn(pid_t* pid, const char* path, const posix_spawn_file_actions_t* actions,
                            const posix_spawnattr_t* attr, char* const argv[], char* const envp[]) {
  SHIM_AUGMENTED_ENV(env, envp);
  return SHIM_REAL(posix_spawn)(pid, path, actions, attr, argv, env);
}

SHIM_EXPORT int posix_spawnp(pid_t* pid, const char* file,
                             const posix_spawn_file_actions_t* actions,
                             const posix_spawnattr_t* attr, char* const argv[],
                             char* const envp[]) {
  SHIM_AUGMENTED_ENV(env, envp);
  return SHIM_REAL(posix_spawnp)(pid, file, actions, attr, argv, env);
}
