#!/bin/sh
# bench/blackbox_bench.sh [BUILD_DIR]: crash states judged per second by
# `powercut blackbox`, end to end, on small databases, and where the time
# goes. For each case it runs the full protocol (init, the traced workload,
# every default model at the default crash points and --max-states 16) with
# -j 1 and -j 2, and prints powercut's own summary lines: states judged,
# distinct images, and "time: X s building images, Y s in the checker
# (summed over -j N), Z s wall". Cases:
#   ka-log       the known-answer log store (fixed twin), 8 keys: a C checker
#                that reads one file -- the floor of the per-state cost
#   sqlite3      the sqlite3 example, DELETE journal, synchronous=EXTRA,
#                4 keys (one sqlite3 process per key)
#   sqlite3-wal  the sqlite3 example, WAL, synchronous=FULL, one long-lived
#                connection, 4 keys
# The per-step costs (materialising one image, spawning one checker) are
# google-benchmarks: powercut-bench --benchmark_filter=Blackbox.
set -eu
build=$(cd "${1:-build}" && pwd)
powercut="$build/bin/powercut"
here=$(cd "$(dirname "$0")/.." && pwd)
sqlite="$here/scenarios/blackbox/sqlite3"
ka="$build/bin/ka_ack_before_fsync_fixed"
for f in "$powercut" "$ka"; do
  [ -x "$f" ] || { echo "blackbox_bench.sh: $f not built (targets powercut, powercut_shim, ka_*)" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/powercut-bbbench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# run NAME JOBS INIT WORKLOAD CHECK: one measured run; prints its summary.
run() {
  name=$1 jobs=$2
  out="$work/$name-j$jobs.txt"
  rm -rf "$work/root"
  "$powercut" blackbox --root "$work/root" --init "$3" --workload "$4" --check "$5" \
    -j "$jobs" --seed 1 --replay-dir "$work/replays" >"$out" 2>&1 || true
  states=$(sed -n 's/^\([0-9]*\) crash states judged.*/\1/p' "$out")
  wall=$(sed -n 's/^time: .* \([0-9.]*\) s wall$/\1/p' "$out")
  rate=$(awk -v s="$states" -v w="$wall" 'BEGIN { if (w > 0) printf "%.0f", s / w; else print "?" }')
  printf '%-12s -j %s  %5s states  %6s s wall  %5s states/s\n' "$name" "$jobs" "$states" "$wall" "$rate"
  grep -E 'distinct images|^time:' "$out" | sed 's/^/    /'
}

for jobs in 1 2; do
  run ka-log "$jobs" "$ka init" "$ka workload 8" "$ka check"
  run sqlite3 "$jobs" "SQLITE_JOURNAL=delete sh $sqlite/init.sh" \
    "SQLITE_SYNC=extra sh $sqlite/workload.sh 4" "sh $sqlite/check.sh"
  run sqlite3-wal "$jobs" "SQLITE_JOURNAL=wal sh $sqlite/init.sh" \
    "SQLITE_CONNECTION=one SQLITE_SYNC=full sh $sqlite/workload.sh 4" "sh $sqlite/check.sh"
done
