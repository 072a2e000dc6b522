// The naive replica and client one message at a time, on a quiet network (every message arrives
// after exactly 1 ms), against scripted probe nodes.

#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "counter_spec/history.hpp"
#include "level0/naive_client.hpp"
#include "level0/naive_replica.hpp"
#include "network/sim_network.hpp"

namespace net = ladder::net;
namespace spec = ladder::spec;
using ladder::level0::ClientSetup;
using ladder::level0::kReplyTimeoutMs;
using ladder::level0::NaiveClient;
using ladder::level0::NaiveReplica;

namespace {

// A node that sends scripted payloads at scripted times and keeps what it receives.
class Probe final : public net::SimNode {
 public:
  struct Send {
    net::Time at_ms = 0;
    net::NodeId to = 0;
    std::string payload;
  };
  explicit Probe(std::vector<Send> script) : script_(std::move(script)) {}

  void on_start(net::NodeContext& ctx) override {
    for (std::size_t i = 0; i < script_.size(); ++i)
      ctx.set_timer(script_[i].at_ms, i);
  }
  void on_timer(net::NodeContext& ctx, std::uint64_t tag) override {
    ctx.send(script_[tag].to, script_[tag].payload);
  }
  void on_message(net::NodeContext&, net::NodeId, std::string_view payload) override {
    received.emplace_back(payload);
  }
  std::vector<std::string> received;

 private:
  std::vector<Send> script_;
};

// A stand-in replica: answers every message with the same scripted replies, and keeps what it got.
class Responder final : public net::SimNode {
 public:
  explicit Responder(std::vector<std::string> replies = {}) : replies_(std::move(replies)) {}
  void on_message(net::NodeContext& ctx, net::NodeId from, std::string_view payload) override {
    received.emplace_back(payload);
    if (payload != "get") return;
    for (const auto& reply : replies_)
      ctx.send(from, reply, net::MessageClass::response);
  }
  std::vector<std::string> received;

 private:
  std::vector<std::string> replies_;
};

// A network on which every message arrives 1 ms after it was sent, and nothing else happens.
net::FaultPlan quiet_plan() {
  net::FaultPlan plan;
  plan.delay_min_ms = 1;
  plan.delay_max_ms = 1;
  return plan;
}

ClientSetup client_setup(net::Topology topology, int index, std::vector<net::PlannedOp> ops,
                         spec::History& history) {
  return ClientSetup{index, topology.client(index), topology, std::move(ops), &history};
}

void run_to_quiet(net::SimNetwork& network) {
  network.start();
  REQUIRE(network.run_until_quiet(100'000));
}

net::PlannedOp add(std::int64_t delta) {
  return net::PlannedOp{false, delta, 0};
}
net::PlannedOp read() {
  return net::PlannedOp{true, 0, 0};
}

}  // namespace

TEST_CASE("a replica answers get with its value and obeys store", "[replica]") {
  const net::Topology topology{1, 1};
  NaiveReplica replica;
  Probe probe({{0, 0, "get"}, {5, 0, "store 20"}, {10, 0, "get"}});
  net::SimNetwork network(topology, quiet_plan(), 1);
  network.attach(0, replica);
  network.attach(1, probe);
  run_to_quiet(network);

  CHECK(probe.received == std::vector<std::string>{"value 0", "value 20"});
  CHECK(replica.value() == 20);
  CHECK(replica.rejected() == 0);
}

TEST_CASE("a replica ignores and counts malformed messages and keeps serving", "[replica]") {
  const net::Topology topology{1, 1};
  NaiveReplica replica;
  Probe probe({{0, 0, "garbage"},
               {0, 0, "value 3"},  // well-formed, but a replica has no use for a reply
               {0, 0, "store 7"},
               {0, 0, "store 8 9"},
               {0, 0, std::string("store \0", 7)},
               {5, 0, "get"}});
  net::SimNetwork network(topology, quiet_plan(), 1);
  network.attach(0, replica);
  network.attach(1, probe);
  run_to_quiet(network);

  CHECK(replica.rejected() == 4);
  CHECK(replica.value() == 7);
  CHECK(probe.received == std::vector<std::string>{"value 7"});
}

TEST_CASE("a replica's crash loses its value: it restarts at 0", "[replica]") {
  const net::Topology topology{1, 1};
  net::FaultPlan plan = quiet_plan();
  plan.timeline = {{20, net::TimelineKind::crash, {}, {}, {}, 0},
                   {30, net::TimelineKind::restart, {}, {}, {}, 0}};
  NaiveReplica replica;
  Probe probe({{0, 0, "store 9"}, {10, 0, "get"}, {40, 0, "get"}});
  net::SimNetwork network(topology, plan, 1);
  network.attach(0, replica);
  network.attach(1, probe);
  run_to_quiet(network);

  CHECK(probe.received == std::vector<std::string>{"value 9", "value 0"});
  CHECK(replica.value() == 0);
}

TEST_CASE("client i reads from replica i % replicas", "[client]") {
  const net::Topology topology{2, 3};
  spec::History history;
  CHECK(NaiveClient(client_setup(topology, 0, {}, history)).home() == 0);
  CHECK(NaiveClient(client_setup(topology, 1, {}, history)).home() == 1);
  CHECK(NaiveClient(client_setup(topology, 2, {}, history)).home() == 0);
}

TEST_CASE("an add stores home's value plus delta everywhere and is ok before any store lands",
          "[client]") {
  const net::Topology topology{3, 1};
  spec::History history;
  Responder home({"value 10"});
  Responder r1;
  Responder r2;
  NaiveClient client(client_setup(topology, 0, {add(3)}, history));
  net::SimNetwork network(topology, quiet_plan(), 1);
  network.attach(0, home);
  network.attach(1, r1);
  network.attach(2, r2);
  network.attach(3, client);
  run_to_quiet(network);

  CHECK(home.received == std::vector<std::string>{"get", "store 13"});
  CHECK(r1.received == std::vector<std::string>{"store 13"});
  CHECK(r2.received == std::vector<std::string>{"store 13"});
  REQUIRE(client.done());
  const auto ops = history.operations();
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].outcome == spec::Outcome::ok);
  // get sent at 0, arrives at 1; the value arrives at 2 and the add is ok at once, while the
  // stores it sent are still in flight (they land at 3): nobody waits for them.
  CHECK(ops[0].completed == 2);
}

