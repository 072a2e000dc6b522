# ctest -P script: passes only when an exercise's starter fails for the right reason.
#
#   cmake -D TEST_BINARY=<exercise_NN_starter> -D EXERCISE=NN -P ExpectStarterFails.cmake
#
# WILL_FAIL alone would also pass on a crash, a missing binary or a test that fails because it is
# wrong; this script demands that the binary ran to its end, that every test case failed, and that
# every failure is the starter's "Exercise NN: your code here" marker.

# The test guards the starter as shipped. A reader who has edited starter/ (in a git checkout, git
# says so) is doing the exercise: then the test reports itself skipped (the test's
# SKIP_REGULAR_EXPRESSION matches "LADDER-SKIP") instead of failing their `./run test`.
set(note "(If you have done exercise ${EXERCISE} in its starter/, this is expected: the test guards the starter as shipped.)")

foreach(var TEST_BINARY EXERCISE STARTER_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "ExpectStarterFails.cmake: -D ${var}=... is required")
  endif()
endforeach()

find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} status --porcelain -- .
    WORKING_DIRECTORY ${STARTER_DIR} RESULT_VARIABLE git_result OUTPUT_VARIABLE edits ERROR_QUIET)
  if(git_result EQUAL 0 AND NOT edits STREQUAL "")
    message("LADDER-SKIP: you have edited ${STARTER_DIR}, so this run cannot prove that the starter "
            "as shipped fails; grade your work with ./run check ${EXERCISE}.\n${edits}")
    return()
  endif()
endif()

execute_process(COMMAND ${TEST_BINARY} --reporter compact --use-colour no
  RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)

# Catch2 exits with the number of failed assertions; a crash gives a signal's name instead.
if(NOT result MATCHES "^[0-9]+$" OR result EQUAL 0)
  message(FATAL_ERROR "the starter's tests should fail with exit code > 0, got '${result}':\n${output}\n${note}")
endif()

set(marker "Exercise ${EXERCISE}: your code here")
# A CMake list is a string split at ';', and Catch2 writes "; expression was:" after exceptions.
string(REPLACE ";" "," output "${output}")
string(REGEX MATCHALL "[^\n]*: failed: [^\n]*" failures "${output}")
list(LENGTH failures failure_count)
if(failure_count EQUAL 0)
  message(FATAL_ERROR "no failed assertion in the starter's output:\n${output}\n${note}")
endif()
foreach(failure IN LISTS failures)
  string(FIND "${failure}" "${marker}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "a starter test failed for another reason than '${marker}':\n${failure}\n${note}")
  endif()
endforeach()

# "Failed 1 test case", "Failed both 2 test cases" or "Failed all N test cases": none passed.
if(NOT output MATCHES "Failed (1 test case|both 2 test cases|all [0-9]+ test cases),")
  message(FATAL_ERROR "some starter test passes without the reader's code:\n${output}\n${note}")
endif()
message(STATUS "the starter fails as it should: ${failure_count} failures, each '${marker}'")
