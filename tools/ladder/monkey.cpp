/// \file
/// `ladder monkey LEVEL --runs N --seed S`: random fault plans, and the seeds that break the level.

#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "tools/ladder/command_line.hpp"
#include "tools/ladder/levels.hpp"
#include "tools/ladder/usage_error.hpp"
#include "tools/ladder/verbs.hpp"

namespace ladder::tools {

namespace {

// The workload every monkey scenario runs: small enough to read in a demo, busy enough that two
// clients overlap.
net::Workload monkey_workload(const MonkeyOptions& options) {
  net::Workload workload;
  workload.clients = options.clients;
  workload.operations = options.operations;
  workload.delta_min = 1;
  workload.delta_max = 5;
  workload.read_probability = 0.2;
  workload.think_min_ms = 0;
  workload.think_max_ms = 40;
  return workload;
}

void check_options(const MonkeyOptions& options) {
  if (find_level(options.level) == nullptr) {
    throw UsageError(
        fmt::format("unknown level {}; the levels are: {}", options.level, level_numbers()));
  }
  if (options.replicas < 1) throw UsageError("--replicas must be at least 1");
  if (options.clients < 1) throw UsageError("--clients must be at least 1");
  if (options.operations < 1) throw UsageError("--operations must be at least 1");
  if (options.runs < 1 && !options.print) throw UsageError("--runs must be at least 1");
}

// The options that shape the scenario, as flags, when they differ from the defaults: the
// reproduce line must rebuild the same scenario.
std::string shape_flags(const MonkeyOptions& options) {
  const MonkeyOptions defaults;
  std::string flags;
  if (options.replicas != defaults.replicas)
    flags += fmt::format(" --replicas {}", options.replicas);
  if (options.clients != defaults.clients) flags += fmt::format(" --clients {}", options.clients);
  if (options.operations != defaults.operations) {
    flags += fmt::format(" --operations {}", options.operations);
  }
  return flags;
}

net::Scenario scenario_for(const MonkeyOptions& options, std::uint64_t seed) {
  net::Scenario scenario = net::monkey_scenario(seed, options.replicas, monkey_workload(options));
  // A level may judge STUCK with a threshold of its own (Level::monkey_stuck_after_ms).
  const Level* level = find_level(options.level);
  if (level != nullptr && level->monkey_stuck_after_ms) {
    scenario.stuck_after_ms = *level->monkey_stuck_after_ms;
  }
  return scenario;
}

// `./run monkey 0 --seed 12 --print --output scenarios/monkey-12.json`: the command that saves a
// monkey scenario, so that the demo can replay it by name.
std::string save_command(const MonkeyOptions& options, const std::string& seed) {
  return fmt::format("./run monkey {} --seed {}{} --print --output scenarios/monkey-{}.json",
                     options.level, seed, shape_flags(options), seed);
}

int print_scenario(const MonkeyOptions& options) {
  const std::string text = net::to_json(scenario_for(options, options.seed)).dump(2) + "\n";
  if (!options.output) {
    fmt::print("{}", text);
    return kExitOk;
  }
  std::ofstream out(*options.output, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    throw std::runtime_error(fmt::format("cannot write {}", options.output->string()));
  }
  fmt::print("wrote {}\n", options.output->string());
  return kExitOk;
}

// One failing seed of the first pass, with what it found.
struct Failure {
  std::uint64_t seed = 0;
  std::string cell;  // "LOST 3 DIVERGED"
};

// For a level whose runs differ from one another (real threads): runs each failing seed again
// `reruns` times and prints how often it fails again. The table is the lesson: a seed fixes the
// plan, not the run.
void rerun_failures(const Level& level, const MonkeyOptions& options,
                    const std::vector<Failure>& failures, const Painter& painter, bool progress) {
  if (failures.empty() || options.reruns < 1) return;
  fmt::print("\nrunning every failing seed {} more times (same scenario, same seed):\n",
             options.reruns);
  fmt::print("  {:>6}  {:<24}  {:>10}  {}\n", "seed", "first run", "fails again", "verdicts");
  for (const Failure& failure : failures) {
    int again = 0;
    std::map<std::string, int> seen;  // cell -> runs
    for (int r = 0; r < options.reruns; ++r) {
      if (progress) {
        fmt::print(stderr, "\r  seed {} rerun {}/{}", failure.seed, r + 1, options.reruns);
      }
      try {
        const spec::Verdict verdict =
            level.verdict(scenario_for(options, failure.seed), failure.seed);
        ++seen[verdict.cell()];
        if (!verdict.ok()) ++again;
      } catch (const std::exception& error) {
        ++seen[fmt::format("error: {}", error.what())];
      }
    }
    if (progress) fmt::print(stderr, "\r\033[K");
    std::vector<std::string> cells;
    for (const auto& [cell, count] : seen)
      cells.push_back(fmt::format("{} x{}", cell, count));
    const std::string ratio = fmt::format("{}/{}", again, options.reruns);
    fmt::print("  {:>6}  {:<24}  {:>10}  {}\n", failure.seed, failure.cell,
               painter.paint(ratio, again == 0 ? styles::good : styles::bad),
               fmt::join(cells, ", "));
  }
  fmt::print(
      "a seed fixes the fault plan, not the run: which datagram the scheduler delivers first "
      "differs every time.\n");
}

// For a level whose runs replay bit for bit (it can save a run): runs the first failing seed twice
// more to show that it fails the same way with the same digest, saves its results folder, and
// prints the commands that take the failure further.
void replay_first_failure(const Level& level, const MonkeyOptions& options,
                          const std::vector<Failure>& failures, const Painter& painter) {
  if (failures.empty() || !level.save_run) return;
  const std::uint64_t seed = failures.front().seed;
  const net::Scenario scenario = scenario_for(options, seed);
  const auto quiet = [](const net::TraceEvent&) {};
  const DemoRun first = level.demo(scenario, seed, quiet);
  const DemoRun second = level.demo(scenario, seed, quiet);
  const bool same = first.digest && first.digest == second.digest &&
                    first.verdict.summary() == second.verdict.summary();
  fmt::print("\nthe first failing seed is {}: {}\n", seed,
             painter.paint(first.verdict.summary(), styles::bad));
  fmt::print("  run twice more: {}, digest {:016x} both times\n",
             painter.paint(same ? "the same failure" : "A DIFFERENT RUN",
                           same ? styles::good : styles::bad),
             first.digest.value_or(0));
  const std::filesystem::path folder = std::filesystem::relative(level.save_run(scenario, seed));
  fmt::print(
      "  saved {0}/ (trace, history, verdict, diagram)\n"
      "  replay it: ./run replay {0}/trace.jsonl\n"
      "  shrink it: ./run shrink {0}/trace.jsonl -o {0}/shrunk.jsonl\n"
      "  draw it:   ./run diagram trace {0}/shrunk.jsonl -o {0}/shrunk.svg\n",
      folder.string());
}

}  // namespace

int run_monkey(const MonkeyOptions& options) {
  check_options(options);
  if (options.print) return print_scenario(options);
  const Level level = select_variant(*find_level(options.level), options.variant);
  const Painter painter(use_color(options.color, stdout));
  const bool progress = is_terminal(stderr);
  const auto started = std::chrono::steady_clock::now();
  std::vector<Failure> failures;

  std::uint64_t failed = 0;
  std::uint64_t errors = 0;
  std::map<std::string, std::uint64_t> by_kind;  // "LOST" -> runs that found it
  for (std::uint64_t i = 0; i < options.runs; ++i) {
    const std::uint64_t seed = options.seed + i;
    if (progress) {
      constexpr std::uint64_t kBar = 30;
      const std::uint64_t filled = kBar * i / options.runs;
      fmt::print(stderr, "\r  [{}{}] run {}/{}  seed {}  {} failed", std::string(filled, '#'),
                 std::string(kBar - filled, '.'), i + 1, options.runs, seed, failed);
    }
    try {
      const spec::Verdict verdict = level.verdict(scenario_for(options, seed), seed);
      if (verdict.ok()) continue;
      ++failed;
      failures.push_back(Failure{seed, verdict.cell()});
      for (const std::string& kind : verdict.kinds())
        ++by_kind[kind];
      if (progress) fmt::print(stderr, "\r\033[K");
      fmt::print("seed {}: {}\n", seed, painter.paint(verdict.summary(), styles::bad));
    } catch (const std::exception& error) {
      ++errors;
      if (progress) fmt::print(stderr, "\r\033[K");
      fmt::print("seed {}: could not run: {}\n", seed, error.what());
    }
  }
  if (progress) fmt::print(stderr, "\r\033[K");

  std::vector<std::string> kinds;
  for (const auto& [kind, count] : by_kind)
    kinds.push_back(fmt::format("{} {}", kind, count));
  fmt::print("\nlevel {}: {} of {} monkey runs failed (seeds {}..{}){}\n", level.number, failed,
             options.runs, options.seed, options.seed + options.runs - 1,
             kinds.empty() ? std::string() : fmt::format(": {}", fmt::join(kinds, ", ")));
  if (level.runs_per_cell > 1) rerun_failures(level, options, failures, painter, progress);
  replay_first_failure(level, options, failures, painter);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  fmt::print("wall time {:.1f} s\n", seconds.count());
  if (failed > 0) {
    const std::string variant =
        options.variant.empty() ? std::string() : fmt::format(" --variant {}", options.variant);
    fmt::print(
        "to see a failing seed S, save its scenario and run the demo on it:\n  {}\n"
        "  ./run demo {} --scenario monkey-S --seed S{}\n",
        save_command(options, "S"), level.number, variant);
  }
  return errors == 0 ? kExitOk : kExitFailure;
}

namespace {

// `ladder monkey`'s command line as CLI11 fills it, until the verb runs.
struct MonkeyCommandLine {
  MonkeyOptions options;
  std::string output;
  std::string color = "auto";
};

// How many runs, from which seed, and what each random scenario holds.
void add_plan_options(CLI::App& verb, MonkeyOptions& options) {
  verb.add_option("--runs", options.runs, "how many random scenarios to run")
      ->check(digits())
      ->capture_default_str();
  verb.add_option("--seed", options.seed, "the first seed; the runs use seed, seed+1, ...")
      ->check(digits())
      ->type_name("N")
      ->capture_default_str();
  verb.add_option("--replicas", options.replicas, "replicas per scenario")->capture_default_str();
  verb.add_option("--clients", options.clients, "clients per scenario")->capture_default_str();
  verb.add_option("--operations", options.operations, "operations per client")
      ->capture_default_str();
}

MonkeyOptions monkey_options(const MonkeyCommandLine& line) {
  MonkeyOptions options = line.options;
  if (!line.output.empty()) options.output = line.output;
  options.color = color_mode(line.color);
  return options;
}

}  // namespace

void add_monkey_verb(CommandLine& cli) {
  auto line = std::make_shared<MonkeyCommandLine>();
  MonkeyOptions& options = line->options;
  CLI::App* verb = cli.app().add_subcommand(
      "monkey", "run a level through many random fault plans and list the seeds that break it");
  verb->add_option("LEVEL", options.level, "the level to run (0, 1, ...)")->required();
  add_plan_options(*verb, options);
  CLI::Option* print = verb->add_flag(
      "--print", options.print, "only print the scenario of --seed as JSON, to save in scenarios/");
  verb->add_option("--output", line->output, "with --print: write the JSON to this file")
      ->needs(print)
      ->type_name("FILE");
  verb->add_option(
          "--variant", options.variant,
          "for a level with variants (levels 2 and 3: first-release, fixed): which one to run")
      ->type_name("NAME");
  verb->add_option("--reruns", options.reruns,
                   "for a level on real threads: how often each failing seed is run again")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  add_color_option(*verb, line->color);
  cli.on_run(*verb, [line] { return run_monkey(monkey_options(*line)); });
}

}  // namespace ladder::tools
