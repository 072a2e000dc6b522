// The PN-counter's core and its model: the step's effects by hand, then the explorer on small
// bounds with state counts that Spin confirms (bench/spin_vs_explorer.sh), and the wrong merge
// caught with its shortest counterexample.

#include <catch2/catch.hpp>

#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "level4_explore/explorer.hpp"
#include "level4_explore/pn_model.hpp"

namespace ladder::level4::pn {
// Catch prints a failed comparison's counters with this.
std::ostream& operator<<(std::ostream& out, const Counter& counter) {
  return out << describe(counter, kMaxReplicas);
}
}  // namespace ladder::level4::pn

namespace {

using namespace ladder::level4;
using pn::Config;
using pn::Counter;

static_assert(Model<pn::Model>);

Counter counter(std::vector<std::uint8_t> p, std::vector<std::uint8_t> n) {
  Counter c;
  for (std::size_t i = 0; i < p.size(); ++i)
    c.p[i] = p[i];
  for (std::size_t i = 0; i < n.size(); ++i)
    c.n[i] = n[i];
  return c;
}

Config bounds(std::uint8_t replicas, std::uint8_t adds, std::uint8_t drops, std::uint8_t duplicates,
              std::uint8_t in_flight) {
  return Config{replicas, adds, drops, duplicates, in_flight};
}

TEST_CASE("a local add changes only the replica's own entry", "[level4][pn]") {
  const pn::Replica replica{1, 3, counter({2, 0, 1}, {0, 0, 0})};
  const auto up = pn::step(replica, pn::LocalAdd{2});
  CHECK(up.next.counter == counter({2, 2, 1}, {0, 0, 0}));
  CHECK(up.actions.count == 0);
  const auto down = pn::step(replica, pn::LocalAdd{-1});
  CHECK(down.next.counter == counter({2, 0, 1}, {0, 1, 0}));
  CHECK(pn::value(down.next.counter) == 2);
}

TEST_CASE("a receive merges entry by entry, the larger wins", "[level4][pn]") {
  const pn::Replica replica{0, 3, counter({3, 0, 1}, {0, 2, 0})};
  const auto result = pn::step(replica, pn::Receive{2, counter({1, 4, 1}, {1, 0, 0})});
  CHECK(result.next.counter == counter({3, 4, 1}, {1, 2, 0}));
  CHECK(result.actions.count == 0);
  // Idempotent and commutative: the properties the network's faults need.
  const Counter a = counter({3, 0, 1}, {0, 2, 0});
  const Counter b = counter({1, 4, 1}, {1, 0, 0});
  CHECK(pn::merge(a, b) == pn::merge(b, a));
  CHECK(pn::merge(pn::merge(a, b), b) == pn::merge(a, b));
  CHECK(pn::merge_by_sum(a, a) != a);
}

TEST_CASE("the gossip timer sends the whole counter to every peer, in index order",
          "[level4][pn]") {
  const pn::Replica replica{1, 3, counter({1, 2, 0}, {0, 1, 0})};
  const auto result = pn::step(replica, pn::GossipTimer{});
  REQUIRE(result.actions.count == 2);
  CHECK(result.actions.items[0].to == 0);
  CHECK(result.actions.items[1].to == 2);
  CHECK(result.actions.items[0].counter == replica.counter);
  CHECK(result.next.counter == replica.counter);
}

TEST_CASE("the model's first state offers every add and every gossip", "[level4][pn]") {
  const pn::Model model(bounds(2, 2, 1, 1, 2));
  std::vector<std::pair<pn::Event, pn::State>> out;
  model.successors(model.initial(), out);
  std::vector<std::string> events;
  for (const auto& [event, next] : out)
    events.push_back(model.describe(event));
  CHECK(events == std::vector<std::string>{"add r0 +1", "add r0 -1", "add r1 +1", "add r1 -1",
                                           "gossip r0", "gossip r1"});
  CHECK(model.describe(model.initial()) ==
        "r0 p[0,0] n[0,0] | r1 p[0,0] n[0,0] | net {} | left a2 d1 u1");
  CHECK(model.done(model.initial()));
}

TEST_CASE("bad bounds are refused, naming the field", "[level4][pn]") {
  CHECK_THROWS_WITH(pn::Model(bounds(1, 2, 1, 1, 2)),
                    "PN-counter model: replicas must be 2 .. 4, got 1");
  CHECK_THROWS_WITH(pn::Model(bounds(2, 2, 1, 1, 9)),
                    "PN-counter model: max_in_flight must be 1 .. 8, got 9");
}

// The counts below are Spin's too: bench/spin/pn_counter.pml, same bounds, "states, stored".
TEST_CASE("the PN-counter converges under drop, duplicate and reorder: exact state counts",
          "[level4][pn]") {
  struct Case {
    Config config;
    std::uint64_t states;
  };
  const Case cases[] = {{bounds(2, 2, 1, 1, 2), 3'328}, {bounds(3, 2, 1, 1, 2), 10'138}};
  for (const Case& c : cases) {
    INFO(c.config.describe());
    Options options;
    options.liveness = true;
    const auto result = explore(pn::Model(c.config), options);
    CHECK(result.holds());
    CHECK(result.summary.complete());
    CHECK(result.summary.states == c.states);
    CHECK(result.summary.liveness_checked);
  }
}

TEST_CASE("a merge that sums is caught: the shortest counterexample is three events",
          "[level4][pn]") {
  const pn::Model model(bounds(2, 2, 1, 1, 2), &pn::merge_by_sum);
  const auto result = explore(model);
  REQUIRE(result.violation.has_value());
  std::vector<std::string> events;
  for (const auto& event : result.violation->events)
    events.push_back(model.describe(event));
  CHECK(events == std::vector<std::string>{"add r0 +1", "gossip r0", "deliver 0>1 p[1,0] n[0,0]"});
  CHECK(result.violation->message ==
        "replica 0 would read 2 after merging every other replica's counter, but the adds sum "
        "to 1: no convergence");
}

TEST_CASE("a duplicate alone breaks the sum: the over-count invariant names it", "[level4][pn]") {
  // One replica receiving one message twice: the sum counts replica 0's add twice at replica 1.
  const pn::Model model(bounds(2, 1, 0, 1, 2), &pn::merge_by_sum);
  pn::State state = model.initial();
  std::vector<std::pair<pn::Event, pn::State>> out;
  const auto take = [&](const std::string& event) {
    out.clear();
    model.successors(state, out);
    for (const auto& [e, next] : out) {
      if (model.describe(e) == event) {
        state = next;
        return;
      }
    }
    FAIL("no event " << event);
  };
  take("add r0 +1");
  take("gossip r0");
  take("duplicate 0>1 p[1,0] n[0,0]");
  take("deliver 0>1 p[1,0] n[0,0]");
  take("deliver 0>1 p[1,0] n[0,0]");
  CHECK(model.violation(state) ==
        "replica 1 counts p2 n0 of replica 0, which made only 1 increments and 0 decrements: an "
        "over-count");
}

}  // namespace
