#!/bin/sh
# workload.sh N (sqlite3 example, run by --workload): stores k0..k(N-1) in
# $POWERCUT_ROOT/kv.db, one `sqlite3` process (one transaction) per key, with
# `PRAGMA synchronous=$SQLITE_SYNC` (off, normal, full -- the default -- or
# extra). Each write is announced (`W key value`) before the sqlite3 command
# and acknowledged (`A key value`) only after it returned 0: an application
# that tells its user "saved" when the command returns.
set -eu
here=$(dirname "$0")
. "$here/../ack.sh"
keys=${1:-4}
sync=${SQLITE_SYNC:-full}
i=0
while [ "$i" -lt "$keys" ]; do
  ack W "k$i" "v$i"
  sqlite3 -init /dev/null -batch -bail "$POWERCUT_ROOT/kv.db" \
    "PRAGMA synchronous=$sync; INSERT OR REPLACE INTO kv VALUES('k$i', 'v$i');" >/dev/null
  ack A "k$i" "v$i"
  i=$((i + 1))
done
