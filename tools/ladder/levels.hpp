#pragma once
/// \file
/// The level registry: one row per level of the workbook. The tour, the demo and the monkey know
/// the levels only through this table, so a new level joins all of them by adding one entry to
/// levels() in levels.cpp.

#include <cstdint>
#include <functional>
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
};

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
};

/// Every level, in order of number.
[[nodiscard]] const std::vector<Level>& levels();

/// The level numbered `number`, or nullptr when there is none.
[[nodiscard]] const Level* find_level(int number);

/// "0" or "0, 1, 2": the numbers of the registered levels, for error messages.
[[nodiscard]] std::string level_numbers();

}  // namespace ladder::tools
