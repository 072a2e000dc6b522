// Exercise 02's grading tests. They include the starter's or the solution's last_reply_cache.hpp
// (the build decides which), so the same tests grade both. "If the README and the tests
// disagree, the tests are right."
//
// The runs here are level 1's real runs — threads, sockets, fault proxies — with faults scripted
// call by call, so a run meets the same faults every time and a test never flakes.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "last_reply_cache.hpp"
#include "level1_rpc/run.hpp"
#include "network/fault_proxy.hpp"
#include "network/scenario.hpp"

namespace {

using namespace ladder;
using level1::RetryPolicy;
using level1::RouteFault;
using level1::RunOptions;
using spec::RequestId;

constexpr net::NodeId kR0 = 0;
constexpr net::NodeId kC0 = 3;

// A cache made the way the replicas will make it. Asking it once first makes an unwritten
// starter fail here, with its "your code here" message, before any run starts.
std::unique_ptr<level1::ReplyCache> make_cache() {
  auto cache = std::make_unique<ex02::LastReplyCache>();
  (void)cache->lookup(RequestId{.client = 0, .seq = 1});
  return cache;
}

// One client adding 1, `operations` times, on a network that loses nothing unless scripted to.
net::Scenario quiet_adds(int operations) {
  net::Scenario s;
  s.name = "quiet-adds";
  s.workload.clients = 1;
  s.workload.operations = operations;
  s.workload.read_probability = 0.0;
  s.faults.delay_min_ms = 0;
  s.faults.delay_max_ms = 0;
  return s;
}

RunOptions retrying_with_cache() {
  RunOptions options;
  options.retry = RetryPolicy::on_timeout;
  options.call_deadline = std::chrono::milliseconds(200);
  options.make_reply_cache = [] { return make_cache(); };
  return options;
}

RouteFault lose_reply(std::uint64_t call) {
  return RouteFault{.from = kC0,
                    .to = kR0,
                    .fault = {.call = call, .fault = net::ProxyFault::drop_reply, .delay_ms = 0}};
}

}  // namespace

TEST_CASE("part 1: a request seen before is found, with the reply it got", "[ex02]") {
  const auto cache = make_cache();
  cache->remember(RequestId{.client = 0, .seq = 3}, 12);
  CHECK(cache->lookup(RequestId{.client = 0, .seq = 3}) == 12);
}

TEST_CASE("part 1: a request never seen is not found", "[ex02]") {
  const auto cache = make_cache();
  cache->remember(RequestId{.client = 0, .seq = 3}, 12);
  CHECK_FALSE(cache->lookup(RequestId{.client = 0, .seq = 4}).has_value());
  CHECK_FALSE(cache->lookup(RequestId{.client = 1, .seq = 3}).has_value());
}

TEST_CASE("part 2: the cache keeps one entry per client, the latest", "[ex02]") {
  const auto cache = make_cache();
  for (std::uint64_t seq = 1; seq <= 100; ++seq) {
    cache->remember(RequestId{.client = 0, .seq = seq}, static_cast<std::int64_t>(seq));
    cache->remember(RequestId{.client = 1, .seq = seq}, static_cast<std::int64_t>(2 * seq));
  }
  CHECK(cache->size() == 2);
  CHECK(cache->lookup(RequestId{.client = 0, .seq = 100}) == 100);
  CHECK(cache->lookup(RequestId{.client = 1, .seq = 100}) == 200);
}

TEST_CASE("runs: a lost reply and a retry apply the add once", "[ex02]") {
  RunOptions options = retrying_with_cache();
  options.script = {lose_reply(3)};
  const auto result = level1::run(quiet_adds(6), 1, options);
  INFO(result.verdict.summary());
  CHECK(result.verdict.ok());
  CHECK(result.unknown_outcomes == 0);
  for (const auto& replica : result.record.replicas) {
    CHECK(replica.value == 6);
    CHECK(std::count(replica.applied.begin(), replica.applied.end(),
                     RequestId{.client = 0, .seq = 3}) == 1);
  }
}

TEST_CASE("runs: a retry after failover is recognised by the backup that became primary",
          "[ex02]") {
  // The replies to the 3rd and 4th calls are lost: the add c0#3 times out twice, the client turns
  // to r1, and r1 — which applied c0#3 as a backup — must answer it without applying it again.
  RunOptions options = retrying_with_cache();
  options.failover_after = 2;
  options.script = {lose_reply(3), lose_reply(4)};
  const auto result = level1::run(quiet_adds(6), 1, options);
  INFO(result.verdict.summary());
  CHECK(result.verdict.ok());
  for (const auto& replica : result.record.replicas)
    CHECK(replica.value == 6);
}

TEST_CASE("runs: response-loss with retries on timeout: nothing duplicated, nothing lost",
          "[ex02]") {
  const auto s =
      net::load_scenario(std::string(LADDER_SOURCE_DIR) + "/scenarios/response-loss.json");
  const auto result = level1::run(s, s.seed, retrying_with_cache());
  INFO(result.verdict.summary());
  CHECK(result.verdict.ok());
  CHECK(result.unknown_outcomes == 0);
}
