// The simulated engine's semantics: each fault's effect, partitions and cuts, crashes and
// restarts, timers, majority windows and trace lines. The statistical cases send 10,000
// messages and accept counts within five standard deviations of the expectation: with a fixed
// seed they are deterministic, and a broken fault (off, inverted, applied twice) misses by far
// more than that.

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "network/sim_network.hpp"
#include "network/tests/test_nodes.hpp"

using namespace ladder::net;
using ladder::net::test::Bench;
using ladder::net::test::reliable;
using ladder::net::test::TraceLog;

namespace {

constexpr int kMessages = 10'000;
const Topology kOneClient{1, 1};  // r0 and c0
constexpr NodeId kR0 = 0;
constexpr NodeId kC0 = 1;

/// c0 sends kMessages numbered messages to r0 at time 0, of class `cls`.
void blast(Bench& bench, MessageClass cls = MessageClass::request) {
  bench[kC0].start_hook = [cls](NodeContext& ctx) {
    for (int i = 0; i < kMessages; ++i)
      ctx.send(kR0, std::to_string(i), cls);
  };
}

/// Five standard deviations of a binomial count.
double five_sigma(double n, double p) {
  return 5.0 * std::sqrt(n * p * (1.0 - p));
}

}  // namespace

TEST_CASE("a reliable network delivers every message once, after the delay", "[sim]") {
  Bench bench(kOneClient, reliable(3), 1);
  blast(bench);
  bench.net.start();
  CHECK(bench.net.in_flight() == static_cast<std::size_t>(kMessages));
  CHECK(bench.net.run_until_quiet(1'000'000));
  REQUIRE(bench[kR0].received.size() == static_cast<std::size_t>(kMessages));
  CHECK(bench[kR0].received.front().time == 3);
  CHECK(bench[kR0].received.front().from == kC0);
  // A fixed delay keeps the order of sending (equal times run in sequence-number order).
  CHECK(bench[kR0].received.back().payload == std::to_string(kMessages - 1));
  CHECK(bench.net.stats().sent == static_cast<std::uint64_t>(kMessages));
  CHECK(bench.net.stats().delivered == static_cast<std::uint64_t>(kMessages));
  CHECK(bench.net.in_flight() == 0);
}

TEST_CASE("drop loses about p of the messages", "[sim][faults]") {
  FaultPlan plan = reliable();
  plan.drop_probability = 0.1;
  Bench bench(kOneClient, plan, 2);
  blast(bench);
  bench.net.start();
  bench.net.run_until_quiet(1'000'000);
  const auto delivered = static_cast<double>(bench[kR0].received.size());
  CHECK(std::abs(delivered - 0.9 * kMessages) < five_sigma(kMessages, 0.1));
  CHECK(bench.net.stats().dropped + bench.net.stats().delivered ==
        static_cast<std::uint64_t>(kMessages));
}

TEST_CASE("duplicate delivers about p of the messages twice", "[sim][faults]") {
  FaultPlan plan = reliable();
  plan.duplicate_probability = 0.2;
  Bench bench(kOneClient, plan, 3);
  blast(bench);
  bench.net.start();
  bench.net.run_until_quiet(1'000'000);
  const auto extra = static_cast<double>(bench[kR0].received.size()) - kMessages;
  CHECK(std::abs(extra - 0.2 * kMessages) < five_sigma(kMessages, 0.2));
  CHECK(bench.net.stats().duplicated == bench[kR0].received.size() - kMessages);
  // No message arrives three times.
  std::vector<int> copies(kMessages, 0);
  for (const auto& message : bench[kR0].received)
    ++copies.at(std::stoul(message.payload));
  CHECK(*std::max_element(copies.begin(), copies.end()) == 2);
  CHECK(*std::min_element(copies.begin(), copies.end()) == 1);
}

TEST_CASE("response loss hits responses only", "[sim][faults]") {
  FaultPlan plan = reliable();
  plan.response_loss_probability = 0.3;

  Bench requests(kOneClient, plan, 4);
  blast(requests, MessageClass::request);
  requests.net.start();
  requests.net.run_until_quiet(1'000'000);
  CHECK(requests[kR0].received.size() == static_cast<std::size_t>(kMessages));

  Bench responses(kOneClient, plan, 4);
  TraceLog log;
  responses.net.set_observer(log.observer(kOneClient));
  blast(responses, MessageClass::response);
  responses.net.start();
  responses.net.run_until_quiet(1'000'000);
  const auto delivered = static_cast<double>(responses[kR0].received.size());
  CHECK(std::abs(delivered - 0.7 * kMessages) < five_sigma(kMessages, 0.3));
  CHECK(log.count(TraceKind::drop, "response lost") == kMessages - responses[kR0].received.size());
}

