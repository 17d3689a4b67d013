/* The black-box trace format (version 1): what libpowercut_shim.so writes and
 * what `powercut blackbox` loads into SimFs. One trace file is shared by every
 * process and thread of a workload (the environment carries POWERCUT_TRACE to
 * children); records carry one global sequence number, assigned while the
 * shim holds the trace lock around the real call, so sequence order is the
 * order in which the operations took effect. The file is written through a
 * shared memory mapping (no system call per record), so what a process wrote
 * survives it being killed. docs/blackbox.md describes the format in prose;
 * the constants below are frozen: a change is a new version.
 *
 * Layout:
 *   [0, 4096)            TraceHeader (the rest of the page is zero)
 *   [4096, end)          records, each 8-byte aligned, in reservation order
 *   [end, capacity)      unused (the file is sparse)
 *
 * A record is a TraceRecord followed by path, path2 and data bytes (lengths in
 * the record, no terminators), padded with zeros to a multiple of 8; `bytes`
 * is the padded total. A record whose `commit` is not kTraceCommitted was
 * reserved by a process that died before finishing it: readers skip it (its
 * `bytes` is valid, written at reservation). Records are reserved under the
 * lock, so reservation order is sequence order, but a reader sorts by `seq`
 * all the same.
 *
 * Paths are absolute and normalised ("." and ".." resolved lexically, no
 * trailing '/'); symbolic links are not followed. Only operations on paths at
 * or under the root (TraceHeader::root) are recorded, plus kSync (no path),
 * kSyncFs of a descriptor under the root, and acknowledgements.
 */
#ifndef POWERCUT_SHIM_TRACE_FORMAT_H_
#define POWERCUT_SHIM_TRACE_FORMAT_H_

#include <stdint.h>

#define POWERCUT_TRACE_MAGIC "PCTRACE1" /* 8 bytes, no terminator in the file */
enum { kTraceVersion = 1, kTraceHeaderBytes = 4096, kTraceRootMax = 2048 };
#define kTraceCommitted 0x54494D43u /* "CMIT" */

/* At offset 0. Fields after `root` are the shim's private state (the
 * process-shared robust mutex and counters); readers ignore them. */
struct TraceHeader {
  char magic[8];          /* POWERCUT_TRACE_MAGIC */
  uint32_t version;       /* kTraceVersion */
  uint32_t header_bytes;  /* kTraceHeaderBytes */
  uint64_t capacity;      /* file size reserved for records + header */
  uint64_t end;           /* offset one past the last reserved record */
  uint64_t next_seq;      /* the next sequence number (starts at 1) */
  uint64_t dropped;       /* records not written because capacity ran out */
  char root[kTraceRootMax]; /* NUL-terminated absolute root, normalised */
  /* shim-private state follows (offset >= 2048 + 48) */
};

/* Written into traces: never renumber. */
enum TraceKind {
  kTraceOpen = 1,      /* path; flags = open flags; mode; result = fd.
                          Recorded for every successful open under the root
                          (and for failed opens with O_CREAT). */
  kTraceWrite = 2,     /* fd, path; offset = file offset written at; data =
                          the bytes the kernel accepted (result of them). Every
                          write family call (write, pwrite*, writev, pwritev*,
                          stdio flushes) becomes one record. flags = the
                          pwritev2 flags argument as passed (RWF_DSYNC 2 and
                          RWF_SYNC 4 make the write synchronous; RWF_APPEND
                          ...), 0 for every other call. fd = -1: the pages of
                          a shared mapping found changed at msync, munmap or
                          exit (path = the mapped file). Both are compatible
                          extensions: older traces hold 0 there and read as
                          before, so the version stays 1. */
  kTraceTruncate = 3,  /* path (fd = -1 for truncate(2)); offset = new size */
  kTraceFallocate = 4, /* fd, path; flags = mode; offset, length */
  kTraceFsync = 5,     /* fd, path; is_dir set for a directory */
  kTraceFdatasync = 6, /* fd, path; is_dir set for a directory */
  kTraceSyncFileRange = 7, /* fd, path; offset, length; flags */
  kTraceSync = 8,      /* sync(2): everything */
  kTraceSyncFs = 9,    /* syncfs(fd) of a descriptor under the root */
  kTraceMsync = 10,    /* fd, path; offset, length = the file range of the
                          msync (clipped to one mapping; one record per
                          mapping it touches); flags = MS_SYNC, MS_ASYNC, ...
                          The changed pages precede it as kTraceWrite records
                          with fd -1; data is empty. (Traces written before
                          the shim compared pages carry the whole range's
                          bytes in data; readers still accept them.) */
  kTraceRename = 11,   /* path -> path2; flags = renameat2 flags */
  kTraceLink = 12,     /* path (existing) -> path2 (new name) */
  kTraceUnlink = 13,   /* path */
  kTraceMkdir = 14,    /* path; mode */
  kTraceRmdir = 15,    /* path */
  kTraceClose = 16,    /* fd, path */
  kTraceDup = 17,      /* fd -> result (the new descriptor), path */
  kTraceAck = 18,      /* data = bytes written to POWERCUT_ACK_FD (may hold
                          part of a line, or several; the loader joins them
                          per pid) */
  kTraceExec = 19,     /* path = the program; a process image started (pid) */
  kTraceFault = 20,    /* an injected error fired: path, data = the rule text,
                          err = the errno returned; follows the failed call's
                          own record */
};

enum TraceFlagBits {
  kTraceIsDir = 1u << 0,   /* fsync/fdatasync of a directory descriptor */
  kTraceFailed = 1u << 1,  /* the call returned -1 (err holds errno); data
                              records of failed calls carry no data */
  kTraceInjected = 1u << 2, /* the failure was injected by a fault rule */
  kTracePathOfFd = 1u << 3  /* kTraceWrite only: the path is omitted
                               (path_len 0): it is the path of the latest
                               kTraceWrite of the same pid and fd that carried
                               one. The shim sets it only after such a record
                               of its own, the descriptor's path unchanged
                               since; readers fill the path in and clear the
                               bit. Compatible: traces without it read as
                               before, so the version stays 1. */
};

struct TraceRecord {
  uint32_t bytes;     /* padded size of this record, header included */
  uint32_t commit;    /* kTraceCommitted once complete */
  uint64_t seq;       /* global order, from 1 */
  uint16_t kind;      /* TraceKind */
  uint16_t flag_bits; /* TraceFlagBits */
  int32_t pid;
  int32_t tid;
  int32_t fd;         /* -1 when none */
  int64_t result;     /* the call's return value */
  int32_t err;        /* errno when failed, else 0 */
  uint32_t flags;     /* open flags, rename flags, fallocate mode, ... */
  uint32_t mode;      /* open/mkdir mode */
  uint32_t path_len;
  uint32_t path2_len;
  uint32_t data_len;
  uint64_t offset;
  uint64_t length;
};
/* sizeof(struct TraceRecord) == 80; the shim and loader static_assert it. */

#endif /* POWERCUT_SHIM_TRACE_FORMAT_H_ */
