# The format check: every C++ file of the repository must be as clang-format (with the repo's
# .clang-format) would write it.
#
# This file has two uses.
# - include(cmake/FormatCheck.cmake) in a project adds the CTest test `format` (label format).
# - cmake -DLADDER_SOURCE_DIR=<repo> -DLADDER_CLANG_FORMAT=<clang-format> -P FormatCheck.cmake
#   is that test: it lists the files (git ls-files in a git checkout, else a glob), runs
#   `clang-format --dry-run --Werror` on them, and on failure prints the command that fixes them.

if(NOT CMAKE_SCRIPT_MODE_FILE)
  include_guard(GLOBAL)
  if(NOT LADDER_BUILD_TESTS)
    return()
  endif()
  find_program(LADDER_CLANG_FORMAT NAMES clang-format clang-format-14
               DOC "clang-format for the format test")
  if(NOT LADDER_CLANG_FORMAT)
    message(STATUS "clang-format not found: the format test is skipped (./run installs it)")
    return()
  endif()
  add_test(NAME format
           COMMAND ${CMAKE_COMMAND} -DLADDER_SOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -DLADDER_CLANG_FORMAT=${LADDER_CLANG_FORMAT} -P ${CMAKE_CURRENT_LIST_FILE})
  # real (cmake/LadderTargets.cmake): it runs clang-format.
  set_tests_properties(format PROPERTIES LABELS "format;real" TIMEOUT 300)
  return()
endif()

# ---- script mode: the test itself -------------------------------------------------------------

foreach(required LADDER_SOURCE_DIR LADDER_CLANG_FORMAT)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "FormatCheck.cmake: pass -D${required}=...")
  endif()
endforeach()

# The files to check, relative to the source dir. In a git checkout, ask git: it knows which
# files belong to the repository (tracked, or new and not ignored), so build trees and editor
# droppings are never checked. Outside git (a release tarball), glob and skip build trees.
find_package(Git QUIET)
set(files "")
if(GIT_FOUND AND EXISTS ${LADDER_SOURCE_DIR}/.git)
  execute_process(
    COMMAND ${GIT_EXECUTABLE} ls-files --cached --others --exclude-standard -- *.cpp *.hpp
    WORKING_DIRECTORY ${LADDER_SOURCE_DIR}
    OUTPUT_VARIABLE listed
    RESULT_VARIABLE git_status)
  if(NOT git_status EQUAL 0)
    message(FATAL_ERROR "git ls-files failed in ${LADDER_SOURCE_DIR} (status ${git_status})")
  endif()
  string(REPLACE "\n" ";" listed "${listed}")
  foreach(file IN LISTS listed)
    # --cached still lists a tracked file that was just deleted in the working tree.
    if(file AND EXISTS ${LADDER_SOURCE_DIR}/${file})
      list(APPEND files ${file})
    endif()
  endforeach()
else()
  file(GLOB_RECURSE files RELATIVE ${LADDER_SOURCE_DIR} ${LADDER_SOURCE_DIR}/*.cpp
       ${LADDER_SOURCE_DIR}/*.hpp)
  list(FILTER files EXCLUDE REGEX "^(build|out)/|/build/|^\\.")
endif()
list(REMOVE_DUPLICATES files)
list(SORT files)
list(LENGTH files count)
if(count EQUAL 0)
  message(FATAL_ERROR "FormatCheck.cmake: no *.cpp or *.hpp files found in ${LADDER_SOURCE_DIR}")
endif()

execute_process(
  COMMAND ${LADDER_CLANG_FORMAT} --dry-run --Werror ${files}
  WORKING_DIRECTORY ${LADDER_SOURCE_DIR}
  RESULT_VARIABLE format_status
  OUTPUT_VARIABLE format_output
  ERROR_VARIABLE format_output)
if(format_status EQUAL 0)
  message(STATUS "clang-format: all ${count} files are formatted")
  return()
endif()

# Name the files that need formatting: clang-format reports "<file>:<line>:<col>: error: ...".
set(bad "")
string(REGEX MATCHALL "[^\n]+:[0-9]+:[0-9]+: (error|warning): code should be clang-formatted"
       reports "${format_output}")
foreach(report IN LISTS reports)
  string(REGEX REPLACE ":[0-9]+:[0-9]+: (error|warning): code should be clang-formatted$" ""
         file "${report}")
  list(APPEND bad ${file})
endforeach()
list(REMOVE_DUPLICATES bad)
if(NOT bad)
  set(bad ${files})  # an error other than formatting: suggest the whole tree
endif()
list(JOIN bad " " bad_text)
# clang-format reports every misplaced token; the first screenful shows what is wrong. (Cut by
# characters, not as a CMake list: C++ lines are full of the semicolons that lists split on.)
set(shown "${format_output}")
string(LENGTH "${format_output}" output_length)
if(output_length GREATER 4000)
  string(SUBSTRING "${format_output}" 0 4000 shown)
  string(FIND "${shown}" "\n" last_newline REVERSE)
  string(SUBSTRING "${shown}" 0 ${last_newline} shown)
  set(shown "${shown}\n... (the rest of clang-format's report is left out)")
endif()
message("${shown}")
message(FATAL_ERROR "Some files are not formatted as .clang-format says. To fix them, run in "
                    "${LADDER_SOURCE_DIR}:\n  clang-format -i ${bad_text}")
