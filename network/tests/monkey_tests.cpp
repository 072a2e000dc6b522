// The workload planner and the monkey: both draw everything from a seed, so a run can be
// replayed from the seed alone, and the monkey's plans must be valid scenarios a reader can save.

#include <catch2/catch.hpp>

#include <set>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "network/scenario.hpp"
#include "network/sim_network.hpp"
#include "network/tests/test_nodes.hpp"

using namespace ladder::net;

namespace {

Workload busy_workload() {
  Workload w;
  w.clients = 2;
  w.operations = 50;
  w.delta_min = 1;
  w.delta_max = 9;
  w.read_probability = 0.3;
  w.think_min_ms = 2;
  w.think_max_ms = 8;
  return w;
}

bool same_ops(const std::vector<PlannedOp>& a, const std::vector<PlannedOp>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].read != b[i].read || a[i].delta != b[i].delta || a[i].think_ms != b[i].think_ms) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("plan_workload draws within the workload's ranges", "[workload]") {
  const auto plan = plan_workload(busy_workload(), 3);
  REQUIRE(plan.size() == 2);
  int reads = 0;
  for (const auto& ops : plan) {
    REQUIRE(ops.size() == 50);
    for (const auto& op : ops) {
      if (op.read) {
        ++reads;
        CHECK(op.delta == 0);
      } else {
        CHECK(op.delta >= 1);
        CHECK(op.delta <= 9);
      }
      CHECK(op.think_ms >= 2);
      CHECK(op.think_ms <= 8);
    }
  }
  // 100 operations, p = 0.3: 30 expected, sigma ~ 4.6.
  CHECK(reads > 7);
  CHECK(reads < 53);
}

TEST_CASE("plan_workload is a function of the seed, and each client has its own stream",
          "[workload]") {
  const Workload w = busy_workload();
  CHECK(same_ops(plan_workload(w, 3)[0], plan_workload(w, 3)[0]));
  CHECK_FALSE(same_ops(plan_workload(w, 3)[0], plan_workload(w, 4)[0]));
  CHECK_FALSE(same_ops(plan_workload(w, 3)[0], plan_workload(w, 3)[1]));
  Workload more = w;
  more.clients = 3;
  CHECK(same_ops(plan_workload(w, 3)[1], plan_workload(more, 3)[1]));
}

TEST_CASE("read_probability 0 plans adds only, 1 reads only", "[workload]") {
  Workload w = busy_workload();
  w.read_probability = 0.0;
  const auto adds = plan_workload(w, 1);  // a named vector: a temporary's [0] would dangle
  for (const auto& op : adds[0])
    CHECK_FALSE(op.read);
  w.read_probability = 1.0;
  const auto reads = plan_workload(w, 1);
  for (const auto& op : reads[0])
    CHECK(op.read);
}

TEST_CASE("monkey scenarios are valid scenario documents and round-trip", "[monkey]") {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const Scenario s = monkey_scenario(seed, 3, busy_workload());
    INFO("seed " << seed << ": " << s.description);
    CHECK(s.name == "monkey-" + std::to_string(seed));
    CHECK(s.seed == seed);
    const auto doc = to_json(s);
    Scenario again = parse_scenario(doc, s.name, s.name);  // throws on an invalid plan
    CHECK(to_json(again) == doc);
    CHECK(s.faults.drop_probability <= 0.3);
    CHECK(s.faults.duplicate_probability <= 0.2);
    CHECK(s.faults.timeline.size() <= 8);
  }
}

TEST_CASE("monkey plans end healed with every node up", "[monkey]") {
  const Workload w = busy_workload();
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    const Scenario s = monkey_scenario(seed, 3, w);
    INFO("seed " << seed << ": " << s.description);
    test::Bench bench(s.topology(), s.faults, seed);
    bench.net.start();
    const Time end = s.faults.timeline.empty() ? 0 : s.faults.timeline.back().at_ms;
    bench.net.run_until(end);
    for (NodeId a = 0; a < 5; ++a) {
      CHECK(bench.net.is_up(a));
      for (NodeId b = 0; b < 5; ++b)
        CHECK(bench.net.connected(a, b));
    }
  }
}

TEST_CASE("monkey plans differ by seed, repeat for a seed, and use every kind of fault",
          "[monkey]") {
  std::set<std::string> documents;
  std::set<TimelineKind> kinds;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    const Scenario s = monkey_scenario(seed, 3, busy_workload());
    auto doc = to_json(s);
    CHECK(doc == to_json(monkey_scenario(seed, 3, busy_workload())));
    doc.erase("seed");  // the seed differs anyway: compare what was drawn
    documents.insert(doc.dump());
    for (const auto& event : s.faults.timeline)
      kinds.insert(event.kind);
  }
  CHECK(documents.size() == 50);
  CHECK(kinds.size() == 5);
}

TEST_CASE("the monkey describes what it drew", "[monkey]") {
  const Scenario s = monkey_scenario(7, 3, busy_workload());
  const std::string drop = fmt::format("drop {}", s.faults.drop_probability);
  CHECK(s.description.find(drop) != std::string::npos);
  CHECK(s.description.find("seed 7") != std::string::npos);
  for (const auto& event : s.faults.timeline) {
    CHECK(s.description.find(std::to_string(event.at_ms)) != std::string::npos);
  }
}
