/// \file
/// `ladder demo LEVEL --scenario NAME --seed N`: one run, told as a story.

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tools/ladder/command_line.hpp"
#include "tools/ladder/levels.hpp"
#include "tools/ladder/scenario_files.hpp"
#include "tools/ladder/trace_log.hpp"
#include "tools/ladder/usage_error.hpp"
#include "tools/ladder/verbs.hpp"

namespace ladder::tools {

namespace {

// Prose is wrapped to this many columns.
constexpr std::size_t kWidth = 100;

// At most this many planned operations are shown per client; the log shows the rest.
constexpr std::size_t kPlannedOpsShown = 12;

// "1 client", "3 clients".
std::string count(int n, std::string_view noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

std::string percent(double probability) {
  return fmt::format("{:g}%", probability * 100.0);
}

std::string node_list(const std::vector<net::NodeId>& nodes, const net::Topology& topology) {
  std::vector<std::string> names;
  for (const net::NodeId node : nodes)
    names.push_back(topology.name(node));
  return fmt::format("{}", fmt::join(names, " "));
}

std::string describe_timeline_event(const net::TimelineEvent& event,
                                    const net::Topology& topology) {
  switch (event.kind) {
    case net::TimelineKind::partition: {
      std::vector<std::string> sides;
      for (const auto& group : event.groups)
        sides.push_back(node_list(group, topology));
      return fmt::format("{} ms partition {}", event.at_ms, fmt::join(sides, " | "));
    }
    case net::TimelineKind::cut:
      return fmt::format("{} ms cut {} -> {}", event.at_ms, node_list(event.from, topology),
                         node_list(event.to, topology));
    case net::TimelineKind::heal:
      return fmt::format("{} ms heal", event.at_ms);
    case net::TimelineKind::crash:
    case net::TimelineKind::restart:
      return fmt::format("{} ms {} {}", event.at_ms, net::to_string(event.kind),
                         topology.name(event.node));
  }
  return fmt::format("{} ms {}", event.at_ms, net::to_string(event.kind));
}

std::string describe_op(const net::PlannedOp& op) {
  return op.read ? std::string("read") : fmt::format("add({:+})", op.delta);
}

// "LOST 4", "DIVERGED": a finding as the table's cells name it (only LOST and DUPLICATED carry an
// amount there; the others say it in their evidence).
std::string finding_name(const spec::Finding& finding) {
  const bool has_amount =
      finding.kind == spec::FindingKind::lost || finding.kind == spec::FindingKind::duplicated;
  return has_amount ? fmt::format("{} {}", spec::to_string(finding.kind), finding.amount)
                    : std::string(spec::to_string(finding.kind));
}

void print_level(const Level& level, const Painter& painter) {
  fmt::print("{}\n", painter.paint(fmt::format("level {}: {}", level.number, level.title),
                                   styles::heading));
  fmt::print("  \"{}\"\n\n", level.belief);
}

void print_scenario(const net::Scenario& scenario, std::uint64_t seed, const Painter& painter) {
  const net::Topology topology = scenario.topology();
  const net::Workload& work = scenario.workload;
  const net::FaultPlan& faults = scenario.faults;
  fmt::print("{}\n", painter.paint(fmt::format("scenario {} (seed {})", scenario.name, seed),
                                   styles::heading));
  fmt::print("{}", wrap(scenario.description, kWidth, "  "));
  fmt::print("  topology  {}, {}\n", count(topology.replicas, "replica"),
             count(topology.clients, "client"));
  fmt::print("  workload  {} operations per client, deltas {}..{}, {} reads, think {}..{} ms\n",
             work.operations, work.delta_min, work.delta_max, percent(work.read_probability),
             work.think_min_ms, work.think_max_ms);
  fmt::print("  network   drop {}, duplicate {}, response loss {}, delay {}..{} ms\n",
             percent(faults.drop_probability), percent(faults.duplicate_probability),
             percent(faults.response_loss_probability), faults.delay_min_ms, faults.delay_max_ms);
  std::vector<std::string> timeline;
  for (const auto& event : faults.timeline) {
    timeline.push_back(describe_timeline_event(event, topology));
  }
  fmt::print("  timeline  {}\n",
             timeline.empty() ? "nothing scheduled" : fmt::format("{}", fmt::join(timeline, "; ")));
  fmt::print("  stuck     after {} ms without progress while a majority is up\n",
             scenario.stuck_after_ms);
  // The operations are drawn from the seed before the run, the same for every level.
  fmt::print("  drawn from seed {}:\n", seed);
  const auto plan = net::plan_workload(work, seed);
  for (std::size_t c = 0; c < plan.size(); ++c) {
    std::vector<std::string> ops;
    for (std::size_t i = 0; i < std::min(plan[c].size(), kPlannedOpsShown); ++i) {
      ops.push_back(describe_op(plan[c][i]));
    }
    if (plan[c].size() > kPlannedOpsShown) {
      ops.push_back(fmt::format("... ({} more)", plan[c].size() - kPlannedOpsShown));
    }
    fmt::print("    {}  {}\n", topology.name(topology.client(static_cast<int>(c))),
               fmt::join(ops, " "));
  }
  fmt::print("\n");
}

// `at_defaults`: the level runs with its default options, as the scenario files' expectations
// were measured.
void print_outcome(const DemoRun& run, const net::Scenario& scenario, std::uint64_t seed,
                   const Level& level, bool at_defaults, const Painter& painter) {
  const spec::Verdict& verdict = run.verdict;
  const fmt::text_style style = verdict.ok() ? styles::good : styles::bad;
  fmt::print("\n{} {}\n", painter.paint("verdict:", styles::heading),
             painter.paint(verdict.summary(), style));
  for (const spec::Finding& finding : verdict.findings) {
    fmt::print("  {}: {}\n", painter.paint(finding_name(finding), styles::bad), finding.evidence);
  }
  for (const std::string& note : run.notes)
    fmt::print("  {}\n", note);
  const auto expected = scenario.expect.find(fmt::format("level{}", level.number));
  if (expected != scenario.expect.end() && seed == scenario.seed && at_defaults) {
    const bool as_expected = expected->second == verdict.kinds();
    fmt::print("  the scenario file expects {} at this seed{}\n", fmt::join(expected->second, " "),
               as_expected ? "" : " (and this run differs!)");
  }
  if (run.stats) {
    const net::SimStats& s = *run.stats;
    fmt::print(
        "network: {} sent, {} delivered, {} dropped at random, {} cut by partitions, "
        "{} to a down node, {} duplicated, {} timers fired\n",
        s.sent, s.delivered, s.dropped, s.cut, s.to_down_node, s.duplicated, s.timers_fired);
  }
  if (run.digest) {
    fmt::print("digest: {:016x} (the same seed gives the same digest on every machine)\n",
               *run.digest);
  }
}

}  // namespace

int run_demo(const DemoOptions& options) {
  const Level* found = find_level(options.level);
  if (found == nullptr) {
    throw UsageError(
        fmt::format("unknown level {}; the levels are: {}", options.level, level_numbers()));
  }
  const Level chosen = select_options(select_variant(*found, options.variant), options.settings);
  const Level* level = &chosen;
  const net::Scenario scenario = find_scenario(options.scenario, options.scenarios_dir);
  const std::uint64_t seed = options.seed.value_or(scenario.seed);
  const Painter painter(use_color(options.color, stdout));
  const net::Topology topology = scenario.topology();

  if (!options.trace_only) {
    print_level(*level, painter);
    print_scenario(scenario, seed, painter);
    fmt::print("{}\n", painter.paint("the run", styles::heading));
  }
  const DemoRun run = level->demo(scenario, seed, [&](const net::TraceEvent& event) {
    fmt::print("{}\n",
               render_trace_line(event, topology, painter, level->describe, level->describe_timer));
  });
  if (!options.trace_only) {
    const bool at_defaults = std::all_of(
        level->options.begin(), level->options.end(), [&options](const LevelOption& option) {
          const auto given = options.settings.find(option.name);
          return given == options.settings.end() || given->second == option.values.front();
        });
    print_outcome(run, scenario, seed, *level, at_defaults, painter);
    // A scenario looked up in another folder needs that folder to run again.
    const std::string folder = options.scenarios_dir == default_scenarios_dir()
                                   ? std::string()
                                   : fmt::format(" --scenarios {}", options.scenarios_dir.string());
    const std::string variant =
        options.variant.empty() ? std::string() : fmt::format(" --variant {}", options.variant);
    fmt::print("{}: {}\n", level->runs_per_cell > 1 ? "run again" : "reproduce",
               painter.paint(fmt::format("./run demo {} --scenario {} --seed {}{}{}{}",
                                         level->number, options.scenario, seed, variant,
                                         settings_flags(options.settings), folder),
                             styles::heading));
    if (level->save_run) {
      const std::filesystem::path results =
          std::filesystem::relative(level->save_run(scenario, seed));
      fmt::print(
          "saved {0}/ (trace, history, verdict, diagram); replay: ./run replay "
          "{0}/trace.jsonl\n",
          results.string());
    }
  }
  return kExitOk;
}

namespace {

// `ladder demo`'s command line as CLI11 fills it, until the verb runs.
struct DemoCommandLine {
  DemoOptions options;
  std::string scenarios_dir = default_scenarios_dir().string();
  std::uint64_t seed = 0;
  CLI::Option* seed_option = nullptr;
  std::string color = "auto";
  // Each level's own options (levels.hpp, LevelOption): the value given, and whether it was.
  std::map<std::string, std::string> level_option_values;
  std::map<std::string, CLI::Option*> level_option_flags;
};

// Each level's own options, offered to every level; a level that does not take one says so when
// it runs.
void add_level_options(CLI::App& verb, DemoCommandLine& line) {
  for (const LevelOption& option : all_level_options()) {
    line.level_option_flags[option.name] =
        verb.add_option("--" + option.name, line.level_option_values[option.name],
                        fmt::format("{}: {}", option.help, fmt::join(option.values, " or ")))
            ->type_name("WORD");
  }
}

DemoOptions demo_options(const DemoCommandLine& line) {
  DemoOptions options = line.options;
  options.scenarios_dir = line.scenarios_dir;
  if (line.seed_option->count() > 0) options.seed = line.seed;
  options.color = color_mode(line.color);
  for (const auto& [name, flag] : line.level_option_flags) {
    if (flag->count() > 0) options.settings[name] = line.level_option_values.at(name);
  }
  return options;
}

}  // namespace

void add_demo_verb(CommandLine& cli) {
  auto line = std::make_shared<DemoCommandLine>();
  DemoOptions& options = line->options;
  CLI::App* verb = cli.app().add_subcommand(
      "demo", "run one level through one scenario and print the run as a readable log");
  verb->add_option("LEVEL", options.level, "the level to run (0, 1, ...)")->required();
  verb->add_option("--scenario", options.scenario,
                   "a scenario name (see `ladder scenarios`) or the path of a .json file")
      ->required();
  line->seed_option =
      add_seed_option(*verb, line->seed, "the run's seed (default: the scenario's own)");
  add_scenarios_option(*verb, line->scenarios_dir);
  add_color_option(*verb, line->color);
  verb->add_flag("--trace-only", options.trace_only,
                 "print only the log of the run, without the scenario and the verdict");
  verb->add_option(
          "--variant", options.variant,
          "for a level with variants (levels 2 and 3: first-release, fixed): which one to run")
      ->type_name("NAME");
  add_level_options(*verb, *line);
  cli.on_run(*verb, [line] { return run_demo(demo_options(*line)); });
}

}  // namespace ladder::tools
