// Tests of the real datagram engine, end to end on loopback: real sockets, the injector's own
// thread, and each fault observed through the trace, the counters and the receivers.
//
// Waits are bounded and wait for events (a trace line, a counter), never for time to pass. Time
// is asserted only from below ("not before delay_min_ms"), on the injector's own clock, because
// on a loaded machine anything may take longer but nothing can arrive early. Where a test sends
// many datagrams it sends them in small batches and waits for each batch to settle, so that no
// socket's receive buffer can overflow and lose one outside the plan.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>  // before Asio's awaitable.hpp, which forgets it in Boost 1.74
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <catch2/catch.hpp>

#include "network/frame.hpp"
#include "network/inbox.hpp"
#include "network/udp_network.hpp"

namespace ladder::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// How long to wait for something that should happen within milliseconds.
constexpr auto kPatience = 20s;

const Topology kTopology{3, 1};
constexpr NodeId kR0 = 0;
constexpr NodeId kR1 = 1;
constexpr NodeId kR2 = 2;
constexpr NodeId kC0 = 3;

// A plan without faults: every datagram goes straight to the wire.
FaultPlan reliable() {
  FaultPlan plan;
  plan.delay_min_ms = 0;
  plan.delay_max_ms = 0;
  return plan;
}

// One trace event, copied out of the callback (its views die with it).
struct Event {
  Time time = 0;
  TraceKind kind = TraceKind::note;
  NodeId from = 0;
  NodeId to = 0;
  std::string payload;
  std::string detail;
};

// Records the trace and every delivered datagram, from the injector's thread, and lets the
// test thread wait for a condition on them with a deadline.
class Recorder {
 public:
  std::function<void(const TraceEvent&)> observer() {
    return [this](const TraceEvent& e) {
      {
        const std::lock_guard lock(mutex_);
        events_.push_back(
            Event{e.time, e.kind, e.from, e.to, std::string(e.payload), std::string(e.detail)});
      }
      changed_.notify_all();
    };
  }
  Receiver receiver() {
    return [this](Datagram datagram) {
      {
        const std::lock_guard lock(mutex_);
        received_.push_back(std::move(datagram));
      }
      changed_.notify_all();
    };
  }
  // True when `n` events of `kind` were traced before the deadline.
  bool wait_for_events(TraceKind kind, std::size_t n = 1) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kPatience, [&] { return count(kind) >= n; });
  }
  // True when `sent` datagrams were sent and each met its fate (delivered or dropped) before
  // the deadline. Judged from the trace alone: a counter may run ahead of the trace line that
  // follows it, so a test that waited on counters could read the trace one line short.
  bool wait_settled(std::size_t sent) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kPatience, [&] {
      return count(TraceKind::send) == sent && count(TraceKind::deliver) + count(TraceKind::drop) ==
                                                   sent + count(TraceKind::duplicate);
    });
  }
  std::vector<Event> events() {
    const std::lock_guard lock(mutex_);
    return events_;
  }
  std::vector<Datagram> received() {
    const std::lock_guard lock(mutex_);
    return received_;
  }
  std::vector<Datagram> received_by(NodeId to) {
    std::vector<Datagram> out;
    for (Datagram& d : received()) {
      if (d.to == to) out.push_back(std::move(d));
    }
    return out;
  }
  // The events of one kind (and, when given, with one payload).
  std::vector<Event> events(TraceKind kind, std::optional<std::string> payload = {}) {
    std::vector<Event> out;
    for (Event& e : events()) {
      if (e.kind == kind && (!payload || e.payload == *payload)) out.push_back(std::move(e));
    }
    return out;
  }

 private:
  // Precondition: mutex_ held.
  std::size_t count(TraceKind kind) const {
    return static_cast<std::size_t>(std::count_if(
        events_.begin(), events_.end(), [kind](const Event& e) { return e.kind == kind; }));
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Event> events_;       // guarded by mutex_
  std::vector<Datagram> received_;  // guarded by mutex_
};

