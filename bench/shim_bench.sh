#!/usr/bin/env bash
# bench/shim_bench.sh [BUILD_DIR] [RUNS]: the shim's recording overhead
# (docs/performance.md, "The LD_PRELOAD shim"). Runs shim_bench_writer
# (200,000 writes of 64 bytes, an fsync every 50,000) RUNS times (default 7)
# in each mode, alternating the modes, into a fresh directory on the same
# file system each run, and prints per mode the median wall time, the median
# CPU time (user + system: steadier than wall time on a loaded machine, whose
# fsync waits dominate the wall clock) and both ratios to the untraced run:
#   untraced      the program alone
#   preloaded     LD_PRELOAD=libpowercut_shim.so, POWERCUT_ROOT unset (pass-through)
#   shim          LD_PRELOAD + POWERCUT_ROOT + POWERCUT_TRACE (recording)
#   shim-prealloc the same, into a trace file preallocated with fallocate
#                 (PREALLOC bytes, default 64M) before the program starts, as
#                 `powercut blackbox` does on /dev/shm
#   strace        strace -f -o /dev/null (what users would otherwise reach for)
# WORK_DIR (default: a directory under the build dir) sets where files go;
# TRACE_DIR (default: WORK_DIR) where the trace goes (e.g. /dev/shm, tmpfs).
# NO_STRACE=1 skips the strace mode (slow: about 30 times the untraced run).
set -euo pipefail
build=${1:-build}
runs=${2:-7}
writer=$build/bin/shim_bench_writer
shim=$build/lib/libpowercut_shim.so
for f in "$writer" "$shim"; do
  [[ -e $f ]] || { echo "shim_bench: $f missing; build targets shim_bench_writer powercut_shim" >&2; exit 2; }
done
have_strace=1
if [[ ${NO_STRACE:-0} == 1 ]]; then
  have_strace=0
elif ! command -v strace >/dev/null; then
  have_strace=0
  echo "shim_bench: strace not installed; skipping that mode" >&2
fi
work=$(realpath -m "${WORK_DIR:-$build/shim_bench_work}")
trace_dir=$(realpath -m "${TRACE_DIR:-$work}")
modes=(untraced preloaded shim shim-prealloc)
prealloc=${PREALLOC:-64M}
((have_strace)) && modes+=(strace)
declare -A times

run_mode() {  # prints "wall_ms cpu_ms" of one run of mode $1
  local mode=$1 dir=$work/run
  rm -rf "$work" "$trace_dir/shim_bench.trace" && mkdir -p "$dir/root" "$trace_dir"
  if [[ $mode == shim-prealloc ]]; then  # what powercut blackbox does before the workload
    fallocate -l "$prealloc" "$trace_dir/shim_bench.trace"
  fi
  local TIMEFORMAT='%3R %3U %3S' t
  t=$({ time case $mode in
    untraced) "$writer" "$dir/root" ;;
    preloaded) LD_PRELOAD=$shim "$writer" "$dir/root" ;;
    shim) LD_PRELOAD=$shim POWERCUT_ROOT=$dir/root POWERCUT_TRACE=$trace_dir/shim_bench.trace "$writer" "$dir/root" ;;
    shim-prealloc) LD_PRELOAD=$shim POWERCUT_ROOT=$dir/root POWERCUT_TRACE=$trace_dir/shim_bench.trace "$writer" "$dir/root" ;;
    strace) strace -f -o /dev/null "$writer" "$dir/root" ;;
  esac; } 2>&1)
  awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}' <<<"$t"
}

declare -A cpu
for ((r = 0; r < runs; ++r)); do
  for mode in "${modes[@]}"; do
    read -r wall_ms cpu_ms <<<"$(run_mode "$mode")"
    times[$mode]+="$wall_ms "
    cpu[$mode]+="$cpu_ms "
    if [[ $mode == shim && $r == 0 && -x $build/bin/powercut-trace-dump ]]; then
      # The recording must be real: one record per write and fsync.
      "$build/bin/powercut-trace-dump" "$trace_dir/shim_bench.trace" | tail -1 | sed 's/^# /shim trace: /' >&2
    fi
  done
done
rm -rf "$work" "$trace_dir/shim_bench.trace"

median() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
base_wall=$(median "${times[untraced]}")
base_cpu=$(median "${cpu[untraced]}")
printf '%-10s %8s %7s %8s %7s   (median of %d runs; 200000 x 64-byte writes, fsync every 50000)\n' \
  mode wall_ms ratio cpu_ms ratio "$runs"
for mode in "${modes[@]}"; do
  wall=$(median "${times[$mode]}")
  c=$(median "${cpu[$mode]}")
  printf '%-10s %8d %7s %8d %7s\n' "$mode" "$wall" "$(ratio "$wall" "$base_wall")" "$c" \
    "$(ratio "$c" "$base_cpu")"
done
