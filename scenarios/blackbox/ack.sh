# ack.sh: the acknowledgement helper of the black-box examples, sourced by
# their workload scripts (`. "$here/../ack.sh"`). `ack W k v`, `ack A k v` and
# `ack D k` write one protocol line to the descriptor named by
# $POWERCUT_ACK_FD; outside powercut (the variable unset) they print nothing.
#
# POSIX sh redirects only descriptors 0-9 by number (dash rejects `>&12` as
# "Bad fd number"), so a higher descriptor is reached through /dev/fd/N, which
# on Linux reopens the same pipe or file.
ack() {
  [ -n "${POWERCUT_ACK_FD:-}" ] || return 0
  case $POWERCUT_ACK_FD in
    [0-9]) eval "printf '%s\\n' \"\$*\" >&$POWERCUT_ACK_FD" ;;
    *) printf '%s\n' "$*" >>"/dev/fd/$POWERCUT_ACK_FD" ;;
  esac
}
