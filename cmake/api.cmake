# api.cmake - the API's extra targets: black-box integration tests (python3 stdlib, a real
# `yaa serve` on SQLite and on a throwaway PostgreSQL), the abuse test, the request fuzzer.
set(_api_it ${CMAKE_SOURCE_DIR}/tests/integration/api)
set(_api_env "YAA_BIN=${CMAKE_BINARY_DIR}/yaa;YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
add_test(NAME api/integration_sqlite
         COMMAND python3 ${_api_it}/test_api.py ApiSqlite RateLimit RateLimitOff Shutdown NoDashboard)
add_test(NAME api/integration_offline_run COMMAND python3 ${_api_it}/test_api.py OfflineRun)
add_test(NAME api/integration_postgres
         COMMAND python3 ${_api_it}/test_api.py ApiPostgres DatabaseDown)
add_test(NAME api/abuse COMMAND python3 ${_api_it}/test_abuse.py)
# Request heads from 1 KB to 64 KB in every shape: a normal answer or 431, never silence.
add_test(NAME api/heads COMMAND python3 ${_api_it}/test_heads.py)
# The README's first hour as written: quick start on a pty, the Ollama example against the
# OpenAI-wire double, --help of every command, argument errors, channels new.
add_test(NAME cli/first_use COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/integration/cli/test_first_use.py)
set_tests_properties(cli/first_use PROPERTIES LABELS "integration;cli" TIMEOUT 1500
  ENVIRONMENT "${_api_env}")
# Every docs page's examples as written (issue #12): API.md/USAGE.md/WORKFLOW.md curl lines
# against a real yaa serve, the yaa lines of the subsystem pages against a temp database.
add_test(NAME cli/docs_examples
         COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/integration/cli/test_docs_examples.py)
set_tests_properties(cli/docs_examples PROPERTIES LABELS "integration;cli" TIMEOUT 900
  ENVIRONMENT "${_api_env}")
# The original Next.js dashboard's calls, from its origin, against an unconfigured yaa serve.
add_test(NAME api/original_dashboard COMMAND python3 ${_api_it}/test_original_dashboard.py)
set_tests_properties(api/original_dashboard PROPERTIES LABELS "integration;api" TIMEOUT 1500
  ENVIRONMENT "${_api_env}")
set_tests_properties(api/integration_sqlite api/integration_postgres api/abuse api/heads PROPERTIES
  LABELS "integration;api" TIMEOUT 600 ENVIRONMENT "${_api_env}")
set_tests_properties(api/integration_offline_run PROPERTIES
  LABELS "integration;api" TIMEOUT 1500 ENVIRONMENT "${_api_env}")

yaa_fuzz(api_request SOURCE ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_api_request.c DEPS yaa_api
         SECONDS 5)

# The db queue under concurrent workers on SQLite and PostgreSQL.
add_executable(queue_test_concurrency ${CMAKE_SOURCE_DIR}/tests/integration/queue/test_queue_concurrency.c)
target_link_libraries(queue_test_concurrency PRIVATE yaa_queue PkgConfig::CMOCKA Threads::Threads)
target_include_directories(queue_test_concurrency PRIVATE ${CMAKE_SOURCE_DIR}/tests)
add_test(NAME queue/integration_concurrency COMMAND queue_test_concurrency)
set_tests_properties(queue/integration_concurrency PROPERTIES LABELS "integration;queue;api"
  TIMEOUT 300 ENVIRONMENT "${_api_env}")
