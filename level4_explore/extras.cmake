# Level 4's extras, included by the top-level CMakeLists.txt after this folder's own: the
# PN-counter (a second model for the explorer, and exercise 10's core), pictures of state graphs
# (`ladder diagram states`), and the check that Spin counts the PN-counter's states as we do.

ladder_library(level4_pn
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/pn_counter.cpp
    ${CMAKE_CURRENT_LIST_DIR}/pn_model.cpp
  DEPS fmt::fmt)

ladder_library(level4_graph
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/state_graph.cpp
  DEPS ladder::level4 fmt::fmt)

ladder_test(level4_extras_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/tests/pn_model_tests.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tests/state_graph_tests.cpp
  DEPS ladder::level4_pn ladder::level4_graph
  LABELS level4 pure)
