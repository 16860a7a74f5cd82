# queue.cmake - the queue's extra targets: the distributed test (several `yaa serve` and
# `yaa worker` processes on a real PostgreSQL and redis-server), the compose-file checks and
# the queue benchmark.
set(_queue_env "YAA_BIN=${CMAKE_BINARY_DIR}/yaa;YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
add_test(NAME queue/integration_distributed
         COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/integration/queue/test_distributed.py)
set_tests_properties(queue/integration_distributed PROPERTIES LABELS "integration;queue"
  TIMEOUT 900 ENVIRONMENT "${_queue_env}")

# The compose files validate with Debian's docker-compose (v1.29; no engine on these machines).
foreach(_f base monitoring)
  if(_f STREQUAL "base")
    set(_files -f docker-compose.yml)
  else()
    set(_files -f docker-compose.yml -f infra/docker-compose.monitoring.yml)
  endif()
  add_test(NAME queue/compose_config_${_f}
           COMMAND sh -c "command -v docker-compose >/dev/null || exit 77; docker-compose $* config -q"
                   sh ${_files}
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(queue/compose_config_${_f} PROPERTIES LABELS "integration;queue"
    SKIP_RETURN_CODE 77 TIMEOUT 60)
endforeach()

# enqueue -> claim -> ack of no-op jobs, both backends (make bench-queue; docs/benchmarks/queue.md).
add_executable(bench_queue ${CMAKE_SOURCE_DIR}/bench/queue/bench_queue.c)
target_link_libraries(bench_queue PRIVATE yaa_queue Threads::Threads)
target_include_directories(bench_queue PRIVATE ${CMAKE_SOURCE_DIR}/tests)
set_target_properties(bench_queue PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
