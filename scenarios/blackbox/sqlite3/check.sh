#!/bin/sh
# check.sh (sqlite3 example, run by --check in the crash image): opens
# $POWERCUT_IMAGE/kv.db with sqlite3, which recovers it as any application
# would (a hot rollback journal is rolled back, a WAL is replayed), and prints
# the table as `key value` lines. Exit 1 when sqlite3 cannot open or read the
# database; exit 2 when `PRAGMA integrity_check` reports damage.
set -u
db="$POWERCUT_IMAGE/kv.db"
if ! integrity=$(sqlite3 -init /dev/null -batch -bail "$db" "PRAGMA integrity_check;" 2>&1); then
  echo "sqlite3 cannot read $db: $integrity" >&2
  exit 1
fi
if [ "$integrity" != ok ]; then
  echo "integrity_check: $integrity" >&2
  exit 2
fi
if ! sqlite3 -init /dev/null -batch -bail -separator ' ' "$db" "SELECT key, value FROM kv ORDER BY key;"; then
  exit 1
fi
