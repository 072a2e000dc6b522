#pragma once
/// \file
/// `ladder explore`: level 4, every interleaving of level 3's cluster up to a bound
/// (level4_explore/), and the replay of the counterexample it writes.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "tools/ladder/terminal.hpp"

namespace ladder::tools {

class CommandLine;

/// The options of `ladder explore`.
struct ExploreOptions {
  std::string variant = "first-release";   ///< rule V4's variant
  int replicas = 3;                        ///< n
  int clients = 1;                         ///< clients
  int ops = 1;                             ///< adds per client
  int max_drops = 1;                       ///< messages lost
  int max_duplicates = 0;                  ///< messages delivered twice
  int max_crashes = 0;                     ///< replica crashes
  int max_timeouts = 1;                    ///< timer firings: the bound on time
  std::optional<std::uint32_t> max_depth;  ///< events from the initial state
  std::uint64_t max_states = 20'000'000;   ///< stored states before the search gives up
  std::string mode = "bfs";                ///< bfs, dfs or fingerprint
  bool liveness = false;                   ///< also check EF done without faults
  bool progress = true;                    ///< the progress line on stderr
  /// Where the counterexample goes; by default runs/4-explore-VARIANT/trace.jsonl.
  std::optional<std::filesystem::path> output;
  ColorMode color = ColorMode::automatic;  ///< --color
};

/// Adds the `explore` verb and its options to the command line: it runs run_explore().
void add_explore_verb(CommandLine& cli);

/// Explores and prints the summary: exit 0 when every invariant holds within the bounds, 1 when
/// one is broken (the counterexample is written and the commands to replay and draw it printed).
/// Throws UsageError for a bad variant, mode or bound.
int run_explore(const ExploreOptions& options);

}  // namespace ladder::tools
