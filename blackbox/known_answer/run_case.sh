#!/bin/sh
# run_case.sh: runs one known-answer case through `powercut blackbox` and
# asserts its verdict. Used by the CTest tests of blackbox/known_answer (label
# blackbox); handy by hand too:
#
#   run_case.sh POWERCUT PROGRAM KEYS EXPECTED_EXIT PATTERN MODEL...
#
# POWERCUT is the powercut binary, PROGRAM a known-answer program (init /
# workload N / check), KEYS the workload's key count, EXPECTED_EXIT 0 (pass)
# or 1 (failures found), PATTERN an extended regular expression that must
# occur in the text report or the output (use - for none), and each
# MODEL one --model. Exits 0 when the verdict is the expected one; otherwise
# prints the command, its output and the report, and exits 1.
set -u
if [ $# -lt 6 ]; then
  echo "usage: $0 POWERCUT PROGRAM KEYS EXPECTED_EXIT PATTERN MODEL..." >&2
  exit 2
fi
powercut=$1 program=$2 keys=$3 expected=$4 pattern=$5
shift 5
models=""
for model in "$@"; do models="$models --model $model"; done

work=$(mktemp -d "${TMPDIR:-/tmp}/powercut-ka.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
report="$work/report.txt"
# shellcheck disable=SC2086  # $models is a list of flags
set -- "$powercut" blackbox --root "$work/root" --init "'$program' init" \
  --workload "'$program' workload $keys" --check "'$program' check" \
  $models --seed 1 --max-states 64 -j 2 --report "text:$report"
mkdir "$work/root"
command_line="$*"
"$@" >"$work/output.txt" 2>&1
status=$?

fail() {
  echo "FAIL: $1"
  echo "command: $command_line"
  echo "--- output ---"
  cat "$work/output.txt"
  if [ -f "$report" ]; then
    echo "--- report ($report) ---"
    cat "$report"
  fi
  exit 1
}

if [ "$status" -ne "$expected" ]; then
  fail "powercut blackbox exited $status, expected $expected"
fi
if [ "$pattern" != - ] && ! grep -Eq -- "$pattern" "$report" "$work/output.txt" 2>/dev/null; then
  fail "neither the report nor the output matches /$pattern/"
fi
echo "ok: $(basename "$program") under$models: exit $status as expected"
tail -n 3 "$work/output.txt"
exit 0
