# chaos.cmake - the reliability tests (tests/chaos/, docs/RELIABILITY.md) with the small counts
# CI can afford: one kill of each kind and a flushed queue with two runs (real PostgreSQL and
# Redis, the YouTube double); the abuse test with a tenth of the full load. `make chaos` runs
# the full counts.
set(_chaos_env "YAA_BIN=${CMAKE_BINARY_DIR}/yaa;YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
add_test(NAME chaos/kills
         COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/chaos/chaos.py --rounds 1 --flush-runs 2)
add_test(NAME chaos/abuse
         COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/chaos/abuse.py --slow 300 --sse 40
                 --flood 600 --seconds 6)
set_tests_properties(chaos/kills PROPERTIES LABELS "integration;chaos" TIMEOUT 1200
  ENVIRONMENT "${_chaos_env}")
set_tests_properties(chaos/abuse PROPERTIES LABELS "integration;chaos" TIMEOUT 300
  ENVIRONMENT "${_chaos_env}")
