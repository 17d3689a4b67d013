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

# What marks a test source as multi-threaded (see powercut_add_test_directory).
set(POWERCUT_THREADED_TEST_PATTERN
    "std::thread|std::jthread|std::async|pthread_create|\\.threads = |\\.jobs = |-j [2-9]|prog_stress")
# Every binary holding multi-threaded tests (ci/test builds it for TSan).
if(POWERCUT_BUILD_TESTS AND NOT TARGET powercut_threaded_tests)
  add_custom_target(powercut_threaded_tests)
endif()

# powercut_add_test_directory(PREFIX LIBRARY [DEFINITIONS d1 d2 ...])
# Every tests/*_test.cc of the calling directory becomes the test binary
# PREFIX_<file> linked with LIBRARY; tests/*_support.cc (shared helpers) are
# compiled once into PREFIX_test_support. Each test carries one label (a list
# would not survive gtest_discover_tests): PREFIX, or PREFIX-concurrent for
# binaries whose name says "concurren", or PREFIX-slow for *_slow_test.cc
# (left out of the sanitizer pass: ci/test runs it with -LE slow), with
# "-threads" appended when the source is multi-threaded -- `ctest -L`
# matches labels as regular expressions, so `-L engine`, `-L concurrent` and
# `-L threads` select those.
# DEFINITIONS are added to every test binary.
function(powercut_add_test_directory prefix library)
  if(NOT POWERCUT_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "DEFINITIONS" ${ARGN})
  set(dir ${CMAKE_CURRENT_SOURCE_DIR})
  file(GLOB test_sources CONFIGURE_DEPENDS ${dir}/tests/*_test.cc)
  file(GLOB support_sources CONFIGURE_DEPENDS ${dir}/tests/*_support.cc)
  set(libs ${library})
  if(support_sources)
    add_library(${prefix}_test_support STATIC ${support_sources})
    target_include_directories(${prefix}_test_support PUBLIC ${dir} ${dir}/tests)
    target_link_libraries(${prefix}_test_support PUBLIC ${library} GTest::gtest rapidcheck)
    set(libs ${prefix}_test_support ${library})
  endif()
  foreach(test_source ${test_sources})
    get_filename_component(test_name ${test_source} NAME_WE)
    set(label ${prefix})
    if(test_name MATCHES "concurren")
      set(label ${prefix}-concurrent)
    elseif(test_name MATCHES "_slow_test$")
      set(label ${prefix}-slow)
    endif()
    # Multi-threaded, whatever the name: the source starts threads, or runs
    # the explorer or the CLI with several jobs, or the shim's thread stress.
    # The label gains "-threads" and ci/test's TSan pass runs `ctest -L
    # threads` after building powercut_threaded_tests.
    file(READ ${test_source} test_text)
    if(test_name MATCHES "concurren" OR test_text MATCHES "${POWERCUT_THREADED_TEST_PATTERN}")
      set(label ${label}-threads)
      add_dependencies(powercut_threaded_tests ${prefix}_${test_name})
    endif()
    powercut_add_test(${prefix}_${test_name} SOURCES ${test_source} LIBS ${libs} LABELS ${label})
    target_include_directories(${prefix}_${test_name} PRIVATE ${dir} ${dir}/tests)
    if(ARG_DEFINITIONS)
      target_compile_definitions(${prefix}_${test_name} PRIVATE ${ARG_DEFINITIONS})
    endif()
  endforeach()
endfunction()
