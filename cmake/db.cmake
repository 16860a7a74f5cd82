# db library extras: integration tests against a real PostgreSQL (started by
# tests/lib/pg-start) and SQLite. Every tests/integration/db/test_*.c is one test,
# labelled "integration;db", linked with yaa_db + cmocka.
file(GLOB db_itests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/integration/db/test_*.c)
foreach(t ${db_itests})
  get_filename_component(tn ${t} NAME_WE)
  add_executable(db_it_${tn} ${t})
  target_link_libraries(db_it_${tn} PRIVATE yaa_db PkgConfig::CMOCKA)
  target_include_directories(db_it_${tn} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  add_test(NAME db/integration/${tn} COMMAND db_it_${tn})
  set_tests_properties(db/integration/${tn} PROPERTIES LABELS "integration;db" TIMEOUT 300
    ENVIRONMENT "YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR};YAA_BUILD_DIR=${CMAKE_BINARY_DIR}")
endforeach()

# yaa db upgrade / downgrade 0 / upgrade, and yaa keys, through the real binary on both drivers.
if(EXISTS ${CMAKE_SOURCE_DIR}/tests/integration/db/cli_db_test.sh)
  add_test(NAME db/integration/cli COMMAND ${CMAKE_SOURCE_DIR}/tests/integration/db/cli_db_test.sh
           $<TARGET_FILE:yaa>)
  set_tests_properties(db/integration/cli PROPERTIES LABELS "integration;db" TIMEOUT 300
    ENVIRONMENT "YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endif()

# The PostgreSQL placeholder rewriter is a parser: fuzz it (built with clang in build-asan).
yaa_fuzz(db_rewrite SOURCE ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_db_rewrite.c DEPS yaa_db SECONDS 5)

# Repository throughput vs. the bare client library (make bench-db); figures in
# docs/benchmarks/db.md.
add_executable(bench_db ${CMAKE_SOURCE_DIR}/bench/db/bench_db.c)
target_link_libraries(bench_db PRIVATE yaa_db)
set_target_properties(bench_db PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
