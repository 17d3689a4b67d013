/* Which descriptors carry acknowledgements: POWERCUT_ACK_FD and, in this
 * process, every copy of it made by dup, dup2, dup3 or fcntl(F_DUPFD). A
 * shell writes `printf 'A k v\n' >&3` through a dup2 of descriptor 3 onto 1
 * (dash and bash both redirect that way), so without the copies no shell
 * workload could acknowledge. The copies are per process: a fork inherits
 * them, an exec keeps only POWERCUT_ACK_FD itself. The table is updated from
 * shim_fd_copy and shim_fd_forget (under the lock) and read without it. */
#include "shim_internal.h"

static unsigned char ack_copies[kShimFdTableSize];

int shim_is_ack_fd(int fd) {
  if (fd < 0 || shim.ack_fd < 0) return 0;
  if (fd == shim.ack_fd) return 1;
  return fd < kShimFdTableSize && __atomic_load_n(&ack_copies[fd], __ATOMIC_ACQUIRE) != 0;
}

void shim_ack_fd_copied(int from, int to) {
  if (to < 0 || to >= kShimFdTableSize) return;
  __atomic_store_n(&ack_copies[to], (unsigned char)shim_is_ack_fd(from), __ATOMIC_RELEASE);
}

void shim_ack_fd_closed(int fd) {
  if (fd < 0 || fd >= kShimFdTableSize) return;
  __atomic_store_n(&ack_copies[fd], 0, __ATOMIC_RELEASE);
}
