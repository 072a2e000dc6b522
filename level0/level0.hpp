#pragma once
/// \file
/// Level 0 in two calls: the naive cast, and a run of it through a scenario.
///
/// Level 0's author believes that replication is easy: let every machine store the item at the
/// same time. See NaiveReplica and NaiveClient for what that means in code, and level0/README.md
/// for the commands that show where it breaks.

#include <cstdint>

#include "level0/harness.hpp"
#include "network/scenario.hpp"

namespace ladder::level0 {

/// NaiveReplica for every replica and NaiveClient for every client.
[[nodiscard]] Cast naive_cast();

/// Runs the naive counter through `scenario` with `seed` (run_counter with naive_cast()).
[[nodiscard]] RunResult run(const net::Scenario& scenario, std::uint64_t seed,
                            const RunOptions& options = {});

}  // namespace ladder::level0
