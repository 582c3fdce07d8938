#!/usr/bin/env bash
# Start (start DIR) or stop (stop DIR) the PostgreSQL and Redis servers used by the tests.
# They listen on 127.0.0.1 only, on their own ports, with their data in DIR.
# `start` prints the environment variables the tests read.
set -euo pipefail

cmd=${1:?usage: test-servers.sh start|stop DIR}
dir=${2:?usage: test-servers.sh start|stop DIR}
PG_PORT=${DOCFLOW_TEST_PG_PORT:-55432}
REDIS_PORT=${DOCFLOW_TEST_REDIS_PORT:-56379}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

as_pg() {
  # initdb and postgres refuse to run as root.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
  as_pg "$PG_BIN/initdb" -D "$dir/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
  as_pg "$PG_BIN/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
    start >/dev/null
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
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
