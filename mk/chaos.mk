# chaos.mk - the reliability tests at full count (docs/RELIABILITY.md):
#   make chaos         20 kills of each kind (render, upload, database write) with real
#                      PostgreSQL and Redis, a flushed queue with 5 runs, then the abuse test
#                      (2,000 slow heads, 200 event streams, a 3,000-request bad-key flood)
#   make chaos CHAOS_ROUNDS=3   fewer rounds
.PHONY: chaos
CHAOS_ROUNDS ?= 20
CHAOS_FLUSH_RUNS ?= 5

chaos: build
	YAA_BIN=$(CURDIR)/$(BUILD)/yaa python3 tests/chaos/chaos.py --rounds $(CHAOS_ROUNDS) \
	  --flush-runs $(CHAOS_FLUSH_RUNS)
	YAA_BIN=$(CURDIR)/$(BUILD)/yaa python3 tests/chaos/abuse.py --slow 2000 --sse 200 \
	  --flood 3000 --seconds 20
