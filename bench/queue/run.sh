#!/usr/bin/env bash
# run.sh - the queue benchmark (bench_queue: both backends) and, as the ceiling, redis-benchmark
# against a redis-server configured the same way (loopback, AOF everysec), single client and 4
# clients, for XADD and a small EVAL like the queue's scripts.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-5000}
./build/bench_queue "$n"
dir=$(mktemp -d /tmp/yaa-bench-redis-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly yes --appendfsync everysec \
  --save "" --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
for i in $(seq 1 20); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.2; done
echo "redis-benchmark (ceiling), n=$n:"
for c in 1 4; do
  redis-benchmark -p "$port" -q -n "$n" -c "$c" -P 1 XADD bench '*' run x | tr '\r' '\n' | grep 'requests per second' | sed "s/^/  c=$c /"
  redis-benchmark -p "$port" -q -n "$n" -c "$c" -P 1 EVAL \
    "return redis.call('HINCRBY', KEYS[1], 'n', 1)" 1 h | tr '\r' '\n' | grep 'requests per second' | sed "s/^/  c=$c /"
done
