# db subsystem targets: `make bench-db` runs the repository benchmark on SQLite and on a
# throwaway PostgreSQL (tests/lib/pg-start); figures go in docs/benchmarks/db.md.
.PHONY: bench-db
bench-db: build
	./$(BUILD)/bench_db "" $${N:-5000}
	@set -e; eval "$$(tests/lib/pg-start)"; trap 'tests/lib/pg-stop "$$PGTEST_DIR"' EXIT; \
	  ./$(BUILD)/bench_db "$$PGTEST_URL" $${N:-5000}
