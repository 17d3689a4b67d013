#!/usr/bin/env bash
# powercut-kv on a real directory: each command opens the database (creating
# it), does one thing durably and closes it; a missing key exits 1; bad usage
# and a non-database directory exit 2; a damaged table is reported as
# Corruption naming the file, with a non-zero exit; so is a damaged last WAL
# record (issue 11: each command leaves one synced record, which Close
# vouches for), and the damaged WAL is kept. Usage: powercut_kv_test.sh KV_BINARY
set -u
kv="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
check() {  # check DESCRIPTION EXPECTED_STATUS ACTUAL_STATUS
  if [[ "$2" != "$3" ]]; then
    echo "FAIL: $1: expected exit $2, got $3"
    failures=$((failures + 1))
  fi
}
expect_output() {  # expect_output DESCRIPTION EXPECTED ACTUAL
  if [[ "$2" != "$3" ]]; then
    echo "FAIL: $1: expected '$2', got '$3'"
    failures=$((failures + 1))
  fi
}

db="$dir/db"
"$kv" put "$db" apple red; check "put creates the database" 0 $?
"$kv" put "$db" banana yellow; check "second put" 0 $?
"$kv" put "$db" apple green; check "overwrite" 0 $?
expect_output "get returns the newest value" "green" "$("$kv" get "$db" apple)"
"$kv" del "$db" banana; check "del" 0 $?
"$kv" get "$db" banana >/dev/null 2>&1; check "get of a deleted key" 1 $?
"$kv" flush "$db"; check "flush" 0 $?
"$kv" put "$db" cherry dark; check "put after flush" 0 $?
expect_output "scan lists keys in order" $'apple green\ncherry dark' "$("$kv" scan "$db")"
"$kv" get "$db" missing >/dev/null 2>&1; check "get of an absent key" 1 $?

"$kv" frobnicate "$db" >/dev/null 2>&1; check "unknown command" 2 $?
"$kv" put "$db" onlykey >/dev/null 2>&1; check "missing argument" 2 $?
"$kv" put "$db" "" value >/dev/null 2>&1; check "empty key" 2 $?

mkdir -p "$dir/notadb" && echo hello >"$dir/notadb/readme.txt"
"$kv" get "$dir/notadb" k >/dev/null 2>&1; check "a non-database directory" 2 $?
expect_output "a non-database directory is left alone" "hello" "$(cat "$dir/notadb/readme.txt")"

# Damage every table: the next read must say Corruption and name a table.
for table in "$db"/*.sst; do
  printf 'XXXXXXXX' | dd of="$table" bs=1 seek=2 conv=notrunc status=none
done
message=$("$kv" get "$db" apple 2>&1)
status=$?
if [[ $status -eq 0 || "$message" != *Corruption* || "$message" != *.sst* ]]; then
  echo "FAIL: a damaged table: expected a Corruption naming the .sst file, got ($status) '$message'"
  failures=$((failures + 1))
fi

# Issue 11: one synced put per process; a byte of the last WAL record flips.
wal_db="$dir/waldb"
"$kv" put "$wal_db" k1 v1 && "$kv" put "$wal_db" k2 value-two; check "puts into a new database" 0 $?
wal=$(ls "$wal_db"/*.log)
printf '\xff' | dd of="$wal" bs=1 seek=30 conv=notrunc status=none
message=$("$kv" scan "$wal_db" 2>&1)
status=$?
if [[ $status -ne 2 || "$message" != *Corruption* || "$message" != *"$wal"*offset* ]]; then
  echo "FAIL: a damaged last WAL record: expected Corruption naming $wal and an offset, got ($status) '$message'"
  failures=$((failures + 1))
fi
[[ -f "$wal" ]] || { echo "FAIL: the damaged WAL $wal was deleted"; failures=$((failures + 1)); }

if ((failures > 0)); then
  echo "$failures failed"
  exit 1
fi
echo "powercut-kv: all checks passed"
