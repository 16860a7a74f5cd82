#!/usr/bin/env bash
# run.sh - HTTP benchmarks of `yaa serve` with wrk, beside nginx serving a static JSON file on
# the same machine as the ceiling. Scenarios: GET /api/v1/health; GET /api/v1/pipeline/runs
# (limit 20) over 10,000 rows, beside the same endpoint in FastAPI + SQLite (bench/http/peer,
# uvicorn with one worker per core, on the same database file); POST /api/v1/pipeline/run
# (insert + enqueue). SQLite, no in-process workers (jobs stay queued), rate limit raised out
# of the way. Prints the table, then /health / nginx and yaa list runs / the peer's, all
# from this one run. Everything listens on 127.0.0.1 and stops by itself.
#
# Usage: bench/http/run.sh [seconds per scenario (10)] [connections (32)] > results.md
#        YAA_BENCH_DB=postgres bench/http/run.sh ...   # the same on a throwaway PostgreSQL
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
secs=${1:-10}
conns=${2:-32}
threads=2
bin=${YAA_BIN:-$src/build/yaa}
command -v wrk >/dev/null || { echo "run.sh: wrk not installed (apt-get install wrk)" >&2; exit 1; }
[ -x "$bin" ] || { echo "run.sh: $bin missing (make build)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/yaa-bench-http-XXXXXX)
chmod 755 "$tmp"
yaa_pid=""
peer_pid=""
nginx_conf="$tmp/nginx.conf"
pg_dir=""
cleanup() {
  [ -n "$peer_pid" ] && kill "$peer_pid" 2>/dev/null && wait "$peer_pid" 2>/dev/null || true
  [ -n "$yaa_pid" ] && kill "$yaa_pid" 2>/dev/null && wait "$yaa_pid" 2>/dev/null || true
  [ -n "$pg_dir" ] && "$src/tests/lib/pg-stop" "$pg_dir" >/dev/null 2>&1 || true
  [ -f "$tmp/nginx.pid" ] && nginx -c "$nginx_conf" -p "$tmp" -s stop 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---- yaa serve
key="yaa_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | head -c 43)"
export YAA_BENCH_KEY=$key
mkdir -p "$tmp/channels/demo" "$tmp/output"
printf 'channel:\n  name: "Demo"\n' > "$tmp/channels/demo/config.yaml"
yport=$(free_port)
db_url="sqlite:///$tmp/yaa.db"
if [ "${YAA_BENCH_DB:-sqlite}" = postgres ]; then
  eval "$("$src/tests/lib/pg-start")"
  db_url=$PGTEST_URL
  pg_dir=$PGTEST_DIR
fi
( cd "$tmp" && DATABASE_URL="$db_url" ADMIN_API_KEY="$key" LOG_LEVEL=error \
  RATE_LIMIT_PER_MINUTE=1000000000 CHANNELS_DIR="$tmp/channels" OUTPUT_DIR="$tmp/output" \
  YAA_MIGRATIONS_DIR="$src/migrations" YAA_WEB_DIR="$tmp/none" \
  exec "$bin" serve --host 127.0.0.1 --port "$yport" --workers 0 >"$tmp/serve.log" 2>&1 ) &
yaa_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$yport/api/v1/health" >/dev/null && break; sleep 0.1; done
# 10,000 runs to list (inserted directly: the benchmark measures reads, not the seeding)
if [ -n "$pg_dir" ]; then
  psql -q "$db_url" -c "INSERT INTO pipeline_runs (id, channel_id, topic, brand_name, dry_run,
    status, errors_json, created_at, updated_at) SELECT gen_random_uuid()::text, 'demo',
    'topic ' || i, '', 0, CASE WHEN i % 3 = 0 THEN 'failed' ELSE 'completed' END, '[]',
    to_char(timestamp '2026-01-01' + i * interval '1 second', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),
    to_char(timestamp '2026-01-01' + i * interval '1 second', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')
    FROM generate_series(1, 10000) AS i" >/dev/null
else
python3 - "$tmp/yaa.db" <<'PY'
import sqlite3, sys, uuid
con = sqlite3.connect(sys.argv[1], timeout=30)
rows = [(str(uuid.uuid4()), "demo", "topic %d" % i, "completed" if i % 3 else "failed",
         "2026-01-01T00:%02d:%02d.%06dZ" % (i // 3600 % 60, i // 60 % 60, i)) for i in range(10000)]
con.executemany("INSERT INTO pipeline_runs (id, channel_id, topic, brand_name, dry_run, status, "
                "errors_json, created_at, updated_at) VALUES (?, ?, ?, '', 0, ?, '[]', ?, ?)",
                [r + (r[4],) for r in rows])
con.commit()
PY
fi

# ---- nginx with one static JSON file (the ceiling)
nport=$(free_port)
mkdir -p "$tmp/www" "$tmp/logs"
printf '{"status":"ok","version":"0.1.0","database":"ok","queue":"ok"}' > "$tmp/www/health.json"
chmod -R a+rX "$tmp/www"
cat > "$nginx_conf" <<NG
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/logs; proxy_temp_path $tmp/logs; fastcgi_temp_path $tmp/logs;
  uwsgi_temp_path $tmp/logs; scgi_temp_path $tmp/logs;
  server {
    listen 127.0.0.1:$nport;
    sendfile on; tcp_nopush on; open_file_cache max=16;
    location / { root $tmp/www; default_type application/json; }
  }
}
NG
nginx -c "$nginx_conf" -p "$tmp"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$nport/health.json" >/dev/null && break; sleep 0.1; done

# ---- the FastAPI + SQLite peer of the list endpoint (Debian's python3-fastapi, uvicorn with
# uvloop, one worker process per core, access log off), reading the same file
peer=""
pypy=/usr/bin/python3
if [ -z "$pg_dir" ] && "$pypy" -c 'import fastapi, uvicorn' 2>/dev/null; then
  pport=$(free_port)
  ( cd "$tmp" && YAA_PEER_DB="$tmp/yaa.db" exec "$pypy" -m uvicorn app:app --app-dir "$here/peer" \
      --host 127.0.0.1 --port "$pport" --workers "$(nproc)" --loop uvloop --no-access-log \
      --log-level warning >"$tmp/peer.log" 2>&1 ) &
  peer_pid=$!
  for _ in $(seq 100); do
    curl -sf -H "X-API-Key: $key" "http://127.0.0.1:$pport/api/v1/pipeline/runs?limit=1" \
      >/dev/null && peer=1 && break
    sleep 0.1
  done
  [ -n "$peer" ] || { echo "run.sh: the FastAPI peer did not start:" >&2; cat "$tmp/peer.log" >&2; }
else
  echo "run.sh: no FastAPI peer (needs SQLite and python3-fastapi python3-uvicorn)" >&2
fi

# ---- scenarios
run() { # name url [lua]
  local name=$1 url=$2 lua=${3:-}
  local out
  out=$(wrk -t"$threads" -c"$conns" -d"${secs}s" --latency ${lua:+-s "$lua"} "$url" 2>&1)
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99" "${errs:-0}"
  last_rps=${rps:-0}
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo "wrk -t$threads -c$conns -d${secs}s on $(nproc) cores, database ${YAA_BENCH_DB:-sqlite}," \
     "$(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| scenario | requests/s | p50 | p99 | non-2xx |"
echo "| --- | --- | --- | --- | --- |"
run "nginx static JSON (ceiling)" "http://127.0.0.1:$nport/health.json"
nginx_rps=$last_rps
run "GET /api/v1/health (db + queue check)" "http://127.0.0.1:$yport/api/v1/health"
health_rps=$last_rps
run "GET /api/v1/pipeline/runs?limit=20 (10,000 rows)" \
    "http://127.0.0.1:$yport/api/v1/pipeline/runs?limit=20" "$here/with_key.lua"
list_rps=$last_rps
peer_rps=0
if [ -n "$peer" ]; then
  run "the same list in FastAPI + SQLite (peer, $(nproc) uvicorn workers)" \
      "http://127.0.0.1:$pport/api/v1/pipeline/runs?limit=20" "$here/with_key.lua"
  peer_rps=$last_rps
fi
run "POST /api/v1/pipeline/run (insert + enqueue)" \
    "http://127.0.0.1:$yport/api/v1/pipeline/run" "$here/start_run.lua"
echo
echo "/api/v1/health / nginx static: $(ratio "$health_rps" "$nginx_rps")x;" \
     "yaa list runs / FastAPI peer: $(ratio "$list_rps" "$peer_rps")x"
