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
