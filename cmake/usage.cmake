# Cost and usage tracking (issue 8): grouped usage on PostgreSQL, full pipeline runs against
# the provider doubles checking every usage row, sums, the run's cost, the dashboard figure and
# the metrics, and budgets; bench_usage times grouped usage over 1,000,000 rows (make
# bench-usage; figures in docs/benchmarks/usage.md).
add_executable(usage_it_pg ${CMAKE_SOURCE_DIR}/tests/integration/usage/test_usage_pg.c)
target_link_libraries(usage_it_pg PRIVATE yaa_db PkgConfig::CMOCKA)
target_include_directories(usage_it_pg PRIVATE ${CMAKE_SOURCE_DIR}/tests)
add_test(NAME usage/integration/pg COMMAND usage_it_pg)

add_test(NAME usage/integration/pipeline
  COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/integration/usage/test_usage.py)
set_tests_properties(usage/integration/pg usage/integration/pipeline PROPERTIES
  LABELS "integration;usage" TIMEOUT 900
  ENVIRONMENT "YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR};YAA_BUILD_DIR=${CMAKE_BINARY_DIR}")

add_executable(bench_usage ${CMAKE_SOURCE_DIR}/bench/usage/bench_usage.c)
target_link_libraries(bench_usage PRIVATE yaa_db)
target_include_directories(bench_usage PRIVATE ${CMAKE_SOURCE_DIR}/tests)
set_target_properties(bench_usage PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
