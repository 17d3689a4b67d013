# redis.sh: sourced by the redis field scripts. start_redis DIR FSYNC starts
# redis-server with its data in DIR (appendonly yes, appendfsync FSYNC, no RDB
# snapshots), listening only on a unix socket in a fresh temporary directory
# outside DIR (no TCP port: port 0), bounded by `timeout` so it stops by
# itself; it returns once the server answers PING (not LOADING), or exits 1
# when the server died first (its log on stderr). stop_redis shuts it down
# without a final save and removes the socket directory.
redis_socket_dir=
redis_pid=
start_redis() {
  redis_socket_dir=$(mktemp -d "${TMPDIR:-/tmp}/powercut-redis.XXXXXX")
  timeout "${REDIS_LIFETIME:-120}" redis-server --port 0 \
    --unixsocket "$redis_socket_dir/sock" --dir "$1" --appendonly yes \
    --appendfsync "$2" --save '' --daemonize no --logfile "$redis_socket_dir/log" &
  redis_pid=$!
  tries=0
  while :; do
    if [ -S "$redis_socket_dir/sock" ] &&
      [ "$(redis-cli -s "$redis_socket_dir/sock" PING 2>/dev/null)" = PONG ]; then
      return 0
    fi
    if ! kill -0 "$redis_pid" 2>/dev/null || [ "$tries" -ge 400 ]; then
      echo "redis-server did not start in $1:" >&2
      cat "$redis_socket_dir/log" >&2
      kill "$redis_pid" 2>/dev/null
      rm -rf "$redis_socket_dir"
      exit 1
    fi
    tries=$((tries + 1))
    sleep 0.05
  done
}
rcli() { redis-cli -s "$redis_socket_dir/sock" "$@"; }
stop_redis() {
  rcli SHUTDOWN NOSAVE >/dev/null 2>&1 || true
  wait "$redis_pid" 2>/dev/null || true
  rm -rf "$redis_socket_dir"
}
