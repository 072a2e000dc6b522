// Blocking `add` round trips per second on loopback, with one client: level 1's RPC with
// replication off (the primary alone: one round trip per add, like a Redis INCR) and with the
// primary calling two backups in parallel before it replies (two round trips in sequence).
//
//   cmake --preset release && cmake --build build/release --target ladder_bench_level1_rpc
//   build/release/bench/ladder_bench_level1_rpc --calls 100000
//   build/release/bench/ladder_bench_level1_rpc --only two-backups   # one configuration, for perf
//   build/release/bench/ladder_bench_level1_rpc --default-scheduling  # server threads without
//                                                                      # SCHED_BATCH, for A/B runs
//
// bench/level1_vs_redis.sh runs it side by side with redis-benchmark; RESULTS.md has the figures.
// There are no fault proxies here: this measures the RPC layer and the replicas, not the proxy.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "level1_rpc/client.hpp"
#include "level1_rpc/replica.hpp"

namespace {

using ladder::level1::Client;
using ladder::level1::Replica;
using ladder::level1::ReplicaOptions;
using ladder::level1::Update;

// Calls add `calls` times on a primary with `backups` backups; returns calls per second.
double adds_per_second(int backups, std::uint64_t calls, bool batch_scheduling) {
  std::vector<std::unique_ptr<Replica>> replicas;
  std::vector<std::uint16_t> ports;
  for (int i = 0; i <= backups; ++i) {
    ReplicaOptions options;
    options.index = i;
    options.batch_scheduling = batch_scheduling;
    replicas.push_back(std::make_unique<Replica>(options));
    replicas.back()->start();
    ports.push_back(replicas.back()->port());
  }
  replicas.front()->set_peers(ports);  // the primary's backups: every other replica
  Client client("127.0.0.1", ports.front());
  const auto deadline = std::chrono::milliseconds(2000);
  const auto add = [&](std::uint64_t seq) {
    return client.call("add", to_json(Update{.request = {.client = 0, .seq = seq}, .delta = 1}),
                       deadline);
  };
  for (std::uint64_t seq = 1; seq <= 1000; ++seq)
    add(seq);  // warm up: connections, caches
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t seq = 1; seq <= calls; ++seq)
    add(1000 + seq);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return static_cast<double>(calls) / elapsed.count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"level 1: blocking add round trips per second on loopback, one client"};
  std::uint64_t calls = 100'000;
  std::string only;
  app.add_option("--calls", calls, "adds per configuration")->check(CLI::PositiveNumber);
  app.add_option("--only", only, "run one configuration only (for perf and strace)")
      ->check(CLI::IsMember({"no-backups", "two-backups"}));
  bool default_scheduling = false;
  app.add_flag("--default-scheduling", default_scheduling,
               "server threads under the default policy, not SCHED_BATCH (for A/B runs)");
  CLI11_PARSE(app, argc, argv);

  // One line per configuration, "name rate", so that scripts can read them.
  if (only != "two-backups") {
    fmt::print("level1_add_no_backups {:.0f}\n", adds_per_second(0, calls, !default_scheduling));
  }
  if (only != "no-backups") {
    fmt::print("level1_add_two_backups {:.0f}\n", adds_per_second(2, calls, !default_scheduling));
  }
  return 0;
}
