/// \file
/// `ladder diagram trace FILE -o OUT` and `ladder diagram roles -o OUT`: Graphviz pictures of a
/// level 3 run and of level 3's role table; `ladder diagram states -o OUT`: level 4's reachable
/// state graph of a tiny configuration.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "level3_pure/sim/diagram.hpp"
#include "level3_pure/sim/trace_file.hpp"
#include "level4_explore/level3_model.hpp"
#include "level4_explore/pn_model.hpp"
#include "level4_explore/state_graph.hpp"
#include "tools/ladder/command_line.hpp"
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

namespace {

// -o, --output: the picture every diagram needs, the last option of each.
void add_output_option(CLI::App& what, std::string& output) {
  what.add_option("-o,--output", output, "the picture: .svg, .png, .pdf or .dot")
      ->required()
      ->type_name("FILE");
}

// `ladder diagram trace`'s and `roles`' command line as CLI11 fills it, until the verb runs.
struct DiagramCommandLine {
  DiagramOptions options;
  std::string file;
  std::string output;
};

void add_trace_diagram(CommandLine& cli, CLI::App& diagram) {
  auto line = std::make_shared<DiagramCommandLine>();
  CLI::App* what = diagram.add_subcommand("trace", "a Lamport diagram of a trace file");
  what->add_option("FILE", line->file, "the trace file")->required()->check(CLI::ExistingFile);
  what->add_option("--max-events", line->options.max_events, "the most events drawn")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  what->add_flag("--timers", line->options.timers, "also draw timers firing");
  add_output_option(*what, line->output);
  cli.on_run(*what, [line] {
    DiagramOptions options = line->options;
    options.what = "trace";
    options.trace = line->file;
    options.output = line->output;
    return run_diagram(options);
  });
}

void add_roles_diagram(CommandLine& cli, CLI::App& diagram) {
  auto line = std::make_shared<DiagramCommandLine>();
  CLI::App* what = diagram.add_subcommand(
      "roles", "the roles of a level 3 replica and their transitions, from the core's table");
  add_output_option(*what, line->output);
  cli.on_run(*what, [line] {
    DiagramOptions options = line->options;
    options.what = "roles";
    options.output = line->output;
    return run_diagram(options);
  });
}

// `ladder diagram states`'s command line as CLI11 fills it, until the verb runs.
struct StatesCommandLine {
  DiagramStatesOptions options;
  std::string output;
};

DiagramStatesOptions states_options(const StatesCommandLine& line) {
  DiagramStatesOptions options = line.options;
  options.output = line.output;
  return options;
}

// The size of the configuration drawn; each model takes its tiny default for a bound not given.
void add_state_bounds(CLI::App& what, DiagramStatesOptions& options) {
  what.add_option("--replicas", options.replicas, "replicas (level3 default 3, pn-counter 2)");
  what.add_option("--clients", options.clients, "level3: clients (1)");
  what.add_option("--ops", options.ops, "level3: adds per client (1)");
  what.add_option("--adds", options.adds, "pn-counter: adds in all (1)");
  what.add_option("--in-flight", options.in_flight, "pn-counter: messages in flight at most (1)");
  what.add_option("--max-drops", options.max_drops, "messages dropped (0)");
  what.add_option("--max-duplicates", options.max_duplicates, "messages duplicated (0)");
  what.add_option("--max-crashes", options.max_crashes, "level3: replica crashes (0)");
  what.add_option("--max-timeouts", options.max_timeouts, "level3: timer firings (0)");
}

// Level 4: the reachable state graph of a tiny configuration (tools/ladder/diagram_states.hpp).
void add_states_diagram(CommandLine& cli, CLI::App& diagram) {
  auto line = std::make_shared<StatesCommandLine>();
  DiagramStatesOptions& options = line->options;
  CLI::App* what = diagram.add_subcommand(
      "states", "level 4: every reachable global state of a tiny configuration, and its events");
  what->add_option("--model", options.model, "level3 or pn-counter")
      ->check(CLI::IsMember({"level3", "pn-counter"}))
      ->capture_default_str();
  what->add_option("--max-states", options.max_states, "refuse to draw more states than this")
      ->check(CLI::Range(1, 5000))
      ->capture_default_str();
  what->add_option("--variant", options.variant, "level3: rule V4's variant")
      ->check(CLI::IsMember({"first-release", "fixed"}))
      ->capture_default_str();
  what->add_option("--merge", options.merge, "pn-counter: max or sum")
      ->check(CLI::IsMember({"max", "sum"}))
      ->capture_default_str();
  add_state_bounds(*what, options);
  add_output_option(*what, line->output);
  cli.on_run(*what, [line] { return run_diagram_states(states_options(*line)); });
}

}  // namespace

void add_diagram_verb(CommandLine& cli) {
  CLI::App* verb = cli.app().add_subcommand(
      "diagram", "draw a level 3 run as a Lamport diagram, or level 3's roles, with Graphviz");
  verb->require_subcommand(1);
  add_trace_diagram(cli, *verb);
  add_roles_diagram(cli, *verb);
  add_states_diagram(cli, *verb);
}

}  // namespace ladder::tools