// Records the hooks' calls ("crash r1", "restart r1") and lets the test thread wait for them.
class HookLog {
 public:
  NodeHooks hooks() {
    return NodeHooks{[this](NodeId id) { add("crash " + kTopology.name(id)); },
                     [this](NodeId id) { add("restart " + kTopology.name(id)); }};
  }
  bool wait_for_calls(std::size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kPatience, [&] { return calls_.size() >= n; });
  }
  std::vector<std::string> calls() {
    const std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  void add(std::string call) {
    {
      const std::lock_guard lock(mutex_);
      calls_.push_back(std::move(call));
    }
    changed_.notify_all();
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> calls_;  // guarded by mutex_
};

// A started network whose observer and receivers all report to one Recorder.
struct Bench {
  explicit Bench(FaultPlan plan, std::uint64_t seed = 1, NodeHooks hooks = {})
      : net(kTopology, std::move(plan), seed) {
    net.set_observer(recorder.observer());
    net.set_hooks(std::move(hooks));
    for (NodeId id = 0; id < static_cast<NodeId>(kTopology.size()); ++id)
      net.attach(id, recorder.receiver());
    net.start();
  }
  // Waits until every datagram handed to the network has met its fate: delivered or lost.
  bool settle(std::size_t sent) { return recorder.wait_settled(sent); }

  Recorder recorder;  // declared first: outlives the network that calls it
  UdpNetwork net;
};

}  // namespace

TEST_CASE("datagrams travel between nodes over loopback sockets", "[udp]") {
  Bench bench(reliable());
  UdpNetwork& net = bench.net;
  CHECK(net.port(kR0) != 0);
  CHECK(net.port(kR0) != net.port(kR1));
  CHECK(net.port(kR1) != net.port(kC0));

  net.send(kR0, kR1, "hello");
  net.send(kC0, kR2, "add 5", MessageClass::response);
  REQUIRE(bench.settle(2));

  const auto at_r1 = bench.recorder.received_by(kR1);
  REQUIRE(at_r1.size() == 1);
  CHECK(at_r1[0].from == kR0);
  CHECK(at_r1[0].payload == "hello");
  const auto at_r2 = bench.recorder.received_by(kR2);
  REQUIRE(at_r2.size() == 1);
  CHECK(at_r2[0].from == kC0);
  CHECK(at_r2[0].payload == "add 5");

  const UdpStats stats = net.stats();
  CHECK(stats.delivered == 2);
  CHECK(stats.wire_received == 2);
  CHECK(stats.malformed == 0);
  CHECK(bench.recorder.events(TraceKind::send, "hello").size() == 1);
  CHECK(bench.recorder.events(TraceKind::deliver, "hello").size() == 1);
}

TEST_CASE("drop and duplicate rates stay within wide bounds of the plan's probabilities",
          "[udp][faults]") {
  // 4,000 datagrams: drops ~ Binomial(4000, 0.2), mean 800 and sd 25; duplicates of the 3,200
  // survivors ~ Binomial(3200, 0.1), mean 320 and sd 17. Bounds of six standard deviations or
  // more: a fault that is off, inverted or applied twice misses them by far.
  FaultPlan plan = reliable();
  plan.drop_probability = 0.2;
  plan.duplicate_probability = 0.1;
  plan.delay_max_ms = 2;
  Bench bench(plan, 7);
  constexpr int kBatches = 40;
  constexpr int kBatch = 100;
  std::size_t sent = 0;
  for (int batch = 0; batch < kBatches; ++batch) {
    for (int i = 0; i < kBatch; ++i) {
      const auto to = static_cast<NodeId>(i % 3);
      bench.net.send(kC0, to, std::to_string(batch * kBatch + i));
    }
    sent += kBatch;
    REQUIRE(bench.settle(sent));
  }
  const UdpStats stats = bench.net.stats();
  CHECK(stats.sent == 4000);
  CHECK(stats.dropped >= 650);
  CHECK(stats.dropped <= 950);
  CHECK(stats.duplicated >= 215);
  CHECK(stats.duplicated <= 425);
  CHECK(stats.delivered == stats.sent - stats.dropped + stats.duplicated);

  // The receivers saw exactly what the counters say, and no datagram more than twice.
  const auto received = bench.recorder.received();
  CHECK(received.size() == stats.delivered);
  std::map<std::string, int> copies;
  for (const Datagram& d : received)
    ++copies[d.payload];
  CHECK(copies.size() == stats.sent - stats.dropped);
  CHECK(std::all_of(copies.begin(), copies.end(), [](const auto& c) { return c.second <= 2; }));
}