TEST_CASE("a client ignores and counts malformed replies and completes on a good one", "[client]") {
  const net::Topology topology{1, 1};
  spec::History history;
  Responder home({"valu 3", "value 3 4", "get", "store 4", "value 5"});
  NaiveClient client(client_setup(topology, 0, {read()}, history));
  net::SimNetwork network(topology, quiet_plan(), 1);
  network.attach(0, home);
  network.attach(1, client);
  run_to_quiet(network);

  CHECK(client.rejected() == 4);
  REQUIRE(client.done());
  const auto ops = history.operations();
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].outcome == spec::Outcome::ok);
  CHECK(ops[0].read_value == 5);
}

TEST_CASE("a client records fail when the reply does not come in time, and sends no store",
          "[client]") {
  const net::Topology topology{1, 1};
  spec::History history;
  Responder silent;  // receives, never answers
  NaiveClient client(client_setup(topology, 0, {add(3), read()}, history));
  net::SimNetwork network(topology, quiet_plan(), 1);
  network.attach(0, silent);
  network.attach(1, client);
  run_to_quiet(network);

  REQUIRE(client.done());
  const auto ops = history.operations();
  REQUIRE(ops.size() == 2);
  CHECK(ops[0].outcome == spec::Outcome::fail);
  CHECK(ops[0].completed == kReplyTimeoutMs);
  CHECK(ops[1].outcome == spec::Outcome::fail);
  CHECK(ops[1].completed == 2 * kReplyTimeoutMs);
  // The add failed before it had a value to store: nothing but the two gets reached the replica.
  CHECK(silent.received == std::vector<std::string>{"get", "get"});
}

TEST_CASE("a reply that arrives after the timeout is counted and ignored", "[client]") {
  const net::Topology topology{1, 1};
  spec::History history;
  net::FaultPlan slow = quiet_plan();
  slow.delay_min_ms = kReplyTimeoutMs;  // get arrives at 50, the value at 100: too late
  slow.delay_max_ms = kReplyTimeoutMs;
  NaiveReplica replica;
  NaiveClient client(client_setup(topology, 0, {read()}, history));
  net::SimNetwork network(topology, slow, 1);
  network.attach(0, replica);
  network.attach(1, client);
  run_to_quiet(network);

  REQUIRE(client.done());
  const auto ops = history.operations();
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].outcome == spec::Outcome::fail);
  CHECK(client.rejected() == 1);
}
