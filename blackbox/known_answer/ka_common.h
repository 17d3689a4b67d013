/* Shared support for the known-answer programs of `powercut blackbox`: small
 * key-value stores, each with one known durability bug (and a correct twin
 * built from the same source with -DKA_FIXED=1), that speak the black-box
 * protocol of DESIGN.md. Every program has three modes:
 *
 *   PROG init          create the empty store under $POWERCUT_ROOT (run by
 *                      --init: its result is the durable starting image)
 *   PROG workload N    store keys k0..k(N-1) with values v0..v(N-1), saying
 *                      `W key value` before and `A key value` after each
 *                      acknowledged write on the fd in $POWERCUT_ACK_FD
 *   PROG check         recover the store in $POWERCUT_IMAGE and print
 *                      `key value` lines: exit 0, 1 if it cannot recover,
 *                      2 if the store is inconsistent by its own rules
 *
 * The helpers use raw system calls (open, write, fsync) rather than stdio for
 * everything under the root, so the program does exactly the file operations
 * its source shows. Any failing call ends the program with exit 3 (a workload
 * failure, not a verdict). */
#ifndef POWERCUT_BLACKBOX_KNOWN_ANSWER_KA_COMMON_H_
#define POWERCUT_BLACKBOX_KNOWN_ANSWER_KA_COMMON_H_

#include <stddef.h>
#include <stdint.h>

#ifndef KA_FIXED
#define KA_FIXED 0
#endif

enum { kKaExitRecovered = 0, kKaExitCannotRecover = 1, kKaExitInconsistent = 2, kKaExitError = 3 };
enum { kKaPathMax = 4096 };

/* Prints "PROG: message: strerror(errno)" (when errno_value != 0) to stderr
 * and exits with kKaExitError. */
_Noreturn void ka_die(const char* what, const char* path, int errno_value);

/* The directory named by the environment variable `name` (POWERCUT_ROOT or
 * POWERCUT_IMAGE); dies when it is unset or empty. */
const char* ka_dir_from_env(const char* name);

/* out = dir + "/" + name; dies if it does not fit in kKaPathMax bytes. */
void ka_join(char* out, const char* dir, const char* name);

/* Writes `line` and a newline to the descriptor in $POWERCUT_ACK_FD with one
 * write(2); does nothing when the variable is unset (a run outside powercut). */
void ka_ack(const char* line);

/* write(2) until all `len` bytes are written; dies on error. */
void ka_write_all(int fd, const void* data, size_t len, const char* path);

/* fsync(2) of an open descriptor; dies on error. */
void ka_fsync(int fd, const char* path);

/* Makes the entries of directory `dir` durable the way SQLite does: open it
 * O_RDONLY (no O_DIRECTORY), fsync, close. Dies on error. */
void ka_fsync_dir(const char* dir);

/* Creates (or truncates) `path` as an empty file; no fsync (for `init`). */
void ka_create_empty(const char* path);

/* Reads the whole file at `path` into a malloc'd buffer (*len bytes, plus a
 * terminating NUL not counted). Returns NULL with errno set if it cannot be
 * opened or read. The caller frees. */
char* ka_read_file(const char* path, size_t* len);

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32) of `len` bytes. */
uint32_t ka_crc32(const void* data, size_t len);

/* One known-answer program: its three modes. */
struct KaProgram {
  void (*init)(const char* root);               /* create the empty store */
  void (*workload)(const char* root, int keys); /* store k0..k(keys-1), acking */
  int (*check)(const char* image);              /* print the state; an exit status */
};

/* The whole main(): parses `init | workload N | check` (usage and exit 3 on
 * anything else), takes the directory from POWERCUT_ROOT (init, workload) or
 * POWERCUT_IMAGE (check), runs the mode and returns main's exit status. */
int ka_main(int argc, char** argv, const struct KaProgram* program);

/* init of a store kept in one file: creates root/name, empty. */
void ka_init_empty_file(const char* root, const char* name);

/* Opens the existing root/name O_WRONLY | O_APPEND, with its path in
 * path[kKaPathMax]; dies on error. */
int ka_open_for_append(const char* root, const char* name, char* path);

/* Reads image/name whole (see ka_read_file); on failure prints why to stderr
 * and returns NULL, and the checker should exit kKaExitCannotRecover. */
char* ka_read_image_file(const char* image, const char* name, size_t* len);

/* check of a store kept as "key value\n" lines in image/name: prints the
 * complete records (ka_print_text_records); kKaExitCannotRecover if the file
 * cannot be read. */
int ka_check_text_file(const char* image, const char* name);

/* Parses complete "key value\n" lines of text[0, len) and prints each; stops
 * at the first line that is incomplete (no newline), holds a NUL or does not
 * have exactly two fields -- a torn tail. Returns the number printed. */
int ka_print_text_records(const char* text, size_t len);

#endif /* POWERCUT_BLACKBOX_KNOWN_ANSWER_KA_COMMON_H_ */
