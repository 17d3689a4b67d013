#!/bin/sh
# workload.sh N (sqlite3 example, run by --workload): stores k0..k(N-1) in
# $POWERCUT_ROOT/kv.db, one transaction per key, with
# `PRAGMA synchronous=$SQLITE_SYNC` (off, normal, full -- the default -- or
# extra). Each write is announced (`W key value`) before its INSERT and
# acknowledged (`A key value`) only once sqlite3 has answered: an application
# that tells its user "saved" when the statement returns.
#
# SQLITE_CONNECTION chooses how the application talks to sqlite3:
#   per-key  (default) one `sqlite3` process per key, acknowledged when it
#            exits -- and closing the last connection checkpoints a WAL;
#   one      one long-lived `sqlite3` process, as a server holds its
#            connection: statements go in through a fifo, and after each
#            INSERT a `SELECT 'stored k'` answer comes back through another
#            before the key is acknowledged. The fifos live outside the root.
set -eu
here=$(dirname "$0")
. "$here/../ack.sh"
keys=${1:-4}
sync=${SQLITE_SYNC:-full}
db="$POWERCUT_ROOT/kv.db"

one_process_per_key() {
  i=0
  while [ "$i" -lt "$keys" ]; do
    ack W "k$i" "v$i"
    sqlite3 -init /dev/null -batch -bail "$db" \
      "PRAGMA synchronous=$sync; INSERT OR REPLACE INTO kv VALUES('k$i', 'v$i');" >/dev/null
    ack A "k$i" "v$i"
    i=$((i + 1))
  done
}

one_long_lived_connection() {
  fifos=$(mktemp -d "${TMPDIR:-/tmp}/powercut-sqlite3.XXXXXX")
  mkfifo "$fifos/in" "$fifos/out"
  sqlite3 -init /dev/null -batch -bail "$db" <"$fifos/in" >"$fifos/out" &
  exec 4>"$fifos/in" 5<"$fifos/out"
  printf 'PRAGMA synchronous=%s;\n' "$sync" >&4
  i=0
  while [ "$i" -lt "$keys" ]; do
    ack W "k$i" "v$i"
    printf "INSERT OR REPLACE INTO kv VALUES('k%d', 'v%d'); SELECT 'stored k%d';\n" \
      "$i" "$i" "$i" >&4
    read -r reply <&5
    [ "$reply" = "stored k$i" ] || { echo "sqlite3 answered '$reply'" >&2; exit 1; }
    ack A "k$i" "v$i"
    i=$((i + 1))
  done
  exec 4>&- 5<&-
  wait
  rm -rf "$fifos"
}

case ${SQLITE_CONNECTION:-per-key} in
  per-key) one_process_per_key ;;
  one) one_long_lived_connection ;;
  *) echo "SQLITE_CONNECTION must be per-key or one, not '$SQLITE_CONNECTION'" >&2; exit 2 ;;
esac
