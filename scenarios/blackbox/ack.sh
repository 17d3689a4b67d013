# ack.sh: the acknowledgement helper of the black-box examples, sourced by
# their workload scripts (`. "$here/../ack.sh"`). `ack W k v`, `ack A k v` and
# `ack D k` write one protocol line to the descriptor named by
# $POWERCUT_ACK_FD; outside powercut (the variable unset) they print nothing.
#
# `powercut blackbox` passes descriptor 3. POSIX sh can name only descriptors
# 0-9 in a redirection (dash rejects `>&12` as "Bad fd number"), and reopening
# /dev/fd/N would give a new descriptor the shim does not watch, so a larger
# number is refused with a clear message.
ack() {
  [ -n "${POWERCUT_ACK_FD:-}" ] || return 0
  case $POWERCUT_ACK_FD in
    [0-9]) printf '%s\n' "$*" >&"$POWERCUT_ACK_FD" ;;
    *)
      echo "ack.sh: POWERCUT_ACK_FD=$POWERCUT_ACK_FD: sh can only write to descriptors 0-9" >&2
      return 1
      ;;
  esac
}
