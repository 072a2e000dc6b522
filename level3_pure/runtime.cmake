# Level 3 in production: the pure core on a UDP socket, Asio timers, the durable log and the RESP
# front door, one node per process (`ladder node`). Included at the end of this folder's
# CMakeLists.txt; the disk (durable_log) and the door (resp) are libraries of their own.
set(_runtime_here ${CMAKE_CURRENT_LIST_DIR})

ladder_library(level3_runtime
  SOURCES
    ${_runtime_here}/cluster_file.cpp
    ${_runtime_here}/runtime.cpp
    ${_runtime_here}/runtime_client.cpp
    ${_runtime_here}/runtime_door.cpp
  DEPS ladder::level3_core ladder::level3_disk ladder::level3_resp ladder::network_real fmt::fmt
    nlohmann_json::nlohmann_json)

ladder_test(level3_runtime_tests
  SOURCES
    ${_runtime_here}/tests/runtime_cluster_file_tests.cpp
    ${_runtime_here}/tests/runtime_door_tests.cpp
    ${_runtime_here}/tests/runtime_node_tests.cpp
  DEPS ladder::level3_runtime
  LABELS level3 real)
