/// \file
/// Level 3's simulator, measured: simulated events per second on the standard scenario, the
/// 10,000-seed monkey sweep's seeds per second and wall time, and the time compression against
/// level 2, which runs the same scenario and seed in real time on threads and UDP. One core: the
/// simulator is single threaded. The figures go to bench/RESULTS.md.
///
///   cmake --preset release -B build/release && cmake --build build/release --target
///   ladder_bench_level3 build/release/bench/ladder_bench_level3 --runs 3000 --sweep 10000
///   --level2-runs 5

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "level2_async/run.hpp"
#include "level3_pure/sim/sim.hpp"
#include "network/scenario.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using ladder::level3::Variant;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The workload and STUCK threshold of `ladder monkey 3` (tools/ladder/monkey.cpp, levels.cpp).
ladder::net::Scenario monkey(std::uint64_t seed) {
  ladder::net::Workload workload;
  workload.clients = 2;
  workload.operations = 10;
  workload.delta_min = 1;
  workload.delta_max = 5;
  workload.read_probability = 0.2;
  workload.think_max_ms = 40;
  ladder::net::Scenario scenario = ladder::net::monkey_scenario(seed, 3, workload);
  scenario.stuck_after_ms = 10'000;
  return scenario;
}

struct Throughput {
  double seconds = 0;
  std::uint64_t events = 0;
  std::uint64_t runs = 0;
  ladder::net::Time virtual_ms = 0;  // the last run's length in virtual time
};

// `runs` runs of the scenario at seeds seed, seed+1, ...: no observer, as in a monkey sweep.
Throughput simulate(const ladder::net::Scenario& scenario, std::uint64_t runs, Variant variant) {
  Throughput out;
  const auto start = Clock::now();
  for (std::uint64_t i = 0; i < runs; ++i) {
    const auto result =
        ladder::level3::run_sim(ladder::level3::make_spec(scenario, scenario.seed + i, variant));
    out.events += result.events;
    out.virtual_ms = result.record.end;
  }
  out.seconds = seconds_since(start);
  out.runs = runs;
  return out;
}

void sweep(std::uint64_t seeds, Variant variant) {
  std::uint64_t failed = 0;
  std::uint64_t events = 0;
  std::uint64_t first = 0;
  const auto start = Clock::now();
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    const auto result =
        ladder::level3::run_sim(ladder::level3::make_spec(monkey(seed), seed, variant));
    events += result.events;
    if (!result.verdict.ok() && failed++ == 0) first = seed;
  }
  const double wall = seconds_since(start);
  fmt::print("sweep {:<13}  {} seeds in {:.2f} s: {:.0f} seeds/s, {:.2f} M events/s; {} failed{}\n",
             ladder::level3::to_string(variant), seeds, wall, static_cast<double>(seeds) / wall,
             static_cast<double>(events) / wall / 1e6, failed,
             failed > 0 ? fmt::format(" (first: seed {})", first) : std::string());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Level 3's simulator: events/s, the monkey sweep, and time compression vs level 2"};
  std::string scenario_name = "lossy";
  std::uint64_t runs = 3000;
  std::uint64_t sweep_seeds = 10'000;
  std::uint64_t level2_runs = 5;
  app.add_option("--scenario", scenario_name, "the standard scenario (a name in scenarios/)")
      ->capture_default_str();
  app.add_option("--runs", runs, "simulated runs of the standard scenario")->capture_default_str();
  app.add_option("--sweep", sweep_seeds, "monkey seeds per variant (0: skip)")
      ->capture_default_str();
  app.add_option("--level2-runs", level2_runs, "real-time level 2 runs to compare (0: skip)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const auto scenario = ladder::net::load_scenario(std::filesystem::path(LADDER_SOURCE_DIR) /
                                                   "scenarios" / (scenario_name + ".json"));
  const Throughput sim = simulate(scenario, runs, Variant::fixed);
  const double per_run_s = sim.seconds / static_cast<double>(sim.runs);
  fmt::print("standard scenario {}: {} runs, {} events in {:.3f} s: {:.2f} M simulated events/s\n",
             scenario.name, sim.runs, sim.events, sim.seconds,
             static_cast<double>(sim.events) / sim.seconds / 1e6);
  fmt::print("  one run: {:.3f} ms of wall time for {} ms of virtual time\n", per_run_s * 1e3,
             sim.virtual_ms);

  if (sweep_seeds > 0) {
    sweep(sweep_seeds, Variant::first_release);
    sweep(sweep_seeds, Variant::fixed);
  }

  if (level2_runs > 0) {
    // The same scenario, the same seeds, run by level 2 on real threads and UDP.
    const auto start = Clock::now();
    for (std::uint64_t i = 0; i < level2_runs; ++i) {
      ladder::level2::RunOptions options;
      options.variant = ladder::level2::Variant::fixed;
      (void)ladder::level2::run(scenario, scenario.seed + i, options);
    }
    const double level2_per_run_s = seconds_since(start) / static_cast<double>(level2_runs);
    fmt::print(
        "time compression on {}: level 2 {:.1f} ms per run (real time, {} runs), level 3 {:.3f} "
        "ms per run: {:.0f}x\n",
        scenario.name, level2_per_run_s * 1e3, level2_runs, per_run_s * 1e3,
        level2_per_run_s / per_run_s);
  }
  return 0;
}
