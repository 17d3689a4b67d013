#!/bin/sh
# run_case.sh: runs one case through `powercut blackbox` and asserts its
# verdict. The CTest tests of blackbox/known_answer (label blackbox) use it for
# the known-answer programs and the scenarios/blackbox examples; it is handy
# by hand too:
#
#   run_case.sh POWERCUT EXPECTED_EXIT PATTERN INIT WORKLOAD CHECK [FLAG...]
#
# POWERCUT is the powercut binary; EXPECTED_EXIT 0 (pass) or 1 (failures
# found); PATTERN an extended regular expression that must occur in the text
# report or the output (- for none); INIT, WORKLOAD and CHECK the --init,
# --workload and --check commands; each FLAG goes to `powercut blackbox` as
# it is (--model M, --max-states N, ...). The root is a fresh temporary
# directory; --seed 1, -j 2, a text report and a temporary --replay-dir are
# added. Exits 0 when the
# verdict is the expected one; otherwise prints the command, its output and
# the report, and exits 1.
set -u
if [ $# -lt 6 ]; then
  echo "usage: $0 POWERCUT EXPECTED_EXIT PATTERN INIT WORKLOAD CHECK [FLAG...]" >&2
  exit 2
fi
powercut=$1 expected=$2 pattern=$3 init=$4 workload=$5 check=$6
shift 6

work=$(mktemp -d "${TMPDIR:-/tmp}/powercut-case.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
report="$work/report.txt"
set -- "$powercut" blackbox --root "$work/root" --init "$init" --workload "$workload" \
  --check "$check" "$@" --seed 1 -j 2 --report "text:$report" --replay-dir "$work/replays"
command_line="$*"
"$@" >"$work/output.txt" 2>&1
status=$?

fail() {
  echo "FAIL: $1"
  echo "command: $command_line"
  echo "--- output ---"
  cat "$work/output.txt"
  if [ -f "$report" ]; then
    echo "--- report ---"
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
# A pass must have judged something: a run that visits no crash state proves
# nothing.
if ! grep -Eq '^[1-9][0-9]* crash states judged' "$work/output.txt"; then
  fail "the summary does not report any crash state judged"
fi
echo "ok: exit $status as expected: $command_line"
tail -n 5 "$work/output.txt"
exit 0
