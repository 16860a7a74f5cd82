# youtube: the publisher against the python3 double of OAuth + the resumable upload protocol.
yaa_double_test(youtube test_publisher)

# youtube: each channel's own account (the PKCE consent flow, sealed tokens, ownership check)
# and what follows an upload (publishAt, captions.insert, playlistItems.insert), against the
# same double. Uses the agents library (the account glue) and a SQLite database.
if(Python3_Interpreter_FOUND)
  add_executable(youtube_test_accounts ${CMAKE_SOURCE_DIR}/tests/integration/youtube/test_accounts.c)
  target_link_libraries(youtube_test_accounts PRIVATE yaa_agents PkgConfig::CMOCKA)
  target_include_directories(youtube_test_accounts PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  add_test(NAME youtube/test_accounts COMMAND youtube_test_accounts)
  set_tests_properties(youtube/test_accounts PROPERTIES LABELS "integration;youtube" TIMEOUT 120
    ENVIRONMENT "YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR};YAA_BUILD_DIR=${CMAKE_BINARY_DIR}")
endif()

# youtube: connecting a channel from the CLI (loopback) and the dashboard (API callback).
add_test(NAME youtube/connect COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/integration/youtube/test_connect.py)
set_tests_properties(youtube/connect PROPERTIES LABELS "integration;youtube" TIMEOUT 300
  ENVIRONMENT "YAA_BIN=${CMAKE_BINARY_DIR}/yaa;YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
