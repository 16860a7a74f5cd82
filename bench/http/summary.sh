#!/usr/bin/env bash
# summary.sh - GET /api/v1/dashboard/summary at 1,000 and at 1,000,000 runs (SQLite): the
# summary reads the run_counts and usage_totals counters (migrations 0060, 0061) and the newest
# runs through the (created_at, id) index, so its time must not grow with the runs kept. For
# each size: a fresh database (yaa db upgrade), the runs inserted by one recursive-CTE INSERT in
# sqlite3 (the triggers keep the counters), then `yaa serve` measured with wrk, and the query
# plans of the handler's statements: pipeline_runs is only ever walked along an index, newest
# first, stopping after the page (a plain table scan or a sort of the runs fails the bench). Stops what it starts.
#
# Usage: bench/http/summary.sh [seconds per size (10)] [connections (16)] [sizes ("1000 1000000")]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
secs=${1:-10}
conns=${2:-16}
sizes=${3:-"1000 1000000"}
bin=${YAA_BIN:-$src/build/yaa}
for t in wrk sqlite3 curl; do
  command -v "$t" >/dev/null || { echo "summary.sh: $t not installed (scripts/install-deps)" >&2; exit 1; }
done
[ -x "$bin" ] || { echo "summary.sh: $bin missing (make build)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/yaa-bench-summary-XXXXXX)
yaa_pid=""
cleanup() {
  [ -n "$yaa_pid" ] && kill "$yaa_pid" 2>/dev/null && wait "$yaa_pid" 2>/dev/null || true
  [ -n "${YAA_BENCH_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
key="yaa_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | head -c 43)"
mkdir -p "$tmp/channels/demo" "$tmp/output"
printf 'channel:\n  name: "Demo"\n' > "$tmp/channels/demo/config.yaml"
env_of() { # db file
  echo DATABASE_URL="sqlite:///$1" ADMIN_API_KEY="$key" LOG_LEVEL=error \
    RATE_LIMIT_PER_MINUTE=1000000000 CHANNELS_DIR="$tmp/channels" OUTPUT_DIR="$tmp/output" \
    YAA_MIGRATIONS_DIR="$src/migrations" YAA_WEB_DIR="$tmp/none"
}

echo "wrk -t2 -c$conns -d${secs}s on $(nproc) cores, SQLite, $(date -u +%Y-%m-%dT%H:%MZ)," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| runs kept | seed time | requests/s | p50 | p99 | non-2xx | total_runs in the reply |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
plans=""
for n in $sizes; do
  db="$tmp/yaa-$n.db"
  (cd "$tmp" && env $(env_of "$db") "$bin" db upgrade >/dev/null)
  t0=$(date +%s.%N)
  # 3 channels; statuses spread over completed/failed/pending/awaiting_review; one second apart
  sqlite3 "$db" "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
    WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
    INSERT INTO pipeline_runs (id, channel_id, topic, brand_name, dry_run, status, errors_json,
      created_at, updated_at, completed_at)
    SELECT printf('%08x-0000-4000-8000-%012x', i, i), 'ch' || (i % 3), 'topic ' || i, '', 0,
      CASE i % 10 WHEN 0 THEN 'failed' WHEN 1 THEN 'pending' WHEN 2 THEN 'awaiting_review'
                  ELSE 'completed' END, '[]',
      strftime('%Y-%m-%dT%H:%M:%fZ', '2024-01-01', '+' || i || ' seconds'),
      strftime('%Y-%m-%dT%H:%M:%fZ', '2024-01-01', '+' || i || ' seconds'),
      CASE WHEN i % 10 >= 3 THEN strftime('%Y-%m-%dT%H:%M:%fZ', '2024-01-01', '+' || (i + 90) || ' seconds') END
    FROM s;" >/dev/null
  seed=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }')
  port=$(free_port)
  ( cd "$tmp" && exec env $(env_of "$db") "$bin" serve --host 127.0.0.1 --port "$port" \
      --workers 0 >"$tmp/serve-$n.log" 2>&1 ) &
  yaa_pid=$!
  url="http://127.0.0.1:$port/api/v1/dashboard/summary"
  for _ in $(seq 100); do curl -sf -H "X-API-Key: $key" "$url" >/dev/null && break; sleep 0.1; done
  total=$(curl -sf -H "X-API-Key: $key" "$url" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_runs"])')
  export YAA_BENCH_KEY=$key
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$here/with_key.lua" "$url" 2>&1)
  kill "$yaa_pid" 2>/dev/null; wait "$yaa_pid" 2>/dev/null || true
  yaa_pid=""
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$seed" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out")" \
    "$(awk '$1=="99%" {print $2}' <<<"$out")" "$(awk '/Non-2xx/ {print $5}' <<<"$out" | grep . || echo 0)" \
    "$total"
  # the statements the handler runs (src/db/runs_repo.c, usage_repo.c, keys_repo.c)
  plans=$(sqlite3 "$db" "
    EXPLAIN QUERY PLAN SELECT status, SUM(runs), SUM(duration_sum), SUM(duration_n) FROM run_counts GROUP BY status;
    EXPLAIN QUERY PLAN SELECT COALESCE(SUM(runs), 0) FROM run_counts;
    EXPLAIN QUERY PLAN SELECT * FROM pipeline_runs ORDER BY created_at DESC, id DESC LIMIT 10 OFFSET 0;
    EXPLAIN QUERY PLAN SELECT id FROM api_keys WHERE key_hash = 'x';")
  rm -f "$db" "$db-wal" "$db-shm"
done
echo
echo "Query plans of the summary's statements (at the last size):"
echo
echo '```'
echo "$plans"
echo '```'
if grep -E 'SCAN pipeline_runs$|B-TREE FOR ORDER BY' <<<"$plans" >&2; then
  echo "summary.sh: a statement of the summary scans or sorts pipeline_runs" >&2
  exit 1
fi