TEST_CASE("delays stay within the range, cover it, and reorder messages", "[sim][faults]") {
  FaultPlan plan;
  plan.delay_min_ms = 5;
  plan.delay_max_ms = 50;
  Bench bench(kOneClient, plan, 5);
  blast(bench);
  bench.net.start();
  bench.net.run_until_quiet(1'000'000);
  const auto& received = bench[kR0].received;
  REQUIRE(received.size() == static_cast<std::size_t>(kMessages));
  Time shortest = 1'000;
  Time longest = 0;
  double sum = 0;
  std::vector<Time> arrival(kMessages);
  for (const auto& message : received) {
    shortest = std::min(shortest, message.time);
    longest = std::max(longest, message.time);
    sum += static_cast<double>(message.time);
    arrival.at(std::stoul(message.payload)) = message.time;
  }
  CHECK(shortest == 5);
  CHECK(longest == 50);
  // Uniform on 5..50: mean 27.5, variance (46^2 - 1) / 12; five standard errors of the mean.
  const double standard_error = std::sqrt((46.0 * 46.0 - 1.0) / 12.0 / kMessages);
  CHECK(std::abs(sum / kMessages - 27.5) < 5 * standard_error);
  // Message i + 1 overtakes message i when its delay is shorter: p = (1 - 1/46) / 2.
  int overtaken = 0;
  for (std::size_t i = 0; i + 1 < arrival.size(); ++i) {
    if (arrival[i + 1] < arrival[i]) ++overtaken;
  }
  const double p_overtake = (1.0 - 1.0 / 46.0) / 2.0;
  CHECK(std::abs(overtaken - p_overtake * (kMessages - 1)) < five_sigma(kMessages - 1, p_overtake));
}

