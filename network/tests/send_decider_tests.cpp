// The send decider: the hook through which a trace records each send's random choices and a replay
// forgives some of them. Installing one must change nothing but what it changes, and send i's
// choices must not depend on what happened to the sends before it.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "network/sim_network.hpp"
#include "network/tests/test_nodes.hpp"

using namespace ladder::net;
using ladder::net::test::Bench;

namespace {

const Topology kPair{1, 1};
constexpr NodeId kReplica = 0;
constexpr NodeId kClient = 1;

/// The client sends "m0", "m1", ... to the replica every 10 ms, whatever happens to them: the
/// sends are the same in every run, so their indices name the same messages.
void send_every_10ms(Bench& bench, int count) {
  bench[kClient].start_hook = [](NodeContext& ctx) { ctx.set_timer(10, 0); };
  bench[kClient].timer_hook = [count](NodeContext& ctx, std::uint64_t round) {
    ctx.send(kReplica, "m" + std::to_string(round));
    if (static_cast<int>(round) + 1 < count) ctx.set_timer(10, round + 1);
  };
}

std::vector<std::string> received_payloads(Bench& bench) {
  std::vector<std::string> out;
  for (const auto& message : bench[kReplica].received)
    out.push_back(message.payload);
  return out;
}

FaultPlan noisy_plan() {
  FaultPlan plan;
  plan.drop_probability = 0.3;
  plan.duplicate_probability = 0.3;
  plan.delay_min_ms = 1;
  plan.delay_max_ms = 30;
  return plan;
}

}  // namespace

TEST_CASE("a decider sees every send in order, with its index, sender and receiver",
          "[send-decider]") {
  Bench bench(kPair, noisy_plan(), 7);
  send_every_10ms(bench, 20);
  std::vector<SendInfo> seen;
  bench.net.set_send_decider(
      [&seen](const SendInfo& info, SendDecision&) { seen.push_back(info); });
  bench.net.start();
  REQUIRE(bench.net.run_until_quiet(10'000));
  REQUIRE(seen.size() == 20);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    CHECK(seen[i].index == i);
    CHECK(seen[i].from == kClient);
    CHECK(seen[i].to == kReplica);
    CHECK(seen[i].cls == MessageClass::request);
  }
}

TEST_CASE("a decider that changes nothing leaves the run a function of the seed",
          "[send-decider]") {
  auto digest_of = [](std::uint64_t seed) {
    Bench bench(kPair, noisy_plan(), seed);
    send_every_10ms(bench, 30);
    bench.net.set_send_decider([](const SendInfo&, SendDecision&) {});
    bench.net.start();
    REQUIRE(bench.net.run_until_quiet(10'000));
    return bench.net.digest();
  };
  CHECK(digest_of(3) == digest_of(3));
  CHECK(digest_of(3) != digest_of(4));
}

TEST_CASE("forgiving a drop delivers the message, with the delay that was drawn for it",
          "[send-decider]") {
  FaultPlan plan;
  plan.drop_probability = 1.0;  // every message is lost ...
  plan.delay_min_ms = 5;
  plan.delay_max_ms = 5;
  Bench bench(kPair, plan, 1);
  send_every_10ms(bench, 4);
  bench.net.set_send_decider([](const SendInfo& info, SendDecision& decision) {
    CHECK(decision.drop);
    if (info.index == 2) decision.drop = false;  // ... but the third is forgiven
  });
  bench.net.start();
  REQUIRE(bench.net.run_until_quiet(10'000));
  CHECK(received_payloads(bench) == std::vector<std::string>{"m2"});
  REQUIRE(bench[kReplica].received.size() == 1);
  CHECK(bench[kReplica].received[0].time == 30 + 5);  // sent at 30 ms, delay 5 ms
  CHECK(bench.net.stats().dropped == 3);
}

TEST_CASE("a decider can duplicate a message and choose both delays", "[send-decider]") {
  Bench bench(kPair, FaultPlan{}, 1);
  send_every_10ms(bench, 1);
  bench.net.set_send_decider([](const SendInfo&, SendDecision& decision) {
    decision.duplicate = true;
    decision.delay_ms = 4;
    decision.copy_delay_ms = 9;
  });
  bench.net.start();
  REQUIRE(bench.net.run_until_quiet(10'000));
  REQUIRE(bench[kReplica].received.size() == 2);
  CHECK(bench[kReplica].received[0].time == 14);
  CHECK(bench[kReplica].received[1].time == 19);
  CHECK(bench.net.stats().duplicated == 1);
}

TEST_CASE("send i's random choices do not depend on what happened to earlier sends",
          "[send-decider]") {
  // Run once as drawn, once forgiving every drop: the choices each send was offered must be the
  // same in both runs, because the decider path draws the same numbers for every send.
  auto offered = [](bool forgive) {
    Bench bench(kPair, noisy_plan(), 11);
    send_every_10ms(bench, 40);
    std::vector<SendDecision> seen;
    bench.net.set_send_decider([&seen, forgive](const SendInfo&, SendDecision& decision) {
      seen.push_back(decision);
      if (forgive) decision.drop = false;
    });
    bench.net.start();
    REQUIRE(bench.net.run_until_quiet(10'000));
    return seen;
  };
  const auto drawn = offered(false);
  const auto forgiven = offered(true);
  REQUIRE(drawn.size() == forgiven.size());
  int drops = 0;
  for (std::size_t i = 0; i < drawn.size(); ++i) {
    INFO("send " << i);
    CHECK(drawn[i].drop == forgiven[i].drop);
    CHECK(drawn[i].delay_ms == forgiven[i].delay_ms);
    CHECK(drawn[i].duplicate == forgiven[i].duplicate);
    CHECK(drawn[i].copy_delay_ms == forgiven[i].copy_delay_ms);
    drops += drawn[i].drop ? 1 : 0;
  }
  CHECK(drops > 0);  // the plan did drop something, so forgiving changed the run
}

TEST_CASE("a partition still cuts a message whatever the decider says", "[send-decider]") {
  FaultPlan plan;
  TimelineEvent split;
  split.at_ms = 0;
  split.kind = TimelineKind::partition;
  split.groups = {{kReplica}, {kClient}};
  plan.timeline = {split};
  Bench bench(kPair, plan, 1);
  send_every_10ms(bench, 3);
  bench.net.set_send_decider(
      [](const SendInfo&, SendDecision& decision) { decision.drop = false; });
  bench.net.start();
  REQUIRE(bench.net.run_until_quiet(10'000));
  CHECK(bench[kReplica].received.empty());
  CHECK(bench.net.stats().cut == 3);
}
