# Level 3's drivers: the deterministic simulator, trace files, replay, shrinking and diagrams.
# Included at the end of this folder's CMakeLists.txt, after the core's library.

ladder_library(level3
  SOURCES
    sim.cpp
    sim_apply_log.cpp
    sim_nodes.cpp
    sim_results.cpp
    trace_file.cpp
    replay.cpp
    shrink.cpp
    diagram.cpp
  DEPS ladder::level3_core ladder::network ladder::counter_spec ladder::protocol fmt::fmt
    nlohmann_json::nlohmann_json)

ladder_test(level3_sim_tests
  SOURCES
    tests/sim_diagram_tests.cpp
    tests/sim_run_tests.cpp
    tests/sim_shrink_tests.cpp
    tests/sim_trace_tests.cpp
  DEPS ladder::level3
  LABELS level3 pure
  REAL_CASES "Graphviz*")  # runs Graphviz's dot
