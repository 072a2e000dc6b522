#pragma once
/// \file
/// `ladder diagram states -o OUT [--model level3|pn-counter] [bounds...]`: the reachable global
/// state graph of a tiny configuration, drawn with Graphviz (level4_explore/state_graph.hpp).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace ladder::tools {

/// The options of `ladder diagram states`. A bound left unset takes the model's tiny default.
struct DiagramStatesOptions {
  std::string model = "level3";           ///< "level3" (level 3's cluster) or "pn-counter"
  std::filesystem::path output;           ///< .svg, .png, .pdf (Graphviz) or .dot
  std::uint64_t max_states = 300;         ///< refuse to draw a graph with more states
  std::string variant = "first-release";  ///< level3: which rule V4
  std::string merge = "max";          ///< pn-counter: "max" (correct) or "sum" (the classic bug)
  std::optional<int> replicas;        ///< both models
  std::optional<int> clients;         ///< level3
  std::optional<int> ops;             ///< level3: operations per client
  std::optional<int> adds;            ///< pn-counter: local adds in all
  std::optional<int> in_flight;       ///< pn-counter: the network's capacity
  std::optional<int> max_drops;       ///< both models
  std::optional<int> max_duplicates;  ///< both models
  std::optional<int> max_crashes;     ///< level3
  std::optional<int> max_timeouts;    ///< level3: timer firings
};

/// Draws the state graph, or refuses (exit 1) with a suggested smaller configuration when it
/// has more than max_states states. Throws UsageError for a bad model, variant, merge or bound.
int run_diagram_states(const DiagramStatesOptions& options);

}  // namespace ladder::tools
