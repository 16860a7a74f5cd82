# net: integration tests driving the real HTTP client against python3 test doubles.
# yaa_double_test(lib file) builds tests/integration/<lib>/<file>.c into <lib>_<file>, linked
# with yaa_<lib> and cmocka, labelled "integration;<lib>" (llm.cmake and youtube.cmake use it).
find_package(Python3 COMPONENTS Interpreter)

function(yaa_double_test lib file)
  if(NOT Python3_Interpreter_FOUND)
    return()
  endif()
  add_executable(${lib}_${file} ${CMAKE_SOURCE_DIR}/tests/integration/${lib}/${file}.c)
  target_link_libraries(${lib}_${file} PRIVATE yaa_${lib} PkgConfig::CMOCKA)
  target_include_directories(${lib}_${file} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  add_test(NAME ${lib}/${file} COMMAND ${lib}_${file})
  set_tests_properties(${lib}/${file} PROPERTIES LABELS "integration;${lib}" TIMEOUT 120
    ENVIRONMENT "YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR};YAA_BUILD_DIR=${CMAKE_BINARY_DIR}")
endfunction()

yaa_double_test(net test_http_double)
