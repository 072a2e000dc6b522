# Level 3's disk: the durable log a real replica's Persist actions go to, and its record format.
# Included at the end of this folder's CMakeLists.txt, after the core's library.

ladder_library(level3_disk
  SOURCES
    disk_record.cpp
    durable_log.cpp
  DEPS ladder::level3_core ladder::protocol fmt::fmt Boost::headers)

ladder_test(level3_disk_tests
  SOURCES
    tests/disk_tests.cpp
  DEPS ladder::level3_disk
  LABELS level3 real)

# libFuzzer target for the record scanner (clang only; LADDER_FUZZ is the top CMakeLists.txt's option).
#   CXX=clang++ cmake --preset default -B build/fuzz -DLADDER_FUZZ=ON
#   cmake --build build/fuzz --target ladder_record_fuzz
#   build/fuzz/level3_pure/ladder_record_fuzz -max_total_time=60
if(LADDER_FUZZ)
  # The scanner and the codec are compiled into the target, so that libFuzzer instruments them.
  add_executable(ladder_record_fuzz fuzz/record_fuzz.cpp disk_record.cpp
    ${PROJECT_SOURCE_DIR}/protocol/codec.cpp ${PROJECT_SOURCE_DIR}/protocol/messages.cpp
    ${PROJECT_SOURCE_DIR}/network/frame.cpp)
  target_include_directories(ladder_record_fuzz PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(ladder_record_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(ladder_record_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(ladder_record_fuzz
    PRIVATE ladder::counter_spec fmt::fmt Boost::headers ladder_warnings)
endif()
