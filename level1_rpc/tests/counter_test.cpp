// Where level 1 breaks, shown on scripted and seeded faults. Every run here has one client
// calling one replica at a time, or no faults at all, so its faults and its verdict are the same
// on every run.

#include <algorithm>
#include <set>
#include <string>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "level1_rpc/run.hpp"
#include "network/scenario.hpp"

namespace {

using ladder::level1::RetryPolicy;
using ladder::level1::RouteFault;
using ladder::level1::RunOptions;
using ladder::spec::FindingKind;

// A scenario file from scenarios/.
ladder::net::Scenario scenario(const std::string& name) {
  return ladder::net::load_scenario(std::string(LADDER_SOURCE_DIR) + "/scenarios/" + name +
                                    ".json");
}

// One client adding 1, `operations` times, on a network that loses nothing unless scripted to:
// the smallest stage on which one fault's effect can be seen alone.
ladder::net::Scenario quiet_adds(int operations) {
  ladder::net::Scenario s;
  s.name = "quiet-adds";
  s.replicas = 3;
  s.workload.clients = 1;
  s.workload.operations = operations;
  s.workload.delta_min = 1;
  s.workload.delta_max = 1;
  s.workload.read_probability = 0.0;
  s.faults.delay_min_ms = 0;
  s.faults.delay_max_ms = 0;
  return s;
}

// The fault `fault` on the `call`-th call from `from` to `to` (topology ids: r0 = 0, c0 = 3).
RouteFault on_call(ladder::net::NodeId from, ladder::net::NodeId to, std::uint64_t call,
                   ladder::net::ProxyFault fault) {
  return RouteFault{.from = from, .to = to, .fault = {.call = call, .fault = fault, .delay_ms = 0}};
}

constexpr ladder::net::NodeId kR0 = 0;
constexpr ladder::net::NodeId kR1 = 1;
constexpr ladder::net::NodeId kC0 = 3;

std::int64_t acknowledged_sum(const ladder::spec::History& history) {
  std::int64_t sum = 0;
  for (const auto& op : history.operations()) {
    if (op.kind == ladder::spec::OpKind::add && op.outcome == ladder::spec::Outcome::ok) {
      sum += op.delta;
    }
  }
  return sum;
}

}  // namespace

TEST_CASE("calm: every replica ends at the sum of the adds", "[level1]") {
  const auto s = scenario("calm");
  const auto result = ladder::level1::run(s, s.seed);
  INFO(result.verdict.summary());
  CHECK(result.verdict.ok());
  CHECK(result.unknown_outcomes == 0);
  for (const auto& replica : result.record.replicas) {
    CHECK(replica.value == acknowledged_sum(result.record.history));
  }
}

TEST_CASE("concurrent-clients: the primary serialises adds, so none is lost", "[level1]") {
  // Level 0 lost updates here when two clients' adds crossed. Level 1's primary applies one add
  // at a time, backups included, so every replica ends at the sum of all three clients' adds.
  const auto s = scenario("concurrent-clients");
  const auto result = ladder::level1::run(s, s.seed);
  INFO(result.verdict.summary());
  CHECK(result.verdict.ok());
  const std::int64_t sum = acknowledged_sum(result.record.history);
  CHECK(sum > 0);
  for (const auto& replica : result.record.replicas)
    CHECK(replica.value == sum);
}

TEST_CASE("a lost reply and a retry apply the same request twice: DUPLICATED names it",
          "[level1]") {
  RunOptions options;
  options.retry = RetryPolicy::on_timeout;
  options.call_deadline = std::chrono::milliseconds(200);
  options.script = {on_call(kC0, kR0, 3, ladder::net::ProxyFault::drop_reply)};
  const auto result = ladder::level1::run(quiet_adds(6), 1, options);
  INFO(result.verdict.summary());
  REQUIRE(result.verdict.has(FindingKind::duplicated));
  CHECK_THAT(result.verdict.summary(), Catch::Contains("applied c0#3 twice"));
  // The client saw six adds succeed; every replica applied seven.
  CHECK(acknowledged_sum(result.record.history) == 6);
  for (const auto& replica : result.record.replicas) {
    CHECK(replica.value == 7);
    CHECK(std::count(replica.applied.begin(), replica.applied.end(),
                     ladder::spec::RequestId{.client = 0, .seq = 3}) == 2);
  }
}