TEST_CASE("response loss drops responses and spares requests", "[udp][faults]") {
  FaultPlan plan = reliable();
  plan.response_loss_probability = 1.0;
  Bench bench(plan);
  bench.net.send(kC0, kR0, "call", MessageClass::request);
  bench.net.send(kR0, kC0, "reply", MessageClass::response);
  REQUIRE(bench.settle(2));
  const auto received = bench.recorder.received();
  REQUIRE(received.size() == 1);
  CHECK(received[0].payload == "call");
  const auto drops = bench.recorder.events(TraceKind::drop, "reply");
  REQUIRE(drops.size() == 1);
  CHECK(drops[0].detail == "response lost");
  CHECK(bench.net.stats().dropped == 1);
}

TEST_CASE("a datagram never arrives before delay_min_ms", "[udp][faults]") {
  FaultPlan plan = reliable();
  plan.delay_min_ms = 20;
  plan.delay_max_ms = 60;
  Bench bench(plan, 3);
  constexpr int kCount = 30;
  for (int i = 0; i < kCount; ++i)
    bench.net.send(kR0, kR1, "d" + std::to_string(i));
  REQUIRE(bench.settle(kCount));

  const auto received = bench.recorder.received_by(kR1);
  REQUIRE(received.size() == kCount);
  for (const Datagram& d : received) {
    const auto sends = bench.recorder.events(TraceKind::send, d.payload);
    const auto delivers = bench.recorder.events(TraceKind::deliver, d.payload);
    REQUIRE(sends.size() == 1);
    REQUIRE(delivers.size() == 1);
    INFO(d.payload << " sent at " << sends[0].time << " ms, delivered at " << delivers[0].time);
    CHECK(delivers[0].time - sends[0].time >= 20);
    CHECK(d.received_ms - sends[0].time >= 20);
  }
}

TEST_CASE("a one-way cut drops exactly one direction", "[udp][partition]") {
  Bench bench(reliable());
  TimelineEvent cut;
  cut.kind = TimelineKind::cut;
  cut.from = {kR0};
  cut.to = {kR1};
  bench.net.apply_now(cut);
  CHECK_FALSE(bench.net.connected(kR0, kR1));
  CHECK(bench.net.connected(kR1, kR0));
  CHECK(bench.net.connected(kR0, kR2));

  constexpr int kEach = 20;
  for (int i = 0; i < kEach; ++i) {
    bench.net.send(kR0, kR1, "there " + std::to_string(i));
    bench.net.send(kR1, kR0, "back " + std::to_string(i));
  }
  REQUIRE(bench.settle(2 * kEach));
  CHECK(bench.recorder.received_by(kR1).empty());
  CHECK(bench.recorder.received_by(kR0).size() == kEach);
  CHECK(bench.net.stats().cut == kEach);
  const auto partitions = bench.recorder.events(TraceKind::partition);
  REQUIRE(partitions.size() == 1);
  CHECK(partitions[0].detail == "cut r0 -> r1");
}

