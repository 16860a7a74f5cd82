# cli.cmake - tests of the `yaa` commands as processes (tests/integration/cli): the others
# (first use, docs examples) are registered with the API's in api.cmake.
set(_cli_env "YAA_BIN=${CMAKE_BINARY_DIR}/yaa;YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
# Where `yaa worker` serves /metrics (--metrics-host), and the compose files agreeing with it.
add_test(NAME cli/worker_metrics
         COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/integration/cli/test_worker_metrics.py)
# `yaa run` stopped by SIGTERM/SIGINT during FFmpeg work: no FFmpeg left, run not `running`.
add_test(NAME cli/run_signal
         COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/integration/cli/test_run_signal.py)
set_tests_properties(cli/worker_metrics cli/run_signal PROPERTIES LABELS "integration;cli"
  TIMEOUT 300 ENVIRONMENT "${_cli_env}")
