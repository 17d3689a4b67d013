#!/bin/sh
# workload.sh N (redis field example, run by --workload): starts redis-server
# on $POWERCUT_ROOT with appendonly yes and appendfsync $REDIS_FSYNC (always,
# the default, or everysec), then SETs k0..k(N-1) = v0..v(N-1) one command at a
# time with redis-cli, acknowledging each key once the server answered OK --
# what a client of a Redis server is told. Then shuts the server down (NOSAVE).
set -eu
here=$(dirname "$0")
. "$here/../ack.sh"
. "$here/redis.sh"
keys=${1:-3}
fsync=${REDIS_FSYNC:-always}
start_redis "$POWERCUT_ROOT" "$fsync"
i=0
while [ "$i" -lt "$keys" ]; do
  ack W "k$i" "v$i"
  reply=$(rcli SET "k$i" "v$i")
  [ "$reply" = OK ] || { echo "SET k$i answered '$reply'" >&2; stop_redis; exit 1; }
  ack A "k$i" "v$i"
  i=$((i + 1))
done
stop_redis