TEST_CASE("a partition cuts both ways between its sides until a heal", "[udp][partition]") {
  Bench bench(reliable());
  TimelineEvent partition;
  partition.kind = TimelineKind::partition;
  partition.groups = {{kR0}, {kR1, kR2, kC0}};
  bench.net.apply_now(partition);

  bench.net.send(kR0, kR1, "across");
  bench.net.send(kR2, kR0, "across back");
  bench.net.send(kR1, kR2, "same side");
  REQUIRE(bench.settle(3));
  CHECK(bench.recorder.received_by(kR0).empty());
  CHECK(bench.recorder.received_by(kR1).empty());
  REQUIRE(bench.recorder.received_by(kR2).size() == 1);
  CHECK(bench.net.stats().cut == 2);

  bench.net.heal_all();
  CHECK(bench.net.connected(kR0, kR1));
  bench.net.send(kR0, kR1, "healed");
  REQUIRE(bench.settle(4));
  const auto at_r1 = bench.recorder.received_by(kR1);
  REQUIRE(at_r1.size() == 1);
  CHECK(at_r1[0].payload == "healed");
  CHECK(bench.recorder.events(TraceKind::heal).size() == 1);
}

TEST_CASE("a partition that begins while a datagram is delayed loses it on arrival",
          "[udp][partition]") {
  FaultPlan plan = reliable();
  plan.delay_min_ms = 100;
  plan.delay_max_ms = 100;
  Bench bench(plan);
  // send() and apply_now() reach the injector in this order: the datagram passes the check at
  // send, and the partition is in place long before its 100 ms are over.
  bench.net.send(kR0, kR1, "in flight");
  TimelineEvent partition;
  partition.kind = TimelineKind::partition;
  partition.groups = {{kR0}, {kR1}};
  bench.net.apply_now(partition);
  REQUIRE(bench.settle(1));

  CHECK(bench.recorder.received().empty());
  CHECK(bench.net.stats().cut == 1);
  const auto drops = bench.recorder.events(TraceKind::drop, "in flight");
  REQUIRE(drops.size() == 1);
  CHECK(drops[0].detail == "cut");
  const auto sends = bench.recorder.events(TraceKind::send, "in flight");
  REQUIRE(sends.size() == 1);
  CHECK(drops[0].time - sends[0].time >= 100);
}

TEST_CASE("the timeline plays in real time and majority windows follow it", "[udp][timeline]") {
  FaultPlan plan = reliable();
  TimelineEvent split;
  split.at_ms = 30;
  split.kind = TimelineKind::partition;
  split.groups = {{kR0}, {kR1}, {kR2}};
  TimelineEvent heal;
  heal.at_ms = 60;
  heal.kind = TimelineKind::heal;
  plan.timeline = {split, heal};
  Bench bench(plan);
  REQUIRE(bench.recorder.wait_for_events(TraceKind::heal));

  const auto partitions = bench.recorder.events(TraceKind::partition);
  REQUIRE(partitions.size() == 1);
  CHECK(partitions[0].time >= 30);
  CHECK(partitions[0].detail == "r0 | r1 | r2");
  const Time healed_at = bench.recorder.events(TraceKind::heal)[0].time;
  CHECK(healed_at >= 60);
  CHECK(bench.net.connected(kR0, kR1));

  // Without a majority from the split to the heal: two windows, before and after.
  const auto windows = bench.net.majority_windows();
  REQUIRE(windows.size() >= 1);
  // Each window edge is read from the clock just before the event's trace line.
  CHECK(windows[0].begin == 0);
  CHECK(windows[0].end >= 30);
  CHECK(windows[0].end <= partitions[0].time);
  if (windows.size() == 2) {  // the second opens at the heal, once a millisecond has passed
    CHECK(windows[1].begin >= 60);
    CHECK(windows[1].begin <= healed_at);
  }
  CHECK(windows.size() <= 2);
}