TEST_CASE("a partition blocks both directions between groups, and unlisted nodes reach all",
          "[sim][partition]") {
  const Topology topology{3, 1};  // r0 r1 r2 c0
  FaultPlan plan = reliable();
  TimelineEvent split;
  split.at_ms = 10;
  split.kind = TimelineKind::partition;
  split.groups = {{0}, {1, 2}};  // c0 (id 3) is unlisted
  plan.timeline.push_back(split);
  Bench bench(topology, plan, 6);
  bench.net.start();
  bench.net.run_until(10);
  CHECK_FALSE(bench.net.connected(0, 1));
  CHECK_FALSE(bench.net.connected(1, 0));
  CHECK_FALSE(bench.net.connected(2, 0));
  CHECK(bench.net.connected(1, 2));
  CHECK(bench.net.connected(3, 0));
  CHECK(bench.net.connected(0, 3));
  // Everyone sends to everyone at time 10.
  for (NodeId from = 0; from < 4; ++from) {
    for (NodeId to = 0; to < 4; ++to) {
      if (from != to) bench.net.send(from, to, "hi", MessageClass::request);
    }
  }
  bench.net.run_until_quiet(1'000);
  auto senders = [&](NodeId to) {
    std::vector<NodeId> from;
    for (const auto& m : bench[to].received)
      from.push_back(m.from);
    std::sort(from.begin(), from.end());
    return from;
  };
  CHECK(senders(0) == std::vector<NodeId>{3});
  CHECK(senders(1) == std::vector<NodeId>{2, 3});
  CHECK(senders(2) == std::vector<NodeId>{1, 3});
  CHECK(senders(3) == std::vector<NodeId>{0, 1, 2});
  CHECK(bench.net.stats().cut == 4);
}

TEST_CASE("a one-way cut loses from->to and delivers to->from", "[sim][partition]") {
  const Topology topology{3, 0};
  FaultPlan plan = reliable();
  TimelineEvent cut;
  cut.kind = TimelineKind::cut;
  cut.from = {0};
  cut.to = {1};
  plan.timeline.push_back(cut);
  Bench bench(topology, plan, 7);
  TraceLog log;
  bench.net.set_observer(log.observer(topology));
  bench.net.start();
  bench.net.run_until(0);
  bench.net.send(0, 1, "lost", MessageClass::request);
  bench.net.send(1, 0, "arrives", MessageClass::request);
  bench.net.send(0, 2, "arrives too", MessageClass::request);
  bench.net.run_until_quiet(1'000);
  CHECK(bench[1].received.empty());
  REQUIRE(bench[0].received.size() == 1);
  CHECK(bench[0].received[0].payload == "arrives");
  CHECK(bench[2].received.size() == 1);
  CHECK(log.count(TraceKind::drop, "cut") == 1);
}

TEST_CASE("a message in flight when a cut begins is lost on arrival", "[sim][partition]") {
  const Topology topology{2, 0};
  FaultPlan plan = reliable(10);
  TimelineEvent cut;
  cut.at_ms = 5;
  cut.kind = TimelineKind::cut;
  cut.from = {0};
  cut.to = {1};
  plan.timeline.push_back(cut);
  Bench bench(topology, plan, 8);
  bench[0].start_hook = [](NodeContext& ctx) { ctx.send(1, "in flight"); };
  bench.net.start();
  CHECK(bench.net.in_flight() == 1);
  bench.net.run_until_quiet(1'000);
  CHECK(bench[1].received.empty());
  CHECK(bench.net.stats().cut == 1);
  CHECK(bench.net.in_flight() == 0);
}

TEST_CASE("faults accumulate until a heal removes them all", "[sim][partition]") {
  const Topology topology{3, 0};
  FaultPlan plan = reliable();
  TimelineEvent first;
  first.at_ms = 10;
  first.kind = TimelineKind::cut;
  first.from = {0};
  first.to = {1};
  TimelineEvent second = first;
  second.at_ms = 20;
  second.from = {1};
  second.to = {2};
  TimelineEvent heal;
  heal.at_ms = 30;
  heal.kind = TimelineKind::heal;
  plan.timeline = {first, second, heal};
  Bench bench(topology, plan, 9);
  bench.net.start();
  bench.net.run_until(25);
  CHECK_FALSE(bench.net.connected(0, 1));
  CHECK_FALSE(bench.net.connected(1, 2));
  CHECK(bench.net.connected(1, 0));
  bench.net.run_until(30);
  CHECK(bench.net.connected(0, 1));
  CHECK(bench.net.connected(1, 2));
}

TEST_CASE("heal_all and restart_all undo partitions and crashes on demand", "[sim][partition]") {
  const Topology topology{2, 0};
  FaultPlan plan = reliable();
  TimelineEvent split;
  split.kind = TimelineKind::partition;
  split.groups = {{0}, {1}};
  TimelineEvent crash;
  crash.kind = TimelineKind::crash;
  crash.node = 1;
  plan.timeline = {split, crash};
  Bench bench(topology, plan, 10);
  bench.net.start();
  bench.net.run_until(1);
  REQUIRE_FALSE(bench.net.connected(0, 1));
  REQUIRE_FALSE(bench.net.is_up(1));
  bench.net.heal_all();
  bench.net.restart_all();
  CHECK(bench.net.connected(0, 1));
  CHECK(bench.net.connected(1, 0));
  CHECK(bench.net.is_up(1));
  CHECK(bench[1].starts == 2);
}

TEST_CASE("a crash drops messages to the node, kills its timers and calls on_crash",
          "[sim][crash]") {
  const Topology topology{2, 0};
  FaultPlan plan = reliable(5);
  TimelineEvent crash;
  crash.at_ms = 10;
  crash.kind = TimelineKind::crash;
  crash.node = 1;
  TimelineEvent restart;
  restart.at_ms = 20;
  restart.kind = TimelineKind::restart;
  restart.node = 1;
  plan.timeline = {crash, restart};
  Bench bench(topology, plan, 11);
  TraceLog log;
  bench.net.set_observer(log.observer(topology));
  // r1 arms a timer 30 ms after each start, tagged with the start's number: due at 30 for the
  // first incarnation (crashed at 10) and at 50 for the second (started at 20).
  bench[1].start_hook = [&bench](NodeContext& ctx) {
    ctx.set_timer(30, static_cast<std::uint64_t>(bench[1].starts));
  };
  // r0 sends at 7 (arrives 12: r1 is down) and at 16 (arrives 21: r1 is up again).
  bench[0].start_hook = [](NodeContext& ctx) {
    ctx.set_timer(7, 0);
    ctx.set_timer(16, 0);
  };
  bench[0].timer_hook = [](NodeContext& ctx, std::uint64_t) { ctx.send(1, "x"); };
  bench.net.start();
  bench.net.run_until(10);
  CHECK_FALSE(bench.net.is_up(1));
  CHECK(bench[1].crashes == 1);
  bench.net.run_until(15);
  CHECK(bench[1].received.empty());
  CHECK(bench.net.stats().to_down_node == 1);
  CHECK(log.count(TraceKind::drop, "down") == 1);
  bench.net.run_until_quiet(1'000);
  CHECK(bench.net.is_up(1));
  CHECK(bench[1].starts == 2);
  REQUIRE(bench[1].received.size() == 1);
  CHECK(bench[1].received[0].time == 21);
  // The first incarnation's timer (due at 30) never fires; the second's (20 + 30) does.
  REQUIRE(bench[1].fired.size() == 1);
  CHECK(bench[1].fired[0] == std::pair<Time, std::uint64_t>{50, 2});
}

TEST_CASE("a cancelled timer does not fire, and cancelling twice or late is harmless",
          "[sim][timers]") {
  const Topology topology{1, 0};
  Bench bench(topology, reliable(), 12);
  TimerId first = 0;
  bench[0].start_hook = [&first](NodeContext& ctx) {
    first = ctx.set_timer(10, 1);
    ctx.set_timer(20, 2);
    ctx.cancel_timer(first);
    ctx.cancel_timer(first);
  };
  bench.net.start();
  bench.net.run_until_quiet(100);
  REQUIRE(bench[0].fired.size() == 1);
  CHECK(bench[0].fired[0].second == 2);
  CHECK(bench.net.stats().timers_fired == 1);
}

// Regression: timer records are reused once their queue entry has popped. A TimerId kept after
// its timer fired must not cancel the new timer that reuses the record.
TEST_CASE("a stale TimerId does not cancel a newer timer", "[sim][timers]") {
  const Topology topology{1, 0};
  Bench bench(topology, reliable(), 13);
  TimerId stale = 0;
  bench[0].start_hook = [&stale](NodeContext& ctx) { stale = ctx.set_timer(5, 1); };
  bench[0].timer_hook = [&stale](NodeContext& ctx, std::uint64_t tag) {
    if (tag == 1) {
      ctx.set_timer(5, 2);
      ctx.cancel_timer(stale);
    }
  };
  bench.net.start();
  bench.net.run_until_quiet(100);
  REQUIRE(bench[0].fired.size() == 2);
  CHECK(bench[0].fired[1] == std::pair<Time, std::uint64_t>{10, 2});
}

TEST_CASE("events due at the same time run in the order they were scheduled", "[sim][timers]") {
  const Topology topology{2, 0};
  Bench bench(topology, reliable(5), 14);
  std::vector<std::string> order;
  bench[0].start_hook = [](NodeContext& ctx) {
    ctx.set_timer(5, 1);
    ctx.send(1, "m1");
    ctx.set_timer(5, 2);
    ctx.send(1, "m2");
  };
  bench[0].timer_hook = [&order](NodeContext&, std::uint64_t tag) {
    order.push_back("timer " + std::to_string(tag));
  };
  bench[1].message_hook = [&order](NodeContext&, NodeId, std::string_view payload) {
    order.push_back(std::string(payload));
  };
  bench.net.start();
  bench.net.run_until_quiet(100);
  CHECK(order == std::vector<std::string>{"timer 1", "m1", "timer 2", "m2"});
}

TEST_CASE("run_until stops at the given time and sets the clock", "[sim]") {
  const Topology topology{1, 0};
  Bench bench(topology, reliable(), 15);
  bench[0].start_hook = [](NodeContext& ctx) {
    ctx.set_timer(10, 1);
    ctx.set_timer(11, 2);
  };
  bench.net.start();
  bench.net.run_until(10);
  CHECK(bench.net.now() == 10);
  CHECK(bench[0].fired.size() == 1);
  bench.net.run_until(100);
  CHECK(bench.net.now() == 100);
  CHECK(bench[0].fired.size() == 2);
  CHECK_FALSE(bench.net.step());
}

TEST_CASE("run_until_quiet stops after max_events and says whether it got quiet", "[sim]") {
  const Topology topology{1, 0};
  Bench bench(topology, reliable(), 16);
  // A timer that re-arms itself forever: never quiet.
  bench[0].start_hook = [](NodeContext& ctx) { ctx.set_timer(1, 0); };
  bench[0].timer_hook = [](NodeContext& ctx, std::uint64_t) { ctx.set_timer(1, 0); };
  bench.net.start();
  CHECK_FALSE(bench.net.run_until_quiet(50));
  CHECK(bench[0].fired.size() == 50);
}

TEST_CASE("majority windows follow crashes, restarts, partitions and cuts", "[sim][majority]") {
  const Topology topology{3, 1};
  FaultPlan plan = reliable();
  auto event = [](Time at, TimelineKind kind) {
    TimelineEvent e;
    e.at_ms = at;
    e.kind = kind;
    return e;
  };
  TimelineEvent crash0 = event(100, TimelineKind::crash);
  crash0.node = 0;
  TimelineEvent crash1 = event(200, TimelineKind::crash);  // two of three down: no majority
  crash1.node = 1;
  TimelineEvent restart1 = event(300, TimelineKind::restart);
  restart1.node = 1;
  TimelineEvent cut = event(400, TimelineKind::cut);  // r2 cannot reach r1: not both ways
  cut.from = {2};
  cut.to = {1};
  TimelineEvent heal = event(500, TimelineKind::heal);
  TimelineEvent split = event(600, TimelineKind::partition);  // c0 alone: replicas unaffected
  split.groups = {{3}, {0, 1, 2}};
  plan.timeline = {crash0, crash1, restart1, cut, heal, split};
  Bench bench(topology, plan, 17);
  bench.net.start();
  bench.net.run_until(700);
  const auto windows = bench.net.majority_windows();
  REQUIRE(windows.size() == 3);
  CHECK(windows[0].begin == 0);
  CHECK(windows[0].end == 200);
  CHECK(windows[1].begin == 300);
  CHECK(windows[1].end == 400);
  CHECK(windows[2].begin == 500);
  CHECK(windows[2].end == 700);  // still open: closed at now()
}

TEST_CASE("format_trace_event writes aligned lines", "[sim][trace]") {
  const Topology topology{1, 1};
  TraceEvent deliver;
  deliver.time = 120;
  deliver.kind = TraceKind::deliver;
  deliver.from = 0;
  deliver.to = 1;
  deliver.payload = "value 5";
  CHECK(format_trace_event(deliver, topology) == "   120 ms  deliver    r0 -> c0   value 5");

  TraceEvent note;
  note.time = 130;
  note.kind = TraceKind::note;
  note.from = note.to = 1;
  note.payload = "invoke add(+3)";
  CHECK(format_trace_event(note, topology) == "   130 ms  note       c0         invoke add(+3)");

  TraceEvent drop = deliver;
  drop.kind = TraceKind::drop;
  drop.payload = std::string_view("\x01z", 2);
  drop.detail = "cut";
  CHECK(format_trace_event(drop, topology) == "   120 ms  drop       r0 -> c0   \\x01z  (cut)");
  const auto shout = [](std::string_view payload) { return "<" + std::string(payload) + ">"; };
  CHECK(format_trace_event(deliver, topology, shout) ==
        "   120 ms  deliver    r0 -> c0   <value 5>");

  TraceEvent heal;
  heal.time = 300;
  heal.kind = TraceKind::heal;
  CHECK(format_trace_event(heal, topology) == "   300 ms  heal");
}

TEST_CASE("trace kinds have their printed names", "[sim][trace]") {
  CHECK(std::string(to_string(TraceKind::send)) == "send");
  CHECK(std::string(to_string(TraceKind::duplicate)) == "duplicate");
  CHECK(std::string(to_string(TraceKind::partition)) == "partition");
  CHECK(std::string(to_string(TimelineKind::cut)) == "cut");
  CHECK(std::string(to_string(TimelineKind::restart)) == "restart");
}
