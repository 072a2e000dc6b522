/// \file
/// `ladder explore` and the replay of its counterexamples: level 4 on the command line.

#include "tools/ladder/explore_verb.hpp"

#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "level4_explore/explorer.hpp"
#include "level4_explore/level3_model.hpp"
#include "level4_explore/level3_trace.hpp"
#include "tools/ladder/command_line.hpp"
#include "tools/ladder/usage_error.hpp"

namespace ladder::tools {

namespace {

// `ladder explore`'s command line as CLI11 fills it, until the verb runs.
struct ExploreCommandLine {
  ExploreOptions options;
  std::string color = "auto";
};

ExploreOptions explore_options(const ExploreCommandLine& line) {
  ExploreOptions options = line.options;
  options.color = color_mode(line.color);
  return options;
}

// The size of the cluster explored and the faults the network and the replicas may commit.
void add_bounds(CLI::App& verb, ExploreOptions& options) {
  verb.add_option("--replicas", options.replicas, "replicas, odd, 1 .. 7")->capture_default_str();
  verb.add_option("--clients", options.clients, "clients, 1 .. 4")->capture_default_str();
  verb.add_option("--ops", options.ops, "adds per client (client c adds c + 1)")
      ->capture_default_str();
  verb.add_option("--max-drops", options.max_drops, "messages the network may lose")
      ->capture_default_str();
  verb.add_option("--max-duplicates", options.max_duplicates,
                  "messages the network may deliver twice")
      ->capture_default_str();
  verb.add_option("--max-crashes", options.max_crashes, "replica crashes (each may restart)")
      ->capture_default_str();
  verb.add_option("--max-timeouts", options.max_timeouts,
                  "timer firings in all: the bound on time (view numbers, heartbeats)")
      ->capture_default_str();
}

// How the search runs: how deep and wide it may go, how it stores states, what it checks.
void add_search_options(CLI::App& verb, ExploreOptions& options) {
  verb.add_option("--max-depth", options.max_depth, "events from the initial state (no bound)");
  verb.add_option("--max-states", options.max_states, "stored states before giving up")
      ->capture_default_str();
  verb.add_option("--mode", options.mode,
                  "bfs (exact, shortest counterexample), dfs, or fingerprint (64-bit hashes: "
                  "less memory, may miss states)")
      ->check(CLI::IsMember({"bfs", "dfs", "fingerprint"}))
      ->capture_default_str();
  verb.add_flag("--liveness", options.liveness,
                "also check that every state can still finish once faults stop");
  verb.add_flag("!--no-progress", options.progress, "no progress line on stderr");
}

}  // namespace

void add_explore_verb(CommandLine& cli) {
  auto line = std::make_shared<ExploreCommandLine>();
  ExploreOptions& options = line->options;
  CLI::App* verb = cli.app().add_subcommand(
      "explore",
      "level 4: every interleaving of level 3's cluster up to a bound; exit 0 holds, 1 violated");
  verb->add_option("--variant", options.variant, "rule V4: first-release or fixed")
      ->check(CLI::IsMember({"first-release", "fixed"}))
      ->capture_default_str();
  add_bounds(*verb, options);
  add_search_options(*verb, options);
  verb->add_option("-o,--output", options.output,
                   "where to write the counterexample (default runs/4-explore-VARIANT/trace.jsonl)")
      ->type_name("FILE");
  add_color_option(*verb, line->color);
  cli.on_run(*verb, [line] { return run_explore(explore_options(*line)); });
}

namespace {

level4::Level3Config config_of(const ExploreOptions& options) {
  level4::Level3Config config;
  const auto variant = level3::parse_variant(options.variant);
  if (!variant) throw UsageError("--variant: expected first-release or fixed");
  config.variant = *variant;
  config.replicas = options.replicas;
  config.clients = options.clients;
  config.ops = options.ops;
  config.max_drops = options.max_drops;
  config.max_duplicates = options.max_duplicates;
  config.max_crashes = options.max_crashes;
  config.max_timeouts = options.max_timeouts;
  if (const std::string problem = config.problem(); !problem.empty()) {
    throw UsageError("--" + problem);
  }
  return config;
}

// The explorer's options from the command line's.
level4::Options search_of(const ExploreOptions& options) {
  level4::Options search;
  const auto mode = level4::parse_mode(options.mode);
  if (!mode) throw UsageError("--mode: expected bfs, dfs or fingerprint");
  search.mode = *mode;
  if (options.max_depth) search.max_depth = *options.max_depth;
  if (options.max_states < 1) throw UsageError("--max-states: expected at least 1");
  search.max_states = options.max_states;
  search.liveness = options.liveness;
  if (options.progress) search.progress = level4::stderr_progress();
  return search;
}

void print_path(const level4::Level3Model& model, const level4::Violation<level4::Level3Model>& v) {
  for (std::size_t i = 0; i < v.events.size(); ++i) {
    fmt::print("  {:>3}. {}\n", i + 1, model.describe(v.events[i]));
  }
  fmt::print("  state: {}\n", model.describe(v.states.back()));
}

}  // namespace

int run_explore(const ExploreOptions& options) {
  const level4::Level3Config config = config_of(options);
  const level4::Options search = search_of(options);
  const Painter painter(use_color(options.color, stdout));
  const level4::Level3Model model(config);
  fmt::print("{}\n",
             painter.paint(fmt::format("exploring level 3's cluster: {}", config.describe()),
                           styles::heading));
  std::fflush(stdout);
  const auto result = level4::explore(model, search);
  if (options.progress) std::cerr << '\n';
  fmt::print("{}", level4::format_summary(result.summary));
  const auto* found = result.violation  ? &*result.violation
                      : result.liveness ? &*result.liveness
                                        : nullptr;
  if (found == nullptr) {
    fmt::print("verdict       {}\n",
               painter.paint(result.summary.complete()
                                 ? "holds: every reachable state within the bounds is fine"
                                 : "holds so far: no violation in the states reached (the search "
                                   "was cut, see above)",
                             styles::good));
    return kExitOk;
  }
  fmt::print("verdict       {}\n", painter.paint(found->message, styles::bad));
  fmt::print("\n{} events from the initial state{}:\n", found->events.size(),
             search.mode == level4::Mode::dfs ? " (dfs: a path, not the shortest)"
                                              : " (the shortest path)");
  print_path(model, *found);
  const std::filesystem::path file = options.output.value_or(
      std::filesystem::path("runs") / fmt::format("4-explore-{}", options.variant) / "trace.jsonl");
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  const std::optional<std::string> stuck =
      found->kind == level4::ViolationKind::liveness ? std::optional(found->message) : std::nullopt;
  level4::save_schedule_trace(file, level4::record_schedule(model, found->events, stuck));
  std::filesystem::path picture = file;
  picture.replace_extension(".svg");
  fmt::print(
      "\nwrote {}\n  replay it: ladder replay {}\n  draw it:   ladder diagram trace {} -o {}\n",
      file.string(), file.string(), file.string(), picture.string());
  return kExitFailure;
}

}  // namespace ladder::tools
