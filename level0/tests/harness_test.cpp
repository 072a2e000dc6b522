// The harness on casts that misbehave: a client that never finishes, and a node that never lets
// the network go quiet. Both must end, and both must be judged STUCK.

#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "level0/harness.hpp"
#include "level0/naive_replica.hpp"

namespace net = ladder::net;
namespace spec = ladder::spec;
using ladder::level0::Cast;
using ladder::level0::ClientSetup;
using ladder::level0::CounterClient;
using ladder::level0::CounterReplica;
using ladder::level0::NaiveReplica;
using ladder::level0::run_counter;
using ladder::level0::RunOptions;

namespace {

// Invokes its first operation and then waits for an answer that it never accepts.
class HangingClient final : public CounterClient {
 public:
  explicit HangingClient(const ClientSetup& setup) : setup_(setup) {}
  void on_start(net::NodeContext& ctx) override {
    if (invoked_) return;
    invoked_ = true;
    setup_.history->invoke(ctx.now(), static_cast<spec::ClientId>(setup_.index), spec::OpKind::add,
                           1);
  }
  void on_message(net::NodeContext&, net::NodeId, std::string_view) override {}
  [[nodiscard]] bool done() const override { return false; }

 private:
  ClientSetup setup_;
  bool invoked_ = false;
};

// A replica that wakes itself up every millisecond, forever.
class RestlessReplica final : public CounterReplica {
 public:
  void on_start(net::NodeContext& ctx) override { ctx.set_timer(1, 0); }
  void on_timer(net::NodeContext& ctx, std::uint64_t) override { ctx.set_timer(1, 0); }
  void on_message(net::NodeContext&, net::NodeId, std::string_view) override {}
  [[nodiscard]] std::int64_t value() const override { return 0; }
};

net::Scenario quiet_scenario() {
  net::Scenario scenario;
  scenario.name = "quiet";
  scenario.replicas = 3;
  scenario.workload.clients = 1;
  scenario.workload.operations = 1;
  scenario.stuck_after_ms = 500;
  return scenario;
}

}  // namespace

TEST_CASE("a client that never completes its operation is judged STUCK", "[harness]") {
  Cast cast;
  cast.make_replica = [](int, const net::Topology&) { return std::make_unique<NaiveReplica>(); };
  cast.make_client = [](const ClientSetup& setup) {
    return std::make_unique<HangingClient>(setup);
  };
  const auto result = run_counter(quiet_scenario(), 1, cast);
  INFO(result.verdict.summary());
  CHECK(result.verdict.has(spec::FindingKind::stuck));
  // The harness let the clock run on until the wait was longer than the threshold.
  CHECK(result.record.end >= 500);
}

TEST_CASE("a cast that never goes quiet is stopped by max_events and judged STUCK", "[harness]") {
  Cast cast;
  cast.make_replica = [](int, const net::Topology&) { return std::make_unique<RestlessReplica>(); };
  cast.make_client = [](const ClientSetup& setup) {
    return std::make_unique<HangingClient>(setup);
  };
  RunOptions options;
  options.max_events = 10'000;
  const auto result = run_counter(quiet_scenario(), 1, cast, options);
  INFO(result.verdict.summary());
  REQUIRE(result.verdict.has(spec::FindingKind::stuck));
  bool livelock_reported = false;
  for (const spec::Finding& finding : result.verdict.findings) {
    livelock_reported =
        livelock_reported || (finding.kind == spec::FindingKind::stuck &&
                              finding.evidence.find("did not go quiet") != std::string::npos);
  }
  CHECK(livelock_reported);
}
