/// \file
/// `ladder monkey LEVEL --runs N --seed S`: random fault plans, and the seeds that break the level.

#include <exception>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

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
  return net::monkey_scenario(seed, options.replicas, monkey_workload(options));
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

}  // namespace

int run_monkey(const MonkeyOptions& options) {
  check_options(options);
  if (options.print) return print_scenario(options);
  const Level& level = *find_level(options.level);
  const Painter painter(use_color(options.color, stdout));
  const bool progress = is_terminal(stderr);

  std::uint64_t failed = 0;
  std::uint64_t errors = 0;
  std::map<std::string, std::uint64_t> by_kind;  // "LOST" -> runs that found it
  for (std::uint64_t i = 0; i < options.runs; ++i) {
    const std::uint64_t seed = options.seed + i;
    if (progress) {
      fmt::print(stderr, "\r  run {}/{}  seed {}  {} failed", i + 1, options.runs, seed, failed);
    }
    try {
      const spec::Verdict verdict = level.verdict(scenario_for(options, seed), seed);
      if (verdict.ok()) continue;
      ++failed;
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
  if (failed > 0) {
    fmt::print(
        "to see a failing seed S, save its scenario and run the demo on it:\n  {}\n"
        "  ./run demo {} --scenario monkey-S --seed S\n",
        save_command(options, "S"), level.number);
  }
  return errors == 0 ? kExitOk : kExitFailure;
}

}  // namespace ladder::tools
