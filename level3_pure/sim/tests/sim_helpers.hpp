#pragma once
/// \file
/// What the simulator's tests share: the monkey's default shape and a search for a failing seed.

#include <cstdint>
#include <optional>

#include "level3_pure/sim/sim.hpp"
#include "network/scenario.hpp"

namespace ladder::level3::test {

/// The scenario `ladder monkey 3` runs for `seed` with its default shape (3 replicas, 2 clients,
/// 10 operations each, STUCK after 10 s).
inline net::Scenario monkey(std::uint64_t seed) {
  net::Workload workload;
  workload.clients = 2;
  workload.operations = 10;
  workload.delta_min = 1;
  workload.delta_max = 5;
  workload.read_probability = 0.2;
  workload.think_max_ms = 40;
  net::Scenario scenario = net::monkey_scenario(seed, 3, workload);
  scenario.stuck_after_ms = 10'000;
  return scenario;
}

/// The first seed in [1, last] whose first-release run has a finding of `kind`.
inline std::optional<std::uint64_t> first_failing_seed(spec::FindingKind kind,
                                                       std::uint64_t last = 500) {
  for (std::uint64_t seed = 1; seed <= last; ++seed) {
    if (run_sim(make_spec(monkey(seed), seed, Variant::first_release)).verdict.has(kind)) {
      return seed;
    }
  }
  return std::nullopt;
}

}  // namespace ladder::level3::test
