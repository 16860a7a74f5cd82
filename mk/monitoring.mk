# monitoring.mk - local monitoring without Docker: Prometheus from Debian's package (data in
# ./data/prometheus, config infra/prometheus/prometheus.local.yml, UI on 127.0.0.1:9090).
# Grafana Loki is not packaged in Debian, so monitoring-up also starts the Loki double
# (tests/doubles/loki.py, in memory, 127.0.0.1:3100) as a stand-in LOKI_URL for development;
# for real log storage run Grafana's Loki (see docs/MONITORING.md).
PROMETHEUS ?= prometheus
MON_DATA ?= data/prometheus
MON_PORT ?= 9090
LOKI_DOUBLE_PORT ?= 3100

.PHONY: monitoring-check bench-metrics

monitoring-up:
	@mkdir -p $(MON_DATA)
	@if [ -f $(MON_DATA)/prometheus.pid ] && kill -0 $$(cat $(MON_DATA)/prometheus.pid) 2>/dev/null; then \
	  echo "prometheus already running (pid $$(cat $(MON_DATA)/prometheus.pid))"; \
	else \
	  command -v $(PROMETHEUS) >/dev/null || { echo "prometheus not found: apt-get install prometheus" >&2; exit 1; }; \
	  nohup $(PROMETHEUS) --config.file=infra/prometheus/prometheus.local.yml \
	    --storage.tsdb.path=$(MON_DATA) --web.listen-address=127.0.0.1:$(MON_PORT) \
	    >$(MON_DATA)/prometheus.log 2>&1 & echo $$! >$(MON_DATA)/prometheus.pid; \
	  echo "prometheus: http://127.0.0.1:$(MON_PORT) (log $(MON_DATA)/prometheus.log)"; \
	fi
	@if [ -f $(MON_DATA)/loki-double.pid ] && kill -0 $$(cat $(MON_DATA)/loki-double.pid) 2>/dev/null; then \
	  echo "loki double already running (pid $$(cat $(MON_DATA)/loki-double.pid))"; \
	else \
	  nohup python3 tests/doubles/loki.py --port $(LOKI_DOUBLE_PORT) >$(MON_DATA)/loki-double.log 2>&1 & \
	  echo $$! >$(MON_DATA)/loki-double.pid; \
	  echo "loki (double, in memory): LOKI_URL=http://127.0.0.1:$(LOKI_DOUBLE_PORT)"; \
	fi

monitoring-down:
	@for p in prometheus loki-double; do \
	  f=$(MON_DATA)/$$p.pid; \
	  if [ -f $$f ] && kill -0 $$(cat $$f) 2>/dev/null; then kill $$(cat $$f) && echo "$$p stopped"; fi; \
	  rm -f $$f; \
	done

# Static checks of the infra files (also run by ctest -L metrics).
monitoring-check:
	promtool check config infra/prometheus/prometheus.yml
	promtool check config infra/prometheus/prometheus.local.yml
	promtool check rules infra/prometheus/alerts.yml
	promtool test rules infra/prometheus/alerts_test.yml

bench-metrics: build
	./$(BUILD)/bench_metrics
