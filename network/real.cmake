# The real engine: the wire frame codec and the TCP fault proxy, on Boost.Asio over loopback.
# Included by network/CMakeLists.txt; paths are relative to this file, wherever it is included.
set(_here ${CMAKE_CURRENT_LIST_DIR})

# Frames need no Asio: levels that only encode and decode link ladder::network_frame.
ladder_library(network_frame SOURCES ${_here}/frame.cpp DEPS fmt::fmt)

# Asio is compiled once, in asio.cpp; every target that includes Asio headers must see
# BOOST_ASIO_SEPARATE_COMPILATION, so it is a PUBLIC definition of this library.
ladder_library(network_real
  SOURCES ${_here}/asio.cpp ${_here}/fault_proxy.cpp ${_here}/udp_network.cpp ${_here}/inbox.cpp
    ${_here}/udp_endpoint.cpp ${_here}/scheduling.cpp
  DEPS ladder::network ladder::network_frame Boost::headers Threads::Threads)
target_compile_definitions(ladder_network_real PUBLIC BOOST_ASIO_SEPARATE_COMPILATION)

ladder_test(network_frame_tests SOURCES ${_here}/tests/frame_tests.cpp
  DEPS ladder::network_frame ladder::network LABELS network pure)
ladder_test(network_fault_proxy_tests SOURCES ${_here}/tests/fault_proxy_tests.cpp
  DEPS ladder::network_real LABELS network real)
ladder_test(network_udp_tests SOURCES ${_here}/tests/udp_network_tests.cpp
  DEPS ladder::network_real LABELS network real)
ladder_test(network_io_thread_tests SOURCES ${_here}/tests/io_thread_tests.cpp
  DEPS ladder::network_real LABELS network real)

# libFuzzer target for the frame decoder (clang only; LADDER_FUZZ is the top CMakeLists.txt's
# option). Build and run it with:
#   CXX=clang++ cmake --preset default -B build/fuzz -DLADDER_FUZZ=ON
#   cmake --build build/fuzz --target ladder_frame_fuzz
#   build/fuzz/network/ladder_frame_fuzz -max_total_time=60
if(LADDER_FUZZ)
  add_executable(ladder_frame_fuzz ${_here}/fuzz/frame_fuzz.cpp ${_here}/frame.cpp)
  target_include_directories(ladder_frame_fuzz PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(ladder_frame_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(ladder_frame_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(ladder_frame_fuzz PRIVATE fmt::fmt ladder_warnings)
endif()
