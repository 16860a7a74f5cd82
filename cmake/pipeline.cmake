# Pipeline end-to-end tests: `yaa run` on the offline provider and local media engines.
add_test(NAME integration/pipeline
  COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/integration/test_pipeline.py)
set_tests_properties(integration/pipeline PROPERTIES LABELS "integration;pipeline" TIMEOUT 1200
  ENVIRONMENT "YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR};YAA_BUILD_DIR=${CMAKE_BINARY_DIR}")
