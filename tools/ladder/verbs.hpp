#pragma once
/// \file
/// The verbs of the ladder CLI, two functions each: `add_VERB_verb()` registers the verb's options
/// on the command line (command_line.hpp) and turns them into the verb's options struct, and
/// `run_VERB()` runs it. Each verb prints to stdout (progress to stderr), returns an exit code (see
/// usage_error.hpp) and throws UsageError for an argument it cannot use.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "tools/ladder/terminal.hpp"

namespace ladder::tools {

class CommandLine;

/// `ladder tour [--seed N]`.
struct TourOptions {
  std::filesystem::path scenarios_dir;  ///< where the scenarios are
  std::optional<std::uint64_t> seed;    ///< one seed for every run; each scenario's own when empty
  std::vector<int> levels;  ///< --level: only these levels' rows; every level when empty
  ColorMode color = ColorMode::automatic;  ///< --color
};

/// Runs every level against every scenario and prints the table of verdicts, a legend and how to
/// see one cell in detail. 0 when every run ran (broken levels are the lesson), 1 when some could
/// not.
int run_tour(const TourOptions& options);

/// Adds `ladder tour` and its options to the command line: it runs run_tour().
void add_tour_verb(CommandLine& cli);

/// `ladder demo LEVEL --scenario NAME [--seed N] [--color ...] [--trace-only]`.
struct DemoOptions {
  int level = 0;                           ///< the level to run
  std::string scenario;                    ///< a scenario name or the path of a .json file
  std::filesystem::path scenarios_dir;     ///< where scenario names are looked up
  std::optional<std::uint64_t> seed;       ///< the run's seed; the scenario's own when empty
  ColorMode color = ColorMode::automatic;  ///< --color
  bool trace_only = false;                 ///< print only the log, nothing before or after it
  std::string variant;  ///< --variant: one of the level's variants; "" for its default
  /// The level's own options as given ({"retry": "never"}); see LevelOption in levels.hpp.
  std::map<std::string, std::string> settings;
};

/// Runs one level through one scenario and prints the scenario, the drawn workload, the log of
/// the run, the verdict with its evidence, the digest and the command that reproduces it.
int run_demo(const DemoOptions& options);

/// Adds `ladder demo`, with every level's own options (levels.hpp), to the command line: it runs
/// run_demo().
void add_demo_verb(CommandLine& cli);

/// `ladder scenarios [--show NAME]`.
struct ScenariosOptions {
  std::filesystem::path scenarios_dir;  ///< where the scenarios are
  std::optional<std::string> show;      ///< print this scenario's file instead of the list
};

/// Lists the scenarios with their descriptions, seeds and expected verdicts, or prints one file.
int run_scenarios(const ScenariosOptions& options);

/// Adds `ladder scenarios` and its options to the command line: it runs run_scenarios().
void add_scenarios_verb(CommandLine& cli);

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
  std::string variant;  ///< --variant: one of the level's variants; "" for its default
  /// For a level whose runs differ (runs_per_cell > 1): how many times each failing seed is run
  /// again, to show how rarely it reproduces.
  int reruns = 5;
};

/// Runs `runs` random scenarios on one level and reports each failing seed with its verdict and a
/// summary; with `print`, prints the scenario of `seed` as a file the scenarios folder accepts.
/// 0 when every run ran (failures found are the point), 1 when some could not.
int run_monkey(const MonkeyOptions& options);

/// Adds `ladder monkey` and its options to the command line: it runs run_monkey().
void add_monkey_verb(CommandLine& cli);

/// `ladder replay FILE`.
struct ReplayOptions {
  std::filesystem::path trace;             ///< the trace file to run again
  bool print = false;                      ///< also print the log of the run
  ColorMode color = ColorMode::automatic;  ///< --color
};

/// Runs a level 3 trace file again and checks the run bit for bit: 0 when the digest and every
/// event are as recorded, 1 when they differ (the first differing event is named).
int run_replay(const ReplayOptions& options);

/// Adds `ladder replay` and its options to the command line: it runs run_replay().
void add_replay_verb(CommandLine& cli);

/// `ladder shrink FILE [-o OUT] [--max-runs N]`.
struct ShrinkOptions {
  std::filesystem::path trace;                  ///< the failing run's trace file
  std::optional<std::filesystem::path> output;  ///< where the shrunk trace goes; FILE.shrunk.jsonl
  std::size_t max_runs = 3000;                  ///< the most candidate runs to try
  ColorMode color = ColorMode::automatic;       ///< --color
};

/// Shrinks a failing level 3 run (delta debugging over its random faults, timeline and
/// operations) to a small run with the same kind of finding, writes its trace and prints it.
int run_shrink(const ShrinkOptions& options);

/// Adds `ladder shrink` and its options to the command line: it runs run_shrink().
void add_shrink_verb(CommandLine& cli);

/// `ladder diagram trace FILE -o OUT` and `ladder diagram roles -o OUT`.
struct DiagramOptions {
  std::string what;                            ///< "trace" or "roles"
  std::optional<std::filesystem::path> trace;  ///< with "trace": the trace file
  std::filesystem::path output;                ///< .svg, .png, .pdf (Graphviz) or .dot
  std::size_t max_events = 600;                ///< the most events a Lamport diagram draws
  bool timers = false;                         ///< draw timers too
};

/// Draws a level 3 trace as a Lamport diagram, or the role table of level 3's core.
int run_diagram(const DiagramOptions& options);

/// Adds `ladder diagram trace`, `roles` and `states` to the command line: they run run_diagram()
/// and run_diagram_states() (diagram_states.hpp).
void add_diagram_verb(CommandLine& cli);

/// `ladder linearizable HISTORY.jsonl [--model counter|register] [-o picture.html]`.
struct LinearizableOptions {
  std::filesystem::path history;                ///< the history, JSON lines (history_jsonl.hpp)
  std::string model = "counter";                ///< "counter" or "register"
  std::optional<std::filesystem::path> output;  ///< where to write the HTML picture
};

/// Checks a recorded history for linearizability against a sequential model and explains a
/// failure. 0 when linearizable, 1 when not; UsageError (exit 2) for a file it cannot read.
int run_linearizable(const LinearizableOptions& options);

/// Adds `ladder linearizable` and its options to the command line: it runs run_linearizable().
void add_linearizable_verb(CommandLine& cli);

}  // namespace ladder::tools
