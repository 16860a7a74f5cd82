# queue.mk - the queue's Makefile targets.
#   make redis-up     a local redis-server (Debian's package) on 127.0.0.1:$(REDIS_PORT), data
#                     in ./data/redis, AOF on; then QUEUE_URL=redis://127.0.0.1:6379/0
#   make redis-down   stops it (SHUTDOWN flushes the AOF)
#   make worker       a `yaa worker` on the current .env / environment (Ctrl-C stops it)
#   make bench-queue  enqueue -> claim -> ack throughput of both backends (docs/benchmarks/queue.md)
.PHONY: redis-up redis-down worker bench-queue
REDIS_PORT ?= 6379
WORKER_CONCURRENCY ?= 2
WORKER_METRICS_PORT ?= 9101

redis-up:
	@mkdir -p data/redis
	@if redis-cli -p $(REDIS_PORT) ping >/dev/null 2>&1; then \
	  echo "redis already answers on 127.0.0.1:$(REDIS_PORT)"; \
	else \
	  redis-server --bind 127.0.0.1 --port $(REDIS_PORT) --dir "$(CURDIR)/data/redis" \
	    --appendonly yes --appendfsync everysec --daemonize yes \
	    --pidfile "$(CURDIR)/data/redis/redis.pid" --logfile "$(CURDIR)/data/redis/redis.log" && \
	  for i in 1 2 3 4 5 6 7 8 9 10; do redis-cli -p $(REDIS_PORT) ping >/dev/null 2>&1 && break; sleep 0.3; done; \
	  redis-cli -p $(REDIS_PORT) ping >/dev/null && \
	  echo "redis up: QUEUE_URL=redis://127.0.0.1:$(REDIS_PORT)/0 (data in data/redis)"; \
	fi

redis-down:
	@redis-cli -p $(REDIS_PORT) shutdown >/dev/null 2>&1 && echo "redis stopped" || \
	  echo "no redis on 127.0.0.1:$(REDIS_PORT)"

worker: build
	./build/yaa worker --concurrency $(WORKER_CONCURRENCY) --metrics-port $(WORKER_METRICS_PORT)

bench-queue: build
	./bench/queue/run.sh 5000
