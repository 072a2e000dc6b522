/// \file
/// Exercise 10's grading tests: value and merge by hand, merge's algebra over every small counter,
/// and then the proof: level 4's explorer runs the PN-counter with your merge through every
/// interleaving of adds, gossip, deliveries, drops and duplicates within the bounds, and every
/// invariant holds in every state, with the exact number of states the correct merge reaches.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "level4_explore/explorer.hpp"
#include "level4_explore/pn_model.hpp"
#include "pn_merge.hpp"

namespace {

using namespace ladder;
using level4::pn::Config;
using level4::pn::Counter;

Counter counter(std::vector<std::uint8_t> p, std::vector<std::uint8_t> n) {
  Counter c;
  for (std::size_t i = 0; i < p.size(); ++i)
    c.p[i] = p[i];
  for (std::size_t i = 0; i < n.size(); ++i)
    c.n[i] = n[i];
  return c;
}

// Every counter of two replicas with entries 0 .. 2: 81 of them.
std::vector<Counter> small_counters() {
  std::vector<Counter> all;
  for (int code = 0; code < 81; ++code) {
    int rest = code;
    Counter c;
    for (std::size_t i = 0; i < 2; ++i) {
      c.p[i] = static_cast<std::uint8_t>(rest % 3);
      rest /= 3;
      c.n[i] = static_cast<std::uint8_t>(rest % 3);
      rest /= 3;
    }
    all.push_back(c);
  }
  return all;
}

level4::pn::Model model_with_your_code(const Config& config) {
  return level4::pn::Model(config, &ex10::merge, &ex10::value);
}

TEST_CASE("part 1: value is the increments minus the decrements") {
  CHECK(ex10::value(Counter{}) == 0);
  CHECK(ex10::value(counter({2, 0, 1}, {0, 0, 0})) == 3);
  CHECK(ex10::value(counter({1, 0, 0, 4}, {0, 3, 0, 1})) == 1);
  CHECK(ex10::value(counter({0, 0}, {200, 200})) == -400);
}

TEST_CASE("part 2: merge keeps the newer news entry by entry") {
  CHECK(ex10::merge(counter({3, 0, 1}, {0, 2, 0}), counter({1, 4, 1}, {1, 0, 0})) ==
        counter({3, 4, 1}, {1, 2, 0}));
  // What a replica already knows does not come back larger when a peer echoes it.
  CHECK(ex10::merge(counter({2, 0}, {1, 0}), counter({2, 0}, {1, 0})) == counter({2, 0}, {1, 0}));
  CHECK(ex10::merge(counter({0, 5}, {}), Counter{}) == counter({0, 5}, {}));
}

TEST_CASE("part 2: merge is commutative and associative and idempotent") {
  const std::vector<Counter> all = small_counters();
  for (const Counter& a : all) {
    CHECK(ex10::merge(a, a) == a);
    for (const Counter& b : all) {
      const Counter ab = ex10::merge(a, b);
      REQUIRE(ab == ex10::merge(b, a));
      // Merging again with either side changes nothing: a duplicated message is harmless.
      REQUIRE(ex10::merge(ab, b) == ab);
      REQUIRE(ex10::merge(ab, a) == ab);
    }
  }
  // Associativity on a sample: every triple would be 531,441 merges.
  for (std::size_t i = 0; i < all.size(); i += 7) {
    for (std::size_t j = 0; j < all.size(); j += 5) {
      for (std::size_t k = 0; k < all.size(); k += 3) {
        REQUIRE(ex10::merge(ex10::merge(all[i], all[j]), all[k]) ==
                ex10::merge(all[i], ex10::merge(all[j], all[k])));
      }
    }
  }
}

TEST_CASE("part 3: every interleaving of 2 replicas converges in 3328 states") {
  // 2 replicas, 2 adds of +1 or -1, one drop, one duplicate, at most 2 messages in flight.
  level4::Options options;
  options.liveness = true;
  const auto result = level4::explore(model_with_your_code(Config{2, 2, 1, 1, 2}), options);
  if (result.violation) FAIL(result.violation->message);
  if (result.liveness) FAIL(result.liveness->message);
  CHECK(result.summary.complete());
  CHECK(result.summary.states == 3'328);
}

TEST_CASE("part 3: every interleaving of 3 replicas converges in 10138 states") {
  const auto result = level4::explore(model_with_your_code(Config{3, 2, 1, 1, 2}));
  if (result.violation) FAIL(result.violation->message);
  CHECK(result.summary.complete());
  CHECK(result.summary.states == 10'138);
}

TEST_CASE("part 3: the explorer catches a merge that sums in three events") {
  // The classic wrong merge, checked with your value(): the explorer must find it, and the
  // shortest counterexample is: replica 0 adds, gossips, and replica 1 receives. Replica 1 now
  // holds replica 0's +1, and one more exchange would count it twice.
  const Config config{2, 2, 1, 1, 2};
  const level4::pn::Model wrong(config, &level4::pn::merge_by_sum, &ex10::value);
  const auto result = level4::explore(wrong);
  REQUIRE(result.violation.has_value());
  std::vector<std::string> events;
  for (const auto& event : result.violation->events)
    events.push_back(wrong.describe(event));
  CHECK(events == std::vector<std::string>{"add r0 +1", "gossip r0", "deliver 0>1 p[1,0] n[0,0]"});
}

}  // namespace
