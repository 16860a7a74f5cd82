# Extra targets of the media library: the benchmark driver (bench/media/run.sh runs it).
add_executable(media_bench ${CMAKE_SOURCE_DIR}/bench/media/media_bench.c)
target_link_libraries(media_bench PRIVATE yaa_media)
set_target_properties(media_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)

# Fuzz target for the subtitle builder (text that comes from the LLM).
yaa_fuzz(srt SOURCE ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_srt.c DEPS yaa_media SECONDS 5)

# TTS_PROVIDER=openai-compatible against tests/doubles/speech_double.py
yaa_double_test(media test_speech_double)
