# One-call helpers for adding code to the tree. Every helper follows the same conventions:
#   - sources are taken from the calling folder unless given;
#   - `foo.cc` goes in the library, `foo_test.cc` in the folder's test binary;
#   - include paths are rooted at src/ (`#include "core/hex.h"`).

# Adds every immediate sub-folder that has a CMakeLists.txt, in name order. A new folder is picked
# up without editing its parent.
function(mw_add_subdirectories)
  file(GLOB children LIST_DIRECTORIES true RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}
       CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*)
  list(SORT children)
  foreach(child IN LISTS children)
    if(IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/${child} AND
       EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${child}/CMakeLists.txt)
      add_subdirectory(${child})
    endif()
  endforeach()
endfunction()

# mw_add_library(NAME [SOURCES f.cc...] [DEPS targets...] [TEST_DEPS targets...]
#                [LINK_INTO minewatch|minelab...])
# Creates static library mw_NAME (alias mw::NAME). Without SOURCES, takes every *.cc of the
# folder except *_test.cc. Every *_test.cc of the folder becomes the test binary NAME_test.
# LINK_INTO links the library into the named program(s) (apps/CMakeLists.txt reads the list).
# minewatch must never link mining code (chain, lab).
function(mw_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;TEST_DEPS;LINK_INTO" ${ARGN})
  if(NOT ARG_SOURCES)
    file(GLOB ARG_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
    list(FILTER ARG_SOURCES EXCLUDE REGEX "_test\\.cc$")
  endif()
  if(ARG_SOURCES)
    add_library(mw_${name} STATIC ${ARG_SOURCES})
    target_include_directories(mw_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(mw_${name} PUBLIC ${ARG_DEPS} PRIVATE mw_warnings)
  else()  # header-only
    add_library(mw_${name} INTERFACE)
    target_include_directories(mw_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(mw_${name} INTERFACE ${ARG_DEPS})
  endif()
  add_library(mw::${name} ALIAS mw_${name})
  foreach(app IN LISTS ARG_LINK_INTO)
    set_property(GLOBAL APPEND PROPERTY MW_LIBS_${app} mw::${name})
  endforeach()
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  if(tests)
    mw_add_test(${name}_test SOURCES ${tests} DEPS mw::${name} ${ARG_TEST_DEPS})
  endif()
endfunction()

# mw_add_test(NAME SOURCES f_test.cc... [DEPS targets...] [LABELS l...])
# A GoogleTest binary; each TEST() becomes one ctest test, labelled `unit` unless LABELS say
# otherwise. Not built in fuzz builds.
function(mw_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  if(MW_FUZZ)
    return()
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock
                        mw_warnings)
  target_compile_definitions(${name} PRIVATE
    MW_SOURCE_DIR="${PROJECT_SOURCE_DIR}" MW_BINARY_DIR="${CMAKE_BINARY_DIR}")
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
                       PROPERTIES LABELS "${ARG_LABELS}")
  if("unit" IN_LIST ARG_LABELS)
    set_property(GLOBAL APPEND PROPERTY MW_UNIT_TEST_TARGETS ${name})
  endif()
endfunction()

# mw_add_script_test(NAME COMMAND cmd args... [LABELS l...] [TIMEOUT s] [DEPENDS targets...])
# A test that runs a program or script (end-to-end tests). Labelled `e2e` unless told.
function(mw_add_script_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "COMMAND;LABELS;DEPENDS" ${ARGN})
  if(MW_FUZZ)
    return()
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS e2e)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${ARG_COMMAND})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "MW_BIN=${CMAKE_BINARY_DIR}/bin;MW_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

# mw_add_benchmark(NAME SOURCES f.cc... [DEPS targets...])
# A Google Benchmark binary, built as bin/bench-NAME. Benchmarks print their baseline too.
function(mw_add_benchmark name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(MW_FUZZ OR NOT MW_BUILD_BENCH)
    return()
  endif()
  add_executable(bench-${name} ${ARG_SOURCES})
  target_link_libraries(bench-${name} PRIVATE ${ARG_DEPS} benchmark::benchmark mw_warnings)
  target_include_directories(bench-${name} PRIVATE ${PROJECT_SOURCE_DIR}/src)
endfunction()

# mw_add_fuzzer(NAME SOURCES f.cc... [DEPS targets...])
# A libFuzzer target `fuzz-NAME` (fuzz preset, clang). In every other build the same source is
# linked with a small driver and run as a unit test over its seed inputs in fuzz/corpus/NAME, so
# the seeds and earlier crashers keep passing under the normal and sanitizer builds.
function(mw_add_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(MW_FUZZ)
    add_executable(fuzz-${name} ${ARG_SOURCES})
    target_link_libraries(fuzz-${name} PRIVATE ${ARG_DEPS})
    target_link_options(fuzz-${name} PRIVATE -fsanitize=fuzzer)
    target_include_directories(fuzz-${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/fuzz)
    set_property(GLOBAL APPEND PROPERTY MW_FUZZERS fuzz-${name})
  else()
    add_executable(fuzz-${name}-seeds ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/fuzz/seed_driver.cc)
    set_target_properties(fuzz-${name}-seeds PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
    target_link_libraries(fuzz-${name}-seeds PRIVATE ${ARG_DEPS})
    target_include_directories(fuzz-${name}-seeds PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/fuzz)
    add_test(NAME fuzz_seeds.${name}
             COMMAND fuzz-${name}-seeds ${PROJECT_SOURCE_DIR}/fuzz/corpus/${name})
    set_tests_properties(fuzz_seeds.${name} PROPERTIES LABELS unit TIMEOUT 120)
    set_property(GLOBAL APPEND PROPERTY MW_UNIT_TEST_TARGETS fuzz-${name}-seeds)
  endif()
endfunction()

# mw_add_detector(NAME [DEPS targets...] [TEST_DEPS targets...])
# One folder under src/detectors/NAME: a library mw::detector_NAME plus its tests. The detector
# is recorded in the global property MW_DETECTORS so the sensor wiring links every detector.
function(mw_add_detector name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS" ${ARGN})
  mw_add_library(detector_${name} DEPS ${ARG_DEPS} TEST_DEPS ${ARG_TEST_DEPS} LINK_INTO minewatch)
  set_property(GLOBAL APPEND PROPERTY MW_DETECTORS ${name})
endfunction()

# mw_add_analyzer(NAME [DEPS targets...] [TEST_DEPS targets...]): the same for src/analyzers/NAME.
function(mw_add_analyzer name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS" ${ARGN})
  mw_add_library(analyzer_${name} DEPS ${ARG_DEPS} TEST_DEPS ${ARG_TEST_DEPS} LINK_INTO minewatch)
  set_property(GLOBAL APPEND PROPERTY MW_ANALYZERS ${name})
endfunction()
