# Pipeline end-to-end tests: `yaa run` on the offline provider and local media engines.
add_test(NAME integration/pipeline
  COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/integration/test_pipeline.py)
set_tests_properties(integration/pipeline PROPERTIES LABELS "integration;pipeline" TIMEOUT 1200
  ENVIRONMENT "YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR};YAA_BUILD_DIR=${CMAKE_BINARY_DIR}")

# Review gates, scheduling and batches over a real `yaa serve` (docs/WORKFLOW.md): SQLite with
# the db queue; PostgreSQL with Redis Streams and with the db queue across worker processes.
set(_wf ${CMAKE_SOURCE_DIR}/tests/integration/workflow/test_workflow.py)
add_test(NAME workflow/integration_sqlite COMMAND python3 ${_wf} WorkflowSqlite WorkflowLlm)
add_test(NAME workflow/integration_distributed COMMAND python3 ${_wf} GateAcrossWorkers
  BatchPostgres)
set_tests_properties(workflow/integration_sqlite workflow/integration_distributed PROPERTIES
  LABELS "integration;pipeline;api;workflow" TIMEOUT 1500
  ENVIRONMENT "YAA_BIN=${CMAKE_BINARY_DIR}/yaa;YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
