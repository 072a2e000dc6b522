#pragma once
/// \file
/// The verbs of the ladder CLI, one function each. main.cpp turns the command line into these
/// options; each verb prints to stdout (progress to stderr), returns an exit code (see
/// usage_error.hpp) and throws UsageError for an argument it cannot use.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "tools/ladder/terminal.hpp"

namespace ladder::tools {

/// `ladder tour [--seed N]`.
struct TourOptions {
  std::filesystem::path scenarios_dir;  ///< where the scenarios are
  std::optional<std::uint64_t> seed;    ///< one seed for every run; each scenario's own when empty
  ColorMode color = ColorMode::automatic;  ///< --color
};

/// Runs every level against every scenario and prints the table of verdicts, a legend and how to
/// see one cell in detail. 0 when every run ran (broken levels are the lesson), 1 when some could
/// not.
int run_tour(const TourOptions& options);

/// `ladder demo LEVEL --scenario NAME [--seed N] [--color ...] [--trace-only]`.
struct DemoOptions {
  int level = 0;                           ///< the level to run
  std::string scenario;                    ///< a scenario name or the path of a .json file
  std::filesystem::path scenarios_dir;     ///< where scenario names are looked up
  std::optional<std::uint64_t> seed;       ///< the run's seed; the scenario's own when empty
  ColorMode color = ColorMode::automatic;  ///< --color
  bool trace_only = false;                 ///< print only the log, nothing before or after it
};

/// Runs one level through one scenario and prints the scenario, the drawn workload, the log of
/// the run, the verdict with its evidence, the digest and the command that reproduces it.
int run_demo(const DemoOptions& options);

/// `ladder scenarios [--show NAME]`.
struct ScenariosOptions {
  std::filesystem::path scenarios_dir;  ///< where the scenarios are
  std::optional<std::string> show;      ///< print this scenario's file instead of the list
};

/// Lists the scenarios with their descriptions, seeds and expected verdicts, or prints one file.
int run_scenarios(const ScenariosOptions& options);

/// `ladder monkey LEVEL --runs N --seed S [--print]`.
struct MonkeyOptions {
  int level = 0;             ///< the level to run
  std::uint64_t runs = 100;  ///< how many monkey scenarios to run
  std::uint64_t seed = 1;    ///< the first seed; runs use seed, seed + 1, ...
  int replicas = 3;          ///< replicas of every monkey scenario
  int clients = 2;           ///< clients of every monkey scenario
  int operations = 10;       ///< operations per client
  bool print = false;        ///< only print the monkey scenario for `seed` as JSON
  std::optional<std::filesystem::path> output;  ///< with `print`: write it to this file instead
  ColorMode color = ColorMode::automatic;       ///< --color
};

/// Runs `runs` random scenarios on one level and reports each failing seed with its verdict and a
/// summary; with `print`, prints the scenario of `seed` as a file the scenarios folder accepts.
/// 0 when every run ran (failures found are the point), 1 when some could not.
int run_monkey(const MonkeyOptions& options);

}  // namespace ladder::tools
