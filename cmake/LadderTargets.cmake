# Flags and helpers shared by every ladder target.

# Warnings for ladder's own code (not for the libraries we include).
add_library(ladder_warnings INTERFACE)
target_compile_options(ladder_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough
  $<$<BOOL:${LADDER_WERROR}>:-Werror>)

# The sanitizer and release presets build in unity mode (CMAKE_UNITY_BUILD): a target's files are
# compiled a few at a time as one translation unit, so that the heavy headers (CLI11, JSON, Asio,
# Catch2) are parsed and their inline functions compiled once per batch instead of once per file.
# g++ then sees each .cpp as an included file, and warns that a class of the .cpp with a member of
# an anonymous-namespace type "uses the anonymous namespace" as if it were in a header. It is not.
if(CMAKE_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-Wno-subobject-linkage)
endif()

if(LADDER_SANITIZE)
  add_compile_options(-fsanitize=${LADDER_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${LADDER_SANITIZE})
  if(LADDER_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12 warns that atomic_thread_fence is unsupported by TSan; Asio uses it.
    add_compile_options(-Wno-tsan)
  endif()
  if(LADDER_SANITIZE MATCHES "address" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # The asan preset builds at -Og: a sanitized build at -O0 runs the explorer and the chapters'
    # commands several times slower, and -O1 with UBSan compiles a heavy header (CLI11, JSON) about
    # twice as long as -Og for a few percent of speed (bench/RESULTS.md). With ASan and inlining,
    # g++ 12 misreads the operator delete of Asio's recycled coroutine frames as mismatched with
    # their operator new: a false positive, silenced here only.
    add_compile_options(-Wno-mismatched-new-delete)
    # Likewise g++ 12 with ASan and optimisation reports "may be used uninitialized" inside
    # libstdc++'s std::regex and std::function, in code that initialises everything. It stays a
    # warning, printed, so that one of ours is seen; the release build keeps it an error.
    add_compile_options(-Wno-error=maybe-uninitialized)
  endif()
endif()

# ladder_library(NAME SOURCES... DEPS...): a library named ladder_NAME with alias ladder::NAME,
# its folder's parent on the include path so that code includes "network/sim_network.hpp".
function(ladder_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(ladder_${name} ${ARG_SOURCES})
  add_library(ladder::${name} ALIAS ladder_${name})
  target_include_directories(ladder_${name} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>)
  target_link_libraries(ladder_${name} PUBLIC ${ARG_DEPS} PRIVATE ladder_warnings)
  # The boundary test (tools/boundary/) reads every library's sources and links.
  set_property(GLOBAL APPEND PROPERTY LADDER_LIBRARIES ladder_${name})
endfunction()

# ladder_test(NAME SOURCES... DEPS... LABELS... [TIMEOUT SECONDS]): a Catch2 test binary whose
# cases CTest lists one by one.
#
# LABELS name the part of the tree (level3, network, ...) and exactly one of two kinds:
# - pure: simulated, deterministic and fast; no sockets, no child processes, no real time (files in
#   a temporary folder are allowed). `ctest -L pure` runs these alone, in seconds.
# - real: the rest: loopback sockets, threads, real time, the built CLI as child processes.
# TIMEOUT bounds each test case: 120 s for pure, 300 s for real unless given. REAL_CASES, a Catch2
# test spec such as "Graphviz*", names the cases of a pure binary that are real after all (they run
# a program): those get the label real instead of pure.
function(ladder_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT;REAL_CASES" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT LADDER_BUILD_TESTS)
    return()
  endif()
  ladder_test_kind(kind "${name}" ${ARG_LABELS})
  if(NOT ARG_TIMEOUT)
    if(kind STREQUAL "pure")
      set(ARG_TIMEOUT 120)
    else()
      set(ARG_TIMEOUT 300)
    endif()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} Catch2::Catch2WithMain ladder_warnings)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE LADDER_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  # Catch2 2's discovery writes each property value as one word, so a list of labels cannot pass
  # through its PROPERTIES: a small script, run by CTest after the discovered list, sets them.
  if(NOT ARG_REAL_CASES)
    ladder_discover(${name} ${name} "" "${ARG_LABELS}" ${ARG_TIMEOUT})
    return()
  endif()
  if(NOT kind STREQUAL "pure")
    message(FATAL_ERROR "test ${name}: REAL_CASES is for a pure binary with a few real cases")
  endif()
  list(TRANSFORM ARG_LABELS REPLACE "^pure$" "real" OUTPUT_VARIABLE real_labels)
  ladder_discover(${name} ${name}_pure "~${ARG_REAL_CASES}" "${ARG_LABELS}" ${ARG_TIMEOUT})
  ladder_discover(${name} ${name}_real "${ARG_REAL_CASES}" "${real_labels}" 300)
endfunction()

# ladder_test_kind(OUT TEST LABELS...): OUT is "pure" or "real", whichever LABELS holds; a test
# with neither or both stops the configure, so that `ctest -L pure` and `-L real` miss nothing.
function(ladder_test_kind out test)
  set(kinds ${ARGN})
  list(FILTER kinds INCLUDE REGEX "^(pure|real)$")
  list(LENGTH kinds count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "test ${test}: its LABELS (${ARGN}) must hold exactly one of pure and "
                        "real (cmake/LadderTargets.cmake says which is which)")
  endif()
  set(${out} ${kinds} PARENT_SCOPE)
endfunction()

# ladder_discover(TARGET LIST SPEC LABELS TIMEOUT): CTest lists the cases of TARGET matching the
# Catch2 test spec SPEC (all when empty) one by one, with LABELS and TIMEOUT.
function(ladder_discover target list spec labels timeout)
  set(spec_args "")
  if(spec)
    set(spec_args TEST_SPEC "${spec}")
  endif()
  catch_discover_tests(${target} TEST_PREFIX "${target}: " ${spec_args} TEST_LIST ${list}_TESTS
    PROPERTIES TIMEOUT ${timeout} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set(script ${CMAKE_CURRENT_BINARY_DIR}/${list}_labels.cmake)
  file(WRITE ${script} "if(${list}_TESTS)\n  set_tests_properties(\${${list}_TESTS} "
                       "PROPERTIES LABELS \"${labels}\")\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${script})
endfunction()
