/// \file
/// How fast the simulated network moves messages, and whether its memory stays flat.
///
/// Five nodes keep a fixed number of messages in flight on a lossy (drop 0.05), duplicating
/// (0.05) and reordering (delay 1-20 ms) network: every delivery makes the receiver send again
/// until the target is back in flight, so the queue neither drains nor grows. No observer is
/// attached, as in a monkey run. The figures go to bench/RESULTS.md.

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "network/sim_network.hpp"

namespace {

using ladder::net::FaultPlan;
using ladder::net::NodeContext;
using ladder::net::NodeId;
using ladder::net::SimNetwork;
using ladder::net::Topology;

constexpr int kNodes = 5;

/// Answers every message with a new one to another node, while fewer than `target` are in flight.
class Relay : public ladder::net::SimNode {
 public:
  Relay(SimNetwork& net, std::size_t target) : net_(&net), target_(target) {}

  void on_start(NodeContext& ctx) override { refill(ctx); }
  void on_message(NodeContext& ctx, NodeId /*from*/, std::string_view /*payload*/) override {
    refill(ctx);
  }

 private:
  void refill(NodeContext& ctx) {
    // Drops shrink the population and duplicates grow it; sending only while below the target
    // keeps it flat. A send is dropped at most with p = 0.05, so the loop ends quickly.
    while (net_->in_flight() < target_) {
      ++sent_;
      const auto to = static_cast<NodeId>((ctx.self() + 1 + sent_ % (kNodes - 1)) % kNodes);
      ctx.send(to, "m" + std::to_string(sent_ % 1'000'000));  // at most 7 bytes: stays in SSO
    }
  }

  SimNetwork* net_;
  std::size_t target_;
  std::uint64_t sent_ = 0;
};

/// Peak resident memory of this process so far, in KiB (Linux reports ru_maxrss in KiB).
long max_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Deliveries per second through the simulated network, and its memory use."};
  std::uint64_t deliveries = 10'000'000;
  std::size_t in_flight = 1'000;
  std::uint64_t seed = 1;
  app.add_option("--deliveries", deliveries, "deliveries in the whole run")->capture_default_str();
  app.add_option("--in-flight", in_flight, "messages kept in flight")->capture_default_str();
  app.add_option("--seed", seed, "the network's seed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  FaultPlan plan;
  plan.drop_probability = 0.05;
  plan.duplicate_probability = 0.05;
  plan.delay_min_ms = 1;
  plan.delay_max_ms = 20;
  SimNetwork net(Topology{kNodes, 0}, plan, seed);
  std::vector<Relay> relays(kNodes, Relay(net, in_flight));
  for (NodeId id = 0; id < kNodes; ++id)
    net.attach(id, relays[id]);

  fmt::print("{:>12}  {:>10}  {:>14}  {:>9}  {:>12}\n", "deliveries", "seconds", "deliveries/s",
             "in flight", "max RSS KiB");
  const auto begin = std::chrono::steady_clock::now();
  const auto report = [&] {
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - begin;
    const auto delivered = net.stats().delivered;
    fmt::print("{:>12}  {:>10.3f}  {:>14.0f}  {:>9}  {:>12}\n", delivered, elapsed.count(),
               static_cast<double>(delivered) / elapsed.count(), net.in_flight(), max_rss_kib());
  };
  net.start();
  // A line at 1M, 10M, 100M ... deliveries, and one at the end: equal "in flight" and "max RSS"
  // on every line show that memory does not grow with the length of the run.
  std::uint64_t checkpoint = 1'000'000;
  while (net.stats().delivered < deliveries && net.step()) {
    if (net.stats().delivered == checkpoint) {
      report();
      checkpoint *= 10;
    }
  }
  if (net.stats().delivered != checkpoint / 10) report();
  const auto& stats = net.stats();
  fmt::print("sent {}, dropped {}, duplicated {}, virtual time {} ms, digest {:#018x}\n",
             stats.sent, stats.dropped, stats.duplicated, net.now(), net.digest());
  return 0;
}
