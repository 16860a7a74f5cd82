# channels: the libFuzzer target of the channel YAML loader and the black-box CLI test.
yaa_fuzz(channel_yaml SOURCE ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_channel_yaml.c
         DEPS yaa_channels SECONDS 5)

find_program(PYTHON3 python3)
if(PYTHON3)
  add_test(NAME channels/cli
    COMMAND ${PYTHON3} ${CMAKE_SOURCE_DIR}/tests/integration/channels/test_cli.py)
  set_tests_properties(channels/cli PROPERTIES LABELS "integration;channels" TIMEOUT 120
    ENVIRONMENT "YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR};YAA_BIN=$<TARGET_FILE:yaa>")
endif()

# libFuzzer only sees coverage of code built with it: instrument the library too in the fuzz
# build (the sanitizer runtime supplies the coverage hooks to the other binaries linked with it).
if(YAA_FUZZ AND YAA_SANITIZE AND TARGET yaa_channels)
  get_target_property(_yaa_channels_type yaa_channels TYPE)
  if(NOT _yaa_channels_type STREQUAL "INTERFACE_LIBRARY")
    target_compile_options(yaa_channels PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endif()
