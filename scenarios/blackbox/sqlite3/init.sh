#!/bin/sh
# init.sh (sqlite3 example, run by --init): creates the database
# $POWERCUT_ROOT/kv.db with one table kv(key, value) in the journal mode named
# by $SQLITE_JOURNAL (delete, the default, or wal; the mode is stored in the
# database file, so later connections inherit it).
set -eu
if ! command -v sqlite3 >/dev/null; then
  echo "init.sh: sqlite3 not found: install the Debian package sqlite3 (ci/setup does)" >&2
  exit 1
fi
journal=${SQLITE_JOURNAL:-delete}
sqlite3 -init /dev/null -batch -bail "$POWERCUT_ROOT/kv.db" >/dev/null <<SQL
PRAGMA journal_mode=$journal;
CREATE TABLE kv(key TEXT PRIMARY KEY, value TEXT NOT NULL);
SQL
