/// \file
/// Whole runs on real threads and real UDP under scripted faults. Real time makes every run
/// different, so these tests assert only what must hold in every interleaving: with the fixed
/// protocol, nothing acknowledged is lost, nothing is applied twice, the replicas converge, and a
/// view change happens when the primary goes. Every wait is bounded by the run itself.

#include <algorithm>
#include <numeric>

#include <catch2/catch.hpp>

#include "level2_async/run.hpp"
#include "network/scenario.hpp"

namespace {

using namespace ladder;
using level2::ScriptedFault;
using level2::Variant;

// A calm network with short delays: the faults come from the script.
net::Scenario scripted(int operations) {
  net::Scenario scenario;
  scenario.name = "scripted";
  scenario.replicas = 3;
  scenario.workload.clients = 1;
  scenario.workload.operations = operations;
  scenario.workload.delta_min = 1;
  scenario.workload.delta_max = 5;
  scenario.workload.think_min_ms = 2;
  scenario.workload.think_max_ms = 8;
  scenario.faults.delay_min_ms = 1;
  scenario.faults.delay_max_ms = 3;
  scenario.stuck_after_ms = 4000;
  return scenario;
}

net::TimelineEvent crash(net::NodeId node) {
  net::TimelineEvent event;
  event.kind = net::TimelineKind::crash;
  event.node = node;
  return event;
}

net::TimelineEvent partition(std::vector<std::vector<net::NodeId>> groups) {
  net::TimelineEvent event;
  event.kind = net::TimelineKind::partition;
  event.groups = std::move(groups);
  return event;
}

net::TimelineEvent heal() {
  return net::TimelineEvent{};  // kind heal
}

level2::RunOptions fixed(std::vector<ScriptedFault> script) {
  level2::RunOptions options;
  options.variant = Variant::fixed;
  options.script = std::move(script);
  return options;
}

// The checks every fixed run must pass, whatever the interleaving.
void require_correct(const level2::RunResult& result) {
  INFO(result.verdict.summary());
  CHECK_FALSE(result.verdict.has(spec::FindingKind::lost));
  CHECK_FALSE(result.verdict.has(spec::FindingKind::duplicated));
  CHECK_FALSE(result.verdict.has(spec::FindingKind::diverged));
  CHECK(result.settled);
  REQUIRE(result.replicas.size() == 3);
  for (const level2::ReplicaReport& replica : result.replicas) {
    CHECK(replica.value == result.replicas.front().value);
    CHECK(replica.invariant_breaks == 0);
  }
}

std::int64_t acknowledged_sum(const spec::History& history) {
  std::int64_t sum = 0;
  for (const spec::Operation& op : history.operations()) {
    if (op.kind == spec::OpKind::add && op.outcome == spec::Outcome::ok) sum += op.delta;
  }
  return sum;
}

}  // namespace

TEST_CASE("fixed, calm network: every add is acknowledged and every replica holds the sum") {
  const level2::RunResult result = level2::run(scripted(12), 1, fixed({}));
  require_correct(result);
  const auto ops = result.record.history.operations();
  CHECK(std::all_of(ops.begin(), ops.end(),
                    [](const spec::Operation& op) { return op.outcome == spec::Outcome::ok; }));
  CHECK(result.replicas.front().value == acknowledged_sum(result.record.history));
  CHECK(result.replicas.front().view == 0);
}

TEST_CASE(
    "fixed: the primary crashes after 4 acknowledged adds, and a view change completes and "
    "nothing acknowledged is lost") {
  const level2::RunResult result = level2::run(scripted(12), 2, fixed({{4, crash(0)}}));
  require_correct(result);
  // The acknowledged adds all survived the failover, and the cluster moved on to a new view.
  CHECK(result.replicas.front().value >= acknowledged_sum(result.record.history));
  CHECK(result.replicas.front().view >= 1);
  CHECK(result.verdict.ok());
}

TEST_CASE(
    "fixed: the primary is partitioned away after 3 acknowledged adds, then healed after "
    "8, and the replicas converge with every acknowledged add") {
  const level2::RunResult result =
      level2::run(scripted(14), 3, fixed({{3, partition({{0}, {1, 2, 3}})}, {8, heal()}}));
  require_correct(result);
  CHECK(result.replicas.front().view >= 1);
  CHECK(result.verdict.ok());
}

TEST_CASE(
    "fixed: a network that drops, duplicates and reorders loses nothing and duplicates "
    "nothing") {
  net::Scenario scenario = scripted(16);
  scenario.faults.drop_probability = 0.1;
  scenario.faults.duplicate_probability = 0.2;
  scenario.faults.delay_max_ms = 20;
  const level2::RunResult result = level2::run(scenario, 5, fixed({}));
  require_correct(result);
  CHECK(result.stats.dropped > 0);
  CHECK(result.stats.duplicated > 0);
}

namespace {

net::TimelineEvent cut(std::vector<net::NodeId> from, std::vector<net::NodeId> to) {
  net::TimelineEvent event;
  event.kind = net::TimelineKind::cut;
  event.from = std::move(from);
  event.to = std::move(to);
  return event;
}

}  // namespace

TEST_CASE(
    "the planted bug's scene: r0's messages stop reaching r1, r1 leads the next view, and "
    "fixed keeps every acknowledged add") {
  // r0 keeps committing with r2's acks while r1 hears nothing, until r1 times out and becomes
  // primary of view 1 with r2's DoViewChange: the freshest log is r2's, not r1's own.
  const level2::RunResult result =
      level2::run(scripted(16), 6, fixed({{2, cut({0}, {1})}, {10, heal()}}));
  require_correct(result);
  CHECK(result.verdict.ok());
}

TEST_CASE("the planted bug's scene under first-release: acknowledged adds disappear") {
  level2::RunOptions options = fixed({{2, cut({0}, {1})}, {10, heal()}});
  options.variant = Variant::first_release;
  const level2::RunResult result = level2::run(scripted(16), 6, options);
  INFO(result.verdict.summary());
  CHECK(result.verdict.has(spec::FindingKind::lost));
}
