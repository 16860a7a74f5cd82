# Memcheck over the unit tests of the libraries every run goes through (core, channels,
# agents, db, pipeline): each must end with no invalid access and no leak. Labelled
# "valgrind"; skipped in sanitizer builds, where ASan already watches (and the two clash).
find_program(VALGRIND valgrind)
if(VALGRIND AND NOT YAA_SANITIZE)
  foreach(t core_test_core core_test_config core_test_log agents_test_offline agents_test_prompt
            channels_test_loader channels_test_fixtures db_test_run_store db_test_repos
            pipeline_test_budget)
    if(TARGET ${t})
      add_test(NAME valgrind/${t}
        COMMAND ${VALGRIND} --quiet --error-exitcode=99 --leak-check=full
                --errors-for-leak-kinds=definite,indirect --track-origins=yes
                $<TARGET_FILE:${t}>)
      set_tests_properties(valgrind/${t} PROPERTIES LABELS "valgrind" TIMEOUT 600
        ENVIRONMENT "YAA_SOURCE_DIR=${CMAKE_SOURCE_DIR};YAA_BUILD_DIR=${CMAKE_BINARY_DIR}")
    endif()
  endforeach()
endif()
