// Level 2's monkey in real time: how many random-fault runs a minute buys. Each run is one monkey
// scenario (network/monkey.cpp, the workload of `ladder monkey`: 3 replicas, 2 clients of 10
// operations) on real threads and real UDP, so the figure is bounded by the scenario's own time,
// not by the CPU. It is the baseline that level 3's deterministic simulator must beat by orders of
// magnitude.
//
//   cmake --preset release && cmake --build build/release --target ladder_bench_level2
//   build/release/bench/ladder_bench_level2 --runs 30 --seed 1
//
// RESULTS.md has the figures.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "level2_async/run.hpp"
#include "network/scenario.hpp"

namespace {

// The workload of `ladder monkey` (tools/ladder/monkey.cpp), so that the figure is the monkey's.
ladder::net::Workload monkey_workload() {
  ladder::net::Workload workload;
  workload.clients = 2;
  workload.operations = 10;
  workload.delta_min = 1;
  workload.delta_max = 5;
  workload.read_probability = 0.2;
  workload.think_min_ms = 0;
  workload.think_max_ms = 40;
  return workload;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Level 2's monkey runs per minute, in real time"};
  std::uint64_t runs = 30;
  std::uint64_t seed = 1;
  std::string variant_name = "first-release";
  app.add_option("--runs", runs, "how many monkey scenarios to run")->capture_default_str();
  app.add_option("--seed", seed, "the first seed; the runs use seed, seed+1, ...")
      ->capture_default_str();
  app.add_option("--variant", variant_name, "first-release or fixed")
      ->check(CLI::IsMember({"first-release", "fixed"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (runs == 0) runs = 1;

  ladder::level2::RunOptions options;
  options.variant = *ladder::level2::parse_variant(variant_name);
  std::vector<double> seconds;
  std::uint64_t failed = 0;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < runs; ++i) {
    const ladder::net::Scenario scenario =
        ladder::net::monkey_scenario(seed + i, 3, monkey_workload());
    const ladder::level2::RunResult result = ladder::level2::run(scenario, seed + i, options);
    seconds.push_back(static_cast<double>(result.duration_ms) / 1000.0);
    if (!result.verdict.ok()) ++failed;
  }
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(seconds.begin(), seconds.end());
  fmt::print("level 2 ({}), {} monkey runs from seed {}: {:.1f} s in all\n", variant_name, runs,
             seed, total);
  fmt::print("  {:.1f} runs per minute; a run takes {:.2f} s (median), {:.2f} s (slowest)\n",
             static_cast<double>(runs) * 60.0 / total, seconds[seconds.size() / 2], seconds.back());
  fmt::print("  {} of {} runs failed\n", failed, runs);
  return 0;
}
