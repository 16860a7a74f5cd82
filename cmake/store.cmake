# store.cmake - the artifact store's extra targets: the end-to-end test of hosts that share
# no disk (yaa serve + yaa worker processes on PostgreSQL, redis-server and s3rver, the npm
# package of tests/integration/store/package.json, installed there with `npm ci`) and the
# store benchmark (docs/BENCHMARKS.md).
add_test(NAME store/integration_e2e
         COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/integration/store/test_store_e2e.py)
set_tests_properties(store/integration_e2e PROPERTIES LABELS "integration;store" TIMEOUT 1800
  ENVIRONMENT "YAA_BIN=${CMAKE_BINARY_DIR}/yaa;YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
# `yaa artifacts gc` past one page of expired runs, file and s3 stores (SQLite, s3 double).
add_test(NAME store/integration_gc
         COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/integration/store/test_gc.py)
set_tests_properties(store/integration_gc PROPERTIES LABELS "integration;store" TIMEOUT 300
  ENVIRONMENT "YAA_BIN=${CMAKE_BINARY_DIR}/yaa;YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
# The API serving S3 artifacts: concurrent first requests, Range, the download cache's cap.
add_test(NAME store/integration_api_artifacts
         COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/integration/store/test_api_artifacts.py)
set_tests_properties(store/integration_api_artifacts PROPERTIES LABELS "integration;store"
  TIMEOUT 300 ENVIRONMENT "YAA_BIN=${CMAKE_BINARY_DIR}/yaa;YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
# `yaa channels import` / `export ID DIR [--revision N]` with CHANNELS_STORE=db (SQLite).
add_test(NAME store/integration_channels_export
         COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/integration/store/test_channels_export.py)
set_tests_properties(store/integration_channels_export PROPERTIES
  LABELS "integration;store;channels" TIMEOUT 300
  ENVIRONMENT "YAA_BIN=${CMAKE_BINARY_DIR}/yaa;YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR}")

# Upload / download throughput against a local S3 server, beside plain curl:
# bench/store/run.py (make bench-store); figures in docs/benchmarks/store.md.
add_executable(bench_store ${CMAKE_SOURCE_DIR}/bench/store/bench_store.c)
target_link_libraries(bench_store PRIVATE yaa_store)
set_target_properties(bench_store PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
