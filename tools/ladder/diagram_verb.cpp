/// \file
/// `ladder diagram trace FILE -o OUT` and `ladder diagram roles -o OUT`: Graphviz pictures of a
/// level 3 run and of level 3's role table; `ladder diagram states -o OUT`: level 4's reachable
/// state graph of a tiny configuration.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "level3_pure/diagram.hpp"
#include "level3_pure/trace_file.hpp"
#include "level4_explore/level3_model.hpp"
#include "level4_explore/pn_model.hpp"
#include "level4_explore/state_graph.hpp"
#include "tools/ladder/diagram_states.hpp"
#include "tools/ladder/trace_input.hpp"
#include "tools/ladder/usage_error.hpp"
#include "tools/ladder/verbs.hpp"

namespace ladder::tools {

int run_diagram(const DiagramOptions& options) {
  if (options.what == "roles") {
    level3::render_diagram(level3::roles_diagram(), level3::Layout::ranked, options.output);
    fmt::print("wrote {}: the roles of level 3's replica, drawn from its role table\n",
               options.output.string());
    return kExitOk;
  }
  if (options.what != "trace" || !options.trace) {
    throw UsageError("diagram: say `trace FILE` or `roles`");
  }
  const level3::Trace trace = read_drawable_trace_argument(*options.trace);  // level 3 or 4
  level3::DiagramOptions diagram;
  diagram.max_events = options.max_events;
  diagram.timers = options.timers;
  level3::render_diagram(level3::trace_diagram(trace, diagram), level3::Layout::pinned,
                         options.output);
  fmt::print("wrote {}: {} events of seed {} ({}), {}\n", options.output.string(),
             std::min(trace.events.size(), options.max_events), trace.spec.seed,
             level3::to_string(trace.spec.variant), trace.end.summary);
  return kExitOk;
}

}  // namespace ladder::tools

// `ladder diagram states`: level 4's reachable state graphs (tools/ladder/diagram_states.hpp).

namespace ladder::tools {

namespace {

template <class MakeModel>
int draw_states(const DiagramStatesOptions& options, const std::string& what,
                const std::vector<level4::Bound>& bounds, const MakeModel& make) {
  level4::StateGraph graph;
  try {
    graph = level4::drawable_state_graph(make(), what, options.max_states);
  } catch (const level4::GraphTooLarge& error) {
    fmt::print(stderr, "ladder diagram states: {}\n", error.what());
    if (const auto smaller = level4::suggest_smaller(bounds, make, options.max_states)) {
      fmt::print(stderr, "A configuration that fits: ladder diagram states --model {} {} -o {}\n",
                 options.model, *smaller, options.output.string());
    }
    return kExitFailure;
  }
  level3::render_diagram(level4::state_graph_dot(graph, what), level3::Layout::ranked,
                         options.output);
  const auto violating = std::count_if(graph.states.begin(), graph.states.end(),
                                       [](const auto& node) { return node.violation.has_value(); });
  fmt::print("wrote {}: {} states and {} transitions of {}", options.output.string(),
             graph.states.size(), graph.edges.size(), what);
  if (graph.counterexample.empty()) {
    fmt::print("; no state violates the invariants\n");
  } else {
    fmt::print("; {} violating states (red), the shortest counterexample in bold ({} events)\n",
               violating, graph.counterexample.size() - 1);
  }
  return kExitOk;
}

int draw_pn_counter(const DiagramStatesOptions& options) {
  if (options.merge != "max" && options.merge != "sum") {
    throw UsageError(fmt::format("diagram states: --merge is max or sum, not '{}'", options.merge));
  }
  int replicas = options.replicas.value_or(2);
  int adds = options.adds.value_or(1);
  int drops = options.max_drops.value_or(0);
  int duplicates = options.max_duplicates.value_or(0);
  int in_flight = options.in_flight.value_or(1);
  const level4::pn::MergeFn merge =
      options.merge == "max" ? &level4::pn::merge : &level4::pn::merge_by_sum;
  const auto config = [&] {
    for (const int bound : {replicas, adds, drops, duplicates, in_flight}) {
      if (bound < 0 || bound > 255) throw std::invalid_argument("a bound is 0 .. 255");
    }
    return level4::pn::Config{static_cast<std::uint8_t>(replicas), static_cast<std::uint8_t>(adds),
                              static_cast<std::uint8_t>(drops),
                              static_cast<std::uint8_t>(duplicates),
                              static_cast<std::uint8_t>(in_flight)};
  };
  const auto make = [&] { return level4::pn::Model(config(), merge); };
  std::string what;
  try {
    what = fmt::format("the PN-counter (merge by {}), {}", options.merge, config().describe());
    (void)make();
  } catch (const std::invalid_argument& error) {
    throw UsageError(fmt::format("diagram states: {}", error.what()));
  }
  // Faults go first: a smaller picture should keep the adds and replicas it was asked for.
  const std::vector<level4::Bound> bounds{{"--max-duplicates", &duplicates, 0, 1},
                                          {"--max-drops", &drops, 0, 1},
                                          {"--in-flight", &in_flight, 1, 1},
                                          {"--adds", &adds, 1, 1},
                                          {"--replicas", &replicas, 2, 1}};
  return draw_states(options, what, bounds, make);
}

int draw_level3(const DiagramStatesOptions& options) {
  level4::Level3Config config;
  const auto variant = level3::parse_variant(options.variant);
  if (!variant) {
    throw UsageError(fmt::format("diagram states: --variant is first-release or fixed, not '{}'",
                                 options.variant));
  }
  config.variant = *variant;
  config.replicas = options.replicas.value_or(3);
  config.clients = options.clients.value_or(1);
  config.ops = options.ops.value_or(1);
  config.max_drops = options.max_drops.value_or(0);
  config.max_duplicates = options.max_duplicates.value_or(0);
  config.max_crashes = options.max_crashes.value_or(0);
  config.max_timeouts = options.max_timeouts.value_or(0);
  if (const std::string problem = config.problem(); !problem.empty()) {
    throw UsageError(fmt::format("diagram states: {}", problem));
  }
  const auto make = [&] { return level4::Level3Model(config); };
  const std::vector<level4::Bound> bounds{{"--max-timeouts", &config.max_timeouts, 0, 1},
                                          {"--max-duplicates", &config.max_duplicates, 0, 1},
                                          {"--max-drops", &config.max_drops, 0, 1},
                                          {"--max-crashes", &config.max_crashes, 0, 1},
                                          {"--ops", &config.ops, 1, 1},
                                          {"--clients", &config.clients, 1, 1},
                                          {"--replicas", &config.replicas, 1, 2}};
  return draw_states(options, "level 3's cluster, " + config.describe(), bounds, make);
}

}  // namespace

int run_diagram_states(const DiagramStatesOptions& options) {
  if (options.model == "pn-counter") return draw_pn_counter(options);
  if (options.model == "level3") return draw_level3(options);
  throw UsageError(
      fmt::format("diagram states: --model is level3 or pn-counter, not '{}'", options.model));
}

}  // namespace ladder::tools
