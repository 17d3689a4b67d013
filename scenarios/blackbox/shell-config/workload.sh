#!/bin/sh
# workload.sh N (shell-config example, run by --workload): the update idiom of
# countless shell scripts and package hooks -- write the whole new file to a
# temporary name, then `mv` it over the old one, which rename(2) makes atomic.
# Update i sets k0..ki in $POWERCUT_ROOT/app.conf; it is acknowledged once the
# script would tell its user "saved".
#
# With CONFIG_SYNC=none (the default) there is no fsync anywhere: atomic is not
# durable. With CONFIG_SYNC=full, coreutils `sync FILE` fsyncs the temporary
# file before the mv and `sync DIR` fsyncs the directory after it (coreutils
# >= 8.24 syncs the files it is given).
#
# The file is written with printf redirections (the shell's own write(2)
# calls), not `cat old >new`: coreutils cat copies with copy_file_range(2),
# which the shim does not see.
set -eu
here=$(dirname "$0")
. "$here/../ack.sh"
keys=${1:-3}
mode=${CONFIG_SYNC:-none}
conf="$POWERCUT_ROOT/app.conf"
i=0
while [ "$i" -lt "$keys" ]; do
  ack W "k$i" "v$i"
  j=0
  while [ "$j" -le "$i" ]; do
    printf 'k%d v%d\n' "$j" "$j"
    j=$((j + 1))
  done >"$conf.tmp"
  [ "$mode" = full ] && sync "$conf.tmp"
  mv "$conf.tmp" "$conf"
  [ "$mode" = full ] && sync "$POWERCUT_ROOT"
  ack A "k$i" "v$i"
  i=$((i + 1))
done
