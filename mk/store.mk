# store subsystem targets: `make bench-store` measures the S3 artifact store against a local
# s3rver beside plain curl; figures go in docs/benchmarks/store.md.
.PHONY: bench-store
bench-store: build
	python3 bench/store/run.py --reps 5
