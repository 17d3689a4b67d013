#!/bin/sh
# init.sh (redis field example, run by --init): checks that redis-server and
# redis-cli are installed; the starting image is the empty root (redis-server
# creates its append-only files on first start, in the traced workload).
set -eu
for tool in redis-server redis-cli; do
  if ! command -v "$tool" >/dev/null; then
    echo "init.sh: $tool not found: install the Debian packages redis-server and redis-tools" >&2
    exit 1
  fi
done