TEST_CASE("a lost reply without a retry leaves an outcome the client can never learn", "[level1]") {
  RunOptions options;
  options.retry = RetryPolicy::never;
  options.call_deadline = std::chrono::milliseconds(200);
  options.script = {on_call(kC0, kR0, 2, ladder::net::ProxyFault::drop_reply),
                    on_call(kC0, kR0, 5, ladder::net::ProxyFault::drop_reply)};
  const auto result = ladder::level1::run(quiet_adds(6), 1, options);
  INFO(result.verdict.summary());
  // Nothing is wrong with the counter: both adds did happen. But the client recorded them as
  // `info`, and nothing it can do will tell it so.
  CHECK(result.verdict.ok());
  CHECK(result.unknown_outcomes == 2);
  CHECK(acknowledged_sum(result.record.history) == 4);
  for (const auto& replica : result.record.replicas)
    CHECK(replica.value == 6);
}

TEST_CASE("a lost apply leaves a backup behind: DIVERGED", "[level1]") {
  RunOptions options;
  options.backup_deadline = std::chrono::milliseconds(100);
  options.script = {on_call(kR0, kR1, 2, ladder::net::ProxyFault::drop_request)};
  const auto result = ladder::level1::run(quiet_adds(4), 1, options);
  INFO(result.verdict.summary());
  CHECK(result.verdict.has(FindingKind::diverged));
  CHECK(result.verdict.has(FindingKind::lost));  // r1 is up and misses an acknowledged add
  CHECK(result.record.replicas[0].value == 4);
  CHECK(result.record.replicas[1].value == 3);
  CHECK(result.record.replicas[2].value == 4);
}

TEST_CASE("response-loss with retries on timeout: DUPLICATED", "[level1]") {
  const auto s = scenario("response-loss");
  RunOptions options;
  options.retry = RetryPolicy::on_timeout;
  const auto result = ladder::level1::run(s, s.seed, options);
  INFO(result.verdict.summary());
  CHECK(result.verdict.has(FindingKind::duplicated));
  CHECK_THAT(result.verdict.summary(), Catch::Contains("applied c0#"));
}

TEST_CASE("response-loss without retries: ok, but some adds stay unknown", "[level1]") {
  const auto s = scenario("response-loss");
  const auto result = ladder::level1::run(s, s.seed);
  INFO(result.verdict.summary());
  CHECK(result.verdict.ok());
  CHECK(result.unknown_outcomes >= 1);
}

TEST_CASE("crash-restart with failover: the restarted replica lost its memory", "[level1]") {
  const auto s = scenario("crash-restart");
  const auto result = ladder::level1::run(s, s.seed);
  INFO(result.verdict.summary());
  CHECK(result.verdict.has(FindingKind::lost));
  CHECK(result.verdict.has(FindingKind::diverged));
  CHECK_THAT(result.verdict.summary(), Catch::Contains("replica r0"));
}

TEST_CASE("partition with failover: the cut-off replica missed updates", "[level1]") {
  const auto s = scenario("partition");
  const auto result = ladder::level1::run(s, s.seed);
  INFO(result.verdict.summary());
  CHECK(result.verdict.has(FindingKind::diverged));
  CHECK_THAT(result.verdict.summary(), Catch::Contains("replica r0"));
  CHECK(result.record.replicas[1].value == result.record.replicas[2].value);
  CHECK(result.record.replicas[0].value < result.record.replicas[1].value);
}

TEST_CASE("level 1 matches every expectation the scenario files state for it", "[level1]") {
  // The scenario files document, per level, the verdict kinds a run at their seed shows
  // ("expect": {"level1": ["LOST", "DIVERGED"]}); the tour and the demo print them. This keeps
  // that documentation honest. Level 1 runs on real threads, so a scenario may leave level 1 out
  // only when its verdict varies from run to run; such a scenario is listed here, so that leaving
  // one out is a decision, not an oversight. Each expectation was measured 15 times before it was
  // written down.
  const std::set<std::string> unstable_at_level1 = {};
  const auto scenarios = ladder::net::load_scenarios(std::string(LADDER_SOURCE_DIR) + "/scenarios");
  REQUIRE(!scenarios.empty());
  std::size_t checked = 0;
  for (const auto& s : scenarios) {
    const auto expected = s.expect.find("level1");
    if (expected == s.expect.end()) {
      INFO(s.name << " states no level 1 verdict and is not listed as unstable");
      CHECK(unstable_at_level1.contains(s.name));
      continue;
    }
    RunOptions options;
    options.retry = RetryPolicy::on_timeout;  // as the tour runs level 1
    const auto result = ladder::level1::run(s, s.seed, options);
    INFO(s.name << " at seed " << s.seed << ": " << result.verdict.summary());
    CHECK(result.verdict.kinds() == expected->second);
    ++checked;
  }
  CHECK(checked + unstable_at_level1.size() == scenarios.size());
}
