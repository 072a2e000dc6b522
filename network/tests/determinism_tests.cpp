// Same seed, same run: the promise that makes a failing seed worth reporting. The golden digests
// below were recorded once; a compiler, standard library, build type or machine that computes a
// different run (a std distribution sneaking in, unordered iteration, an uninitialised read)
// changes them and fails here.

#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "network/sim_network.hpp"
#include "network/tests/test_nodes.hpp"

using namespace ladder::net;
using ladder::net::test::Bench;

namespace {

const Topology kSmallCluster{3, 1};
constexpr NodeId kTheClient = 3;
constexpr int kRounds = 30;

/// Every fault at once: random drops, duplicates, wide delays, response loss, a partition, a
/// heal, a crash and a restart.
FaultPlan busy_plan() {
  FaultPlan plan;
  plan.drop_probability = 0.1;
  plan.duplicate_probability = 0.1;
  plan.delay_min_ms = 1;
  plan.delay_max_ms = 20;
  plan.response_loss_probability = 0.1;
  TimelineEvent split;
  split.at_ms = 50;
  split.kind = TimelineKind::partition;
  split.groups = {{0}, {1, 2, 3}};
  TimelineEvent heal;
  heal.at_ms = 120;
  heal.kind = TimelineKind::heal;
  TimelineEvent crash;
  crash.at_ms = 150;
  crash.kind = TimelineKind::crash;
  crash.node = 1;
  TimelineEvent restart;
  restart.at_ms = 250;
  restart.kind = TimelineKind::restart;
  restart.node = 1;
  plan.timeline = {split, heal, crash, restart};
  return plan;
}

struct Outcome {
  std::uint64_t digest = 0;
  SimStats stats;
};

/// The client sends "add k" to every replica every 10 ms; replicas note it and answer "ack k".
Outcome run(std::uint64_t seed) {
  Bench bench(kSmallCluster, busy_plan(), seed);
  bench[kTheClient].start_hook = [](NodeContext& ctx) { ctx.set_timer(10, 0); };
  bench[kTheClient].timer_hook = [](NodeContext& ctx, std::uint64_t round) {
    for (NodeId r = 0; r < 3; ++r)
      ctx.send(r, "add " + std::to_string(round));
    if (round + 1 < kRounds) ctx.set_timer(10, round + 1);
  };
  for (NodeId r = 0; r < 3; ++r) {
    bench[r].message_hook = [](NodeContext& ctx, NodeId from, std::string_view payload) {
      ctx.note("apply " + std::string(payload));
      ctx.send(from, "ack" + std::string(payload.substr(3)), MessageClass::response);
    };
  }
  bench.net.start();
  REQUIRE(bench.net.run_until_quiet(100'000));
  return Outcome{bench.net.digest(), bench.net.stats()};
}

}  // namespace

TEST_CASE("the same seed gives the same run", "[determinism]") {
  const Outcome first = run(99);
  const Outcome second = run(99);
  CHECK(first.digest == second.digest);
  CHECK(first.stats.delivered == second.stats.delivered);
  CHECK(first.stats.dropped == second.stats.dropped);
}

TEST_CASE("different seeds give different runs", "[determinism]") {
  std::set<std::uint64_t> digests;
  for (std::uint64_t seed = 1; seed <= 20; ++seed)
    digests.insert(run(seed).digest);
  CHECK(digests.size() == 20);
}

TEST_CASE("golden digests: the run for a seed is the same on every machine", "[determinism]") {
  // If this fails after an intended change of the engine's behaviour (what is drawn, in which
  // order, what is traced), record the new digests and say so in the change: every recorded
  // seed in the book replays differently afterwards.
  struct Golden {
    std::uint64_t seed;
    std::uint64_t digest;
    std::uint64_t delivered;
  };
  const Golden goldens[] = {
      {1, 0x3a9f00f8001d82afU, 122},
      {2, 0x04980c9f8fa27fa7U, 148},
      {3, 0x478842d6bc1e40b7U, 141},
  };
  for (const auto& golden : goldens) {
    const Outcome outcome = run(golden.seed);
    INFO("seed " << golden.seed << ": digest 0x" << std::hex << outcome.digest << std::dec
                 << ", delivered " << outcome.stats.delivered);
    CHECK(outcome.digest == golden.digest);
    CHECK(outcome.stats.delivered == golden.delivered);
  }
}

TEST_CASE("the digest covers every trace event, observed or not", "[determinism]") {
  // Attaching an observer must not change the run, and a note (which sends nothing) must
  // change the digest.
  auto digest_of = [](bool observe, bool extra_note) {
    Bench bench(Topology{1, 0}, FaultPlan{}, 5);
    std::size_t seen = 0;
    if (observe) bench.net.set_observer([&seen](const TraceEvent&) { ++seen; });
    bench[0].start_hook = [extra_note](NodeContext& ctx) {
      ctx.note("hello");
      if (extra_note) ctx.note("again");
    };
    bench.net.start();
    if (observe) CHECK(seen == (extra_note ? 2U : 1U));
    return bench.net.digest();
  };
  CHECK(digest_of(false, false) == digest_of(true, false));
  CHECK(digest_of(false, false) != digest_of(false, true));
}

TEST_CASE("the digest is FNV-1a over varint-encoded trace fields", "[determinism]") {
  // A run with no events hashes nothing: the FNV-1a offset basis.
  Bench empty(Topology{1, 0}, FaultPlan{}, 1);
  CHECK(empty.net.digest() == 0xcbf29ce484222325U);
  // One note "hello" by r0 at time 0: time 0, kind 9 (note), from 0, to 0, length 5, "hello",
  // detail length 0. Expected value computed independently (Python) from those bytes.
  Bench one(Topology{1, 0}, FaultPlan{}, 1);
  one[0].start_hook = [](NodeContext& ctx) { ctx.note("hello"); };
  one.net.start();
  CHECK(one.net.digest() == 0x14fcf6c3016f07c1U);
}
