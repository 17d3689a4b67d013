#!/bin/sh
# check.sh (redis field example, run by --check in the crash image): starts
# redis-server on $POWERCUT_IMAGE with appendonly yes, so it loads the
# append-only files as it would after a reboot (aof-load-truncated yes, the
# default: a truncated last command is dropped with a warning), and prints
# every key as `key value`. Exit 1 when the server refuses to start (a damaged
# AOF or manifest: its log goes to stderr).
set -eu
here=$(dirname "$0")
. "$here/redis.sh"
start_redis "$POWERCUT_IMAGE" always
for key in $(rcli --scan | sort); do
  printf '%s %s\n' "$key" "$(rcli GET "$key")"
done
stop_redis
