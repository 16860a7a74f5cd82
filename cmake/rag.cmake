# rag.cmake - extra targets of yaa_rag: -O3 for the vector loops, the PostgreSQL store test,
# the eval test over tests/data/rag-eval.jsonl and the retrieval benchmark.
set_source_files_properties(${CMAKE_SOURCE_DIR}/src/rag/vec.c ${CMAKE_SOURCE_DIR}/src/rag/quant.c ${CMAKE_SOURCE_DIR}/src/rag/lexindex.c ${CMAKE_SOURCE_DIR}/bench/rag/rag_bench.c
  PROPERTIES COMPILE_OPTIONS "-O3")

# Korean stems from Debian's Hunspell dictionary (hunspell-ko) when it is installed.
pkg_check_modules(HUNSPELL REQUIRED IMPORTED_TARGET hunspell)
target_link_libraries(yaa_rag PUBLIC PkgConfig::HUNSPELL)

# The store cases of tests/unit/rag/test_store.c on a real PostgreSQL (tests/lib harness).
add_executable(rag_it_pg ${CMAKE_SOURCE_DIR}/tests/integration/rag/test_rag_pg.c)
target_link_libraries(rag_it_pg PRIVATE yaa_rag PkgConfig::CMOCKA)
target_include_directories(rag_it_pg PRIVATE ${CMAKE_SOURCE_DIR}/tests)
add_test(NAME rag/integration/pg COMMAND rag_it_pg)
set_tests_properties(rag/integration/pg PROPERTIES LABELS "integration;rag" TIMEOUT 300
  ENVIRONMENT "YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR};YAA_BUILD_DIR=${CMAKE_BINARY_DIR}")

# Retrieval quality on the example channels: `yaa rag eval` over the labelled question set
# must keep hybrid recall@5 >= 0.9 (a fresh SQLite database and no past runs each time).
add_test(NAME rag/integration/eval
  COMMAND ${CMAKE_COMMAND} -E env
    DATABASE_URL=sqlite:///${CMAKE_BINARY_DIR}/rag-eval/yaa.db
    CHANNELS_DIR=${CMAKE_SOURCE_DIR}/channels
    OUTPUT_DIR=${CMAKE_BINARY_DIR}/rag-eval/output
    EMBEDDING_PROVIDER=hash RAG_ENABLED=true LOG_LEVEL=warn
    $<TARGET_FILE:yaa> rag eval ${CMAKE_SOURCE_DIR}/tests/data/rag-eval.jsonl -k 5
    --min-recall 0.9 --verbose)
set_tests_properties(rag/integration/eval PROPERTIES LABELS "integration;rag" TIMEOUT 120
  FIXTURES_REQUIRED rag_eval_db)
add_test(NAME rag/integration/eval-clean
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${CMAKE_BINARY_DIR}/rag-eval)
set_tests_properties(rag/integration/eval-clean PROPERTIES LABELS "integration;rag"
  FIXTURES_SETUP rag_eval_db)

# The same on the fixture channels of tests/data/rag/channels (written in another style than
# the examples; the retriever was tuned on them, so this is regression protection: the honest
# figure is that of tests/data/rag-eval-heldout.jsonl in docs/RAG.md, which no test asserts).
add_test(NAME rag/integration/eval-fixtures
  COMMAND ${CMAKE_COMMAND} -E env
    DATABASE_URL=sqlite:///${CMAKE_BINARY_DIR}/rag-eval/fixtures.db
    CHANNELS_DIR=${CMAKE_SOURCE_DIR}/tests/data/rag/channels
    OUTPUT_DIR=${CMAKE_BINARY_DIR}/rag-eval/output
    EMBEDDING_PROVIDER=hash RAG_ENABLED=true LOG_LEVEL=warn
    $<TARGET_FILE:yaa> rag eval ${CMAKE_SOURCE_DIR}/tests/data/rag-eval-fixtures.jsonl -k 5
    --min-recall 0.9 --verbose)
set_tests_properties(rag/integration/eval-fixtures PROPERTIES LABELS "integration;rag"
  TIMEOUT 120 FIXTURES_REQUIRED rag_eval_db)

# Retrieval latency benchmark (bench/rag/README.md; figures in docs/benchmarks/rag.md).
add_executable(rag_bench ${CMAKE_SOURCE_DIR}/bench/rag/rag_bench.c)
target_link_libraries(rag_bench PRIVATE yaa_rag)
set_target_properties(rag_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

# RAG on/off comparison of the brand researcher's notes and the script (scripts/rag-compare).
add_executable(rag_compare ${CMAKE_SOURCE_DIR}/bench/rag/rag_compare.c)
target_link_libraries(rag_compare PRIVATE yaa_agents)
set_target_properties(rag_compare PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

# The chunkers, the hash embedder and the query term builders under libFuzzer (build-asan).
yaa_fuzz(rag_chunk SOURCE ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_rag_chunk.c DEPS yaa_rag SECONDS 5)
