# metrics.cmake - extra targets of the metrics library: the listener's libmicrohttpd, the
# test program the integration tests scrape, integration tests and the benchmark.
target_link_libraries(yaa_metrics PUBLIC PkgConfig::MHD PkgConfig::CURL)

# A process exposing yaa's metrics after a fixed workload (and shipping a run's logs to Loki),
# for the integration tests below.
add_executable(metrics_demo ${CMAKE_SOURCE_DIR}/tests/integration/metrics/metrics_demo.c)
target_link_libraries(metrics_demo PRIVATE yaa_metrics)

# Integration tests (python3 stdlib): promtool, Debian's prometheus, the Loki double.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  foreach(cls PromtoolMetrics InfraFiles MetricNames PrometheusScrape LokiRunLogs RealProcesses)
    add_test(NAME metrics/integration/${cls}
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/integration/metrics/test_metrics_integration.py
              -v ${cls})
    set_tests_properties(metrics/integration/${cls} PROPERTIES LABELS "integration;metrics"
      TIMEOUT 300
      ENVIRONMENT "YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR};YAA_METRICS_DEMO=$<TARGET_FILE:metrics_demo>;YAA_BIN=$<TARGET_FILE:yaa>")
  endforeach()
endif()

# Recording-cost benchmark (make bench-metrics); figures in docs/benchmarks/metrics.md.
add_executable(bench_metrics ${CMAKE_SOURCE_DIR}/bench/metrics/bench_metrics.c)
target_link_libraries(bench_metrics PRIVATE yaa_metrics)
set_target_properties(bench_metrics PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
