# usage (issue 8) targets: `make bench-usage` times grouped usage over N (default 1,000,000)
# usage_events on SQLite and on a throwaway PostgreSQL (tests/lib/pg-start);
# figures go in docs/benchmarks/usage.md.
.PHONY: bench-usage
bench-usage: build
	./$(BUILD)/bench_usage "" $${N:-1000000}
	@set -e; eval "$$(tests/lib/pg-start)"; trap 'tests/lib/pg-stop "$$PGTEST_DIR"' EXIT; \
	  ./$(BUILD)/bench_usage "$$PGTEST_URL" $${N:-1000000}
