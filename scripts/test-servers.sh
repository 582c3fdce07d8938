#!/usr/bin/env bash
# Start (start DIR) or stop (stop DIR) the PostgreSQL and Redis servers used by the tests.
# They listen on 127.0.0.1 only, on their own ports, with their data in DIR.
# `start` prints the environment variables the tests read.
set -euo pipefail

cmd=${1:?usage: test-servers.sh start|stop DIR}
dir=${2:?usage: test-servers.sh start|stop DIR}
free_port() {
  # A port nobody listens on right now (another test run, a developer's server ...).
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PG_PORT=${DOCFLOW_TEST_PG_PORT:-$(free_port)}
REDIS_PORT=${DOCFLOW_TEST_REDIS_PORT:-$(free_port)}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

as_pg() {
  # initdb and postgres refuse to run as root. Run from the data folder, which the
  # postgres user can enter (the checkout may not be readable by it).
  if [ "$(id -u)" -eq 0 ]; then (cd "$dir" && runuser -u postgres -- "$@"); else "$@"; fi
}

case "$cmd" in
start)
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
  as_pg "$PG_BIN/initdb" -D "$dir/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
  if ! as_pg "$PG_BIN/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
    start >/dev/null; then
    echo "PostgreSQL did not start on 127.0.0.1:$PG_PORT:" >&2
    tail -n 20 "$dir/pg.log" >&2
    exit 1
  fi
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    echo "Redis did not start on 127.0.0.1:$REDIS_PORT:" >&2
    tail -n 20 "$dir/redis.log" >&2
    exit 1
  fi
  echo "export DOCFLOW_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "export DOCFLOW_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
  ;;
stop)
  if [ -d "$dir/pg" ]; then as_pg "$PG_BIN/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1 || true; fi
  if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  ;;
*)
  echo "unknown command $cmd" >&2; exit 2 ;;
esac
