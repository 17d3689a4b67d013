#!/bin/sh
# check.sh (shell-config example, run by --check in the crash image): reads
# $POWERCUT_IMAGE/app.conf the way the application that owns it would and
# prints its `key value` lines. Exit 1 when the file is gone; exit 2 when it
# is damaged: NUL bytes (data that never reached the disk reads back as zeros)
# or a line that is not `key value`.
set -u
conf="$POWERCUT_IMAGE/app.conf"
if [ ! -f "$conf" ]; then
  echo "no configuration file: $conf" >&2
  exit 1
fi
size=$(wc -c <"$conf")
text_size=$(tr -d '\000' <"$conf" | wc -c)
if [ "$size" -ne "$text_size" ]; then
  echo "app.conf holds $((size - text_size)) NUL bytes of its $size" >&2
  exit 2
fi
status=0
while IFS=' ' read -r key value rest; do
  if [ -z "$key" ] || [ -z "$value" ] || [ -n "$rest" ]; then
    echo "app.conf: malformed line: $key $value $rest" >&2
    status=2
    continue
  fi
  printf '%s %s\n' "$key" "$value"
done <"$conf"
exit "$status"