TEST_CASE("a crash calls the hook, loses datagrams to and from the node, and a restart ends it",
          "[udp][crash]") {
  HookLog log;
  Recorder after_restart;
  UdpNetwork* network = nullptr;
  NodeHooks hooks = log.hooks();
  hooks.restart = [&](NodeId id) {
    log.hooks().restart(id);
    network->attach(id, after_restart.receiver());  // the fresh node's receiver
  };
  Bench bench(reliable(), 1, hooks);
  network = &bench.net;

  TimelineEvent crash;
  crash.kind = TimelineKind::crash;
  crash.node = kR1;
  bench.net.apply_now(crash);  // returns after the hook ran
  CHECK(log.calls() == std::vector<std::string>{"crash r1"});
  CHECK_FALSE(bench.net.is_up(kR1));

  bench.net.send(kR0, kR1, "to the dead");
  bench.net.send(kR1, kR0, "from the dead");
  REQUIRE(bench.settle(2));
  CHECK(bench.recorder.received().empty());
  CHECK(bench.net.stats().to_down_node == 1);
  CHECK(bench.net.stats().from_down_node == 1);
  const auto drops = bench.recorder.events(TraceKind::drop, "to the dead");
  REQUIRE(drops.size() == 1);
  CHECK(drops[0].detail == "down");

  bench.net.restart_all();
  CHECK(log.calls() == std::vector<std::string>{"crash r1", "restart r1"});
  CHECK(bench.net.is_up(kR1));
  bench.net.send(kR0, kR1, "welcome back");
  REQUIRE(bench.settle(3));
  const auto fresh = after_restart.received();
  REQUIRE(fresh.size() == 1);
  CHECK(fresh[0].payload == "welcome back");
  CHECK(bench.recorder.received().empty());  // the crashed node's receiver was detached
}

TEST_CASE("crashes and restarts on the timeline call the hooks at their times", "[udp][crash]") {
  HookLog log;
  FaultPlan plan = reliable();
  TimelineEvent crash;
  crash.at_ms = 40;
  crash.kind = TimelineKind::crash;
  crash.node = kC0;
  TimelineEvent restart = crash;
  restart.at_ms = 80;
  restart.kind = TimelineKind::restart;
  plan.timeline = {crash, restart};
  Bench bench(plan, 1, log.hooks());

  REQUIRE(log.wait_for_calls(2));
  CHECK(log.calls() == std::vector<std::string>{"crash c0", "restart c0"});
  const auto crashes = bench.recorder.events(TraceKind::crash);
  REQUIRE(crashes.size() == 1);
  CHECK(crashes[0].to == kC0);
  CHECK(crashes[0].time >= 40);
  CHECK(bench.recorder.events(TraceKind::restart)[0].time >= 80);
  CHECK(bench.net.is_up(kC0));
}

TEST_CASE("malformed datagrams and strangers are counted and never reach a node", "[udp][wire]") {
  Bench bench(reliable());
  asio::io_context io;
  asio::ip::udp::socket outsider(io, asio::ip::udp::endpoint(asio::ip::udp::v4(), 0));
  const asio::ip::udp::endpoint r0(asio::ip::make_address("127.0.0.1"), bench.net.port(kR0));

  std::string bad_version = encode_frame("hi");
  bad_version[4] = 7;
  const std::string trailing = encode_frame("hi") + "x";
  outsider.send_to(asio::buffer(std::string("abc")), r0);  // shorter than a length field
  outsider.send_to(asio::buffer(bad_version), r0);
  outsider.send_to(asio::buffer(trailing), r0);
  outsider.send_to(asio::buffer(encode_frame("valid, but from nobody")), r0);

  REQUIRE(bench.recorder.wait_for_events(TraceKind::drop, 4));
  CHECK(bench.net.stats().malformed == 3);
  CHECK(bench.net.stats().strangers == 1);
  CHECK(bench.recorder.received().empty());
  CHECK(bench.net.stats().wire_received == 4);
  const auto drops = bench.recorder.events(TraceKind::drop);
  REQUIRE(drops.size() == 4);
  CHECK(drops[1].detail == "malformed: unknown wire version 7 at byte 4");

  // The node's socket still works.
  bench.net.send(kR1, kR0, "still here");
  REQUIRE(bench.recorder.wait_for_events(TraceKind::deliver));
  REQUIRE(bench.recorder.received().size() == 1);
  CHECK(bench.recorder.received()[0].payload == "still here");
}

