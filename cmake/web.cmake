# cmake/web.cmake - the dashboard's tests, labelled `web`: web/build (npm ci when needed,
# then the Vite build; a fixture for the others), web/vitest (component tests) and web/e2e
# (Debian's chromium via playwright-core against a real `yaa serve`; it exits 77 - skipped -
# only while the yaa binary has no `serve` command).
find_program(YAA_NODE node)
find_program(YAA_NPM npm)
find_program(YAA_MAKE make)
if(NOT YAA_NODE OR NOT YAA_NPM OR NOT YAA_MAKE)
  message(STATUS "web: node/npm not found - dashboard tests not registered")
  return()
endif()

add_test(NAME web/build COMMAND ${YAA_MAKE} -C ${CMAKE_SOURCE_DIR} --no-print-directory web)
set_tests_properties(web/build PROPERTIES LABELS "web" FIXTURES_SETUP web_dist TIMEOUT 900)

add_test(NAME web/vitest COMMAND ${YAA_NPM} exec --no -- vitest run
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/web)
set_tests_properties(web/vitest PROPERTIES LABELS "web" FIXTURES_REQUIRED web_dist TIMEOUT 300
  ENVIRONMENT "CI=true;NO_COLOR=1")

add_test(NAME web/e2e COMMAND ${YAA_NODE} ${CMAKE_SOURCE_DIR}/web/e2e/run.mjs)
set_tests_properties(web/e2e PROPERTIES LABELS "web;e2e" FIXTURES_REQUIRED web_dist
  SKIP_RETURN_CODE 77 TIMEOUT 1200 RUN_SERIAL TRUE
  ENVIRONMENT "YAA_BIN=$<TARGET_FILE:yaa>;YAA_BUILD_DIR=${CMAKE_BINARY_DIR};YAA_TEST_OUTPUT=${CMAKE_BINARY_DIR}/test-output/web;YAA_WEB_DIR=${CMAKE_SOURCE_DIR}/web/dist")
