# Level 3's front door: the Redis protocol (RESP2) parser and encoder, and the TCP server that
# hands counter commands to a backend. Included at the end of this folder's CMakeLists.txt.
# Asio is compiled once, in ladder::network_real.
set(_resp_here ${CMAKE_CURRENT_LIST_DIR})

ladder_library(level3_resp
  SOURCES ${_resp_here}/resp.cpp ${_resp_here}/resp_commands.cpp ${_resp_here}/resp_server.cpp
  DEPS ladder::network_real fmt::fmt)

ladder_test(level3_resp_tests
  SOURCES ${_resp_here}/tests/resp_tests.cpp ${_resp_here}/tests/resp_server_tests.cpp
  DEPS ladder::level3_resp
  LABELS level3 real)

# libFuzzer target for the RESP parser (clang only; LADDER_FUZZ is the top CMakeLists.txt's option):
#   CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DLADDER_FUZZ=ON
#   cmake --build build/fuzz --target ladder_resp_fuzz
#   build/fuzz/level3_pure/ladder_resp_fuzz -max_total_time=60
if(LADDER_FUZZ)
  add_executable(ladder_resp_fuzz ${_resp_here}/fuzz/resp_fuzz.cpp ${_resp_here}/resp.cpp
    ${_resp_here}/resp_commands.cpp)
  target_include_directories(ladder_resp_fuzz PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(ladder_resp_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(ladder_resp_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(ladder_resp_fuzz PRIVATE fmt::fmt ladder_warnings)
endif()
