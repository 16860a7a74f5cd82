# rag.cmake - extra targets of yaa_rag: -O3 for the vector loops, the PostgreSQL store test,
# the eval test over tests/data/rag-eval.jsonl and the retrieval benchmark.
set_source_files_properties(${CMAKE_SOURCE_DIR}/src/rag/vec.c PROPERTIES COMPILE_OPTIONS "-O3")

# The store cases of tests/unit/rag/test_store.c on a real PostgreSQL (tests/lib harness).
add_executable(rag_it_pg ${CMAKE_SOURCE_DIR}/tests/integration/rag/test_rag_pg.c)
target_link_libraries(rag_it_pg PRIVATE yaa_rag PkgConfig::CMOCKA)
target_include_directories(rag_it_pg PRIVATE ${CMAKE_SOURCE_DIR}/tests)
add_test(NAME rag/integration/pg COMMAND rag_it_pg)
set_tests_properties(rag/integration/pg PROPERTIES LABELS "integration;rag" TIMEOUT 300
  ENVIRONMENT "YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR};YAA_BUILD_DIR=${CMAKE_BINARY_DIR}")