namespace {

// The process's open file descriptors (Linux): sockets among them.
std::size_t open_descriptors() {
  const std::filesystem::directory_iterator fds("/proc/self/fd");
  return static_cast<std::size_t>(std::distance(begin(fds), end(fds)));
}

}  // namespace

TEST_CASE("stop closes every socket, is idempotent, and ignores later datagrams", "[udp]") {
  const auto nodes = static_cast<std::size_t>(kTopology.size());
  const std::size_t before = open_descriptors();
  Recorder recorder;
  {
    UdpNetwork net(kTopology, reliable(), 1);
    net.set_observer(recorder.observer());
    net.attach(kR0, recorder.receiver());
    net.start();
    const std::size_t running = open_descriptors();
    CHECK(running >= before + nodes);
    net.send(kR1, kR0, "before");
    REQUIRE(recorder.wait_for_events(TraceKind::deliver));
    net.stop();
    CHECK(open_descriptors() == running - nodes);  // the io_context keeps its own until the end
    net.stop();
    net.send(kR1, kR0, "after");
    net.note(kR1, "after");
    CHECK(net.stats().sent == 1);
  }
  CHECK(open_descriptors() == before);
  CHECK(recorder.received().size() == 1);
  CHECK(recorder.events(TraceKind::note).empty());
}

TEST_CASE("notes from any thread join the trace", "[udp]") {
  Bench bench(reliable());
  bench.net.note(kC0, "invoke add 1");
  REQUIRE(bench.recorder.wait_for_events(TraceKind::note));
  const auto notes = bench.recorder.events(TraceKind::note);
  CHECK(notes[0].from == kC0);
  CHECK(notes[0].payload == "invoke add 1");
}

// ---- Inbox -------------------------------------------------------------------------------------

TEST_CASE("an inbox lets a node's coroutine await its datagrams", "[udp][inbox]") {
  //! [inbox]
  asio::io_context node_io;
  Inbox inbox(node_io.get_executor());
  UdpNetwork net(kTopology, reliable(), 1);
  net.attach(kR0, inbox.receiver());
  net.start();
  for (int i = 0; i < 3; ++i)
    net.send(kC0, kR0, "m" + std::to_string(i));

  std::vector<std::string> got;
  bool timed_out = false;
  asio::co_spawn(
      node_io,
      [&]() -> asio::awaitable<void> {
        while (got.size() < 3) {
          auto datagram = co_await inbox.receive_for(20s);
          if (!datagram) co_return;
          got.push_back(datagram->payload);
        }
        timed_out = !(co_await inbox.receive_for(10ms)).has_value();
      },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
      });
  node_io.run();  // returns when the coroutine is done
  //! [inbox]

  std::sort(got.begin(), got.end());  // with no delay they may still pass each other on the wire
  CHECK(got == std::vector<std::string>{"m0", "m1", "m2"});
  CHECK(timed_out);
  net.attach(kR0, {});  // before node_io goes: nothing may post to it afterwards
}

TEST_CASE("an inbox drops what arrives when full, and close wakes a waiter", "[udp][inbox]") {
  asio::io_context node_io;
  Inbox inbox(node_io.get_executor(), 2);
  const Receiver deliver = inbox.receiver();
  for (int i = 0; i < 3; ++i)
    deliver(Datagram{kC0, kR0, std::to_string(i), 0});
  node_io.poll();
  CHECK(inbox.size() == 2);
  CHECK(inbox.overflowed() == 1);

  std::vector<std::optional<Datagram>> results;
  asio::co_spawn(
      node_io,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i)
          results.push_back(co_await inbox.receive());
      },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
      });
  node_io.restart();  // the first poll() ran out of work, which stops an io_context
  node_io.poll();     // two datagrams received, the third receive() waits
  REQUIRE(results.size() == 2);
  CHECK(results[0]->payload == "0");
  CHECK(results[1]->payload == "1");
  inbox.close();
  node_io.restart();
  node_io.poll();
  REQUIRE(results.size() == 3);
  CHECK_FALSE(results[2].has_value());
}

}  // namespace ladder::net
