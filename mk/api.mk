# api.mk - the API's Makefile targets.
.PHONY: bench-http
# wrk scenarios against `yaa serve` beside nginx (figures: docs/benchmarks/http.md).
bench-http: build
	./bench/http/run.sh 10 32
