#!/bin/sh
# init.sh (shell-config example, run by --init): an empty configuration file
# $POWERCUT_ROOT/app.conf.
set -eu
: >"$POWERCUT_ROOT/app.conf"
