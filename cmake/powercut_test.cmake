# powercut_add_test(NAME SOURCES a.cc b.cc LIBS lib1 lib2 [LABELS l1 l2])
# Builds one googletest (and rapidcheck) executable into build/bin and registers
# each of its tests with CTest, so `ctest -j2` runs them in parallel.
function(powercut_add_test name)
  if(NOT POWERCUT_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} rapidcheck GTest::gtest GTest::gtest_main
                        Threads::Threads)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  gtest_discover_tests(${name}
    DISCOVERY_TIMEOUT 60
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}")
endfunction()
