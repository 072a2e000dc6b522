# Flags and helpers shared by every ladder target.

# Warnings for ladder's own code (not for the libraries we include).
add_library(ladder_warnings INTERFACE)
target_compile_options(ladder_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough
  $<$<BOOL:${LADDER_WERROR}>:-Werror>)

if(LADDER_SANITIZE)
  add_compile_options(-fsanitize=${LADDER_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${LADDER_SANITIZE})
  if(LADDER_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12 warns that atomic_thread_fence is unsupported by TSan; Asio uses it.
    add_compile_options(-Wno-tsan)
  endif()
  if(LADDER_SANITIZE MATCHES "address" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # The asan preset builds at -O1 (a sanitized Debug build at -O0 runs the explorer and the
    # chapters' commands several times slower, for no faster compile). At -O1 with ASan, g++ 12
    # inlines Asio's recycling allocator of coroutine frames and then misreads the frame's own
    # operator delete as mismatched with its operator new: a false positive, silenced here only.
    add_compile_options(-Wno-mismatched-new-delete)
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
endfunction()

# ladder_test(NAME LABELS... SOURCES... DEPS...): a Catch2 test binary whose cases CTest lists one by one.
function(ladder_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT LADDER_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} Catch2::Catch2WithMain ladder_warnings)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE LADDER_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  catch_discover_tests(${name} TEST_PREFIX "${name}: " PROPERTIES LABELS "${ARG_LABELS}"
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endfunction()
