#pragma once
/// \file
/// The level registry: one row per level of the workbook. The tour, the demo and the monkey know
/// the levels only through this table, so a new level joins all of them by adding one entry to
/// levels() in levels.cpp.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "counter_spec/checkers.hpp"
#include "network/scenario.hpp"
#include "network/sim_network.hpp"

namespace ladder::tools {

/// Receives every trace event of a demo run, as it happens.
using TraceObserver = std::function<void(const net::TraceEvent&)>;

/// What a demo run reports besides its trace.
struct DemoRun {
  spec::Verdict verdict;                ///< the checkers' findings
  std::optional<std::uint64_t> digest;  ///< the run's digest, for a level that replays bit for bit
  std::optional<net::SimStats> stats;   ///< what the network did, when the level can tell
  /// Lines the level adds under the verdict, for what the checkers cannot judge ("2 adds ended
  /// info: the client can never learn whether they happened"); may be empty. (The initializer
  /// keeps `DemoRun{verdict, digest, stats}` free of missing-initializer warnings.)
  std::vector<std::string> notes{};
};

/// An option a level's demo takes besides the common ones, such as level 1's `--retry never`.
/// Each option is a choice among a few words; the tour and the monkey run the default.
struct LevelOption {
  std::string name;                 ///< the flag without its dashes: "retry"
  std::string help;                 ///< what it changes, one line for --help
  std::vector<std::string> values;  ///< the words it accepts, the default first
};

/// Level options as given on a command line, by name: {"retry": "never"}.
using LevelSettings = std::map<std::string, std::string>;

/// One level of the workbook, as the CLI runs it.
struct Level {
  int number = 0;      ///< 0, 1, 2, ...: what `ladder demo N` takes
  std::string title;   ///< a few words: "naive replication"
  std::string belief;  ///< what the level's author believes, in one sentence
  /// Runs the level through a scenario with a seed and returns the verdict (the tour, the monkey).
  std::function<spec::Verdict(const net::Scenario& scenario, std::uint64_t seed)> verdict;
  /// The same run, reporting every trace event to the observer as it happens (the demo).
  std::function<DemoRun(const net::Scenario& scenario, std::uint64_t seed,
                        const TraceObserver& observer)>
      demo;
  /// Renders a message payload for the log; empty when payloads are readable as they are.
  std::function<std::string(std::string_view payload)> describe;
  /// Names a timer from its tag as the trace prints it ("2" -> "reply timeout"); may be empty.
  std::function<std::string(std::string_view tag)> describe_timer;
  /// How many runs the tour makes per scenario. 1 for a level whose runs replay exactly; more for
  /// a level on real threads, where one run proves nothing and a cell shows frequencies
  /// ("ok 9/10, LOST 1/10").
  int runs_per_cell = 1;
  /// The level's variants by name, the default first ("first-release", "fixed"); empty when the
  /// level has only one.
  std::vector<std::string> variants;
  /// The same level running `variant`, one of `variants`; empty when the level has none.
  std::function<Level(const std::string& variant)> with_variant;
  /// The options the level's demo takes (see LevelOption); empty when it takes none.
  std::vector<LevelOption> options;
  /// The same level with `settings` applied: every name is one of `options`, every value one of
  /// that option's values. Empty when the level has no options.
  std::function<Level(const LevelSettings& settings)> with_options;
  /// The STUCK threshold of the monkey's scenarios for this level; nullopt keeps the scenario's
  /// own. (Level 3's clients try the replicas in turn, so under heavy random loss they may
  /// legitimately wait seconds; its liveness phase is the sharper test.)
  std::optional<net::Time> monkey_stuck_after_ms;
  /// Runs once more while recording, and writes the run's results folder (trace, history,
  /// verdict, diagram) under `runs/` in the current directory (the checkout's root, for ./run);
  /// returns the folder. Empty for a level without one.
  std::function<std::filesystem::path(const net::Scenario& scenario, std::uint64_t seed)> save_run;
};

/// Every level, in order of number.
[[nodiscard]] const std::vector<Level>& levels();

/// The level numbered `number`, or nullptr when there is none.
[[nodiscard]] const Level* find_level(int number);

/// `level` running `variant` ("" for its default). Throws UsageError naming the level's variants
/// when it has no such variant.
[[nodiscard]] Level select_variant(const Level& level, const std::string& variant);

/// `level` with `settings` applied (the level itself when they are empty). Throws UsageError when
/// the level has no option of a given name, or the value is not one the option accepts; the
/// message lists what would have been accepted.
[[nodiscard]] Level select_options(const Level& level, const LevelSettings& settings);

/// Every option of every level, each name once (as the lowest level declares it), so that the
/// demo's command line can offer them all.
[[nodiscard]] std::vector<LevelOption> all_level_options();

/// " --retry never": the settings as command-line flags, in name order, for a line that runs the
/// demo again.
[[nodiscard]] std::string settings_flags(const LevelSettings& settings);

/// "0" or "0, 1, 2": the numbers of the registered levels, for error messages.
[[nodiscard]] std::string level_numbers();

}  // namespace ladder::tools
