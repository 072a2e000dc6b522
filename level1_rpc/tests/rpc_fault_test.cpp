// Each error class of the taxonomy, produced by a real fault on a real connection: the client
// talks to the server through network/fault_proxy.hpp, which is scripted to break one call.
//
// The pairs of tests below are the lesson of level 1 in miniature: a lost request and a lost
// reply look exactly the same to the client (the same exception), but the server's counters show
// that in one case the call never ran and in the other it did.

#include <chrono>
#include <cstdint>
#include <thread>

#include <catch2/catch.hpp>

#include "level1_rpc/client.hpp"
#include "level1_rpc/errors.hpp"
#include "level1_rpc/server.hpp"
#include "network/fault_proxy.hpp"

namespace {

using ladder::level1::Client;
using ladder::level1::MayHaveRun;
using ladder::level1::Server;
using ladder::net::AfterDrop;
using ladder::net::FaultProxy;
using ladder::net::ProxyFault;
using ladder::net::ScriptedFault;
using std::chrono::milliseconds;

constexpr milliseconds kCallDeadline{2000};  // for calls that must succeed
constexpr milliseconds kShort{150};          // for calls that must time out

// A counting server behind a proxy whose 2nd call meets `fault`.
struct Route {
  Server server{ladder::level1::ServerOptions{.threads = 1}};
  std::int64_t total = 0;
  std::unique_ptr<FaultProxy> proxy;
  std::unique_ptr<Client> client;

  Route(ProxyFault fault, AfterDrop after_drop) {
    server.add_method("add", [this](const nlohmann::json& args) {
      total += args.at("delta").get<std::int64_t>();
      return nlohmann::json{{"value", total}};
    });
    server.start();
    ladder::net::ProxyOptions options;
    options.target_port = server.port();
    options.script = {ScriptedFault{.call = 2, .fault = fault, .delay_ms = 0}};
    options.after_drop = after_drop;
    proxy = std::make_unique<FaultProxy>(options);
    proxy->start();
    client = std::make_unique<Client>("127.0.0.1", proxy->port());
    // Call 1 goes through untouched, so that every fault below hits an established connection.
    REQUIRE(client->call("add", {{"delta", 1}}, kCallDeadline).at("value") == 1);
  }

  // Calls add(10) with `deadline` and returns the class of the error it raised.
  template <typename Error>
  Error expect_error(milliseconds deadline) {
    try {
      client->call("add", {{"delta", 10}}, deadline);
    } catch (const Error& e) {
      return e;
    }
    FAIL("the call did not raise the expected error");
    throw std::logic_error("unreachable");
  }

  // After the fault: the server's total says whether the broken call ran.
  std::int64_t total_after_recovery() {
    return client->call("add", {{"delta", 0}}, kCallDeadline).at("value").get<std::int64_t>();
  }
};

}  // namespace

TEST_CASE("a lost request and a lost reply are both TimedOut, but only one ran",
          "[level1][rpc][proxy]") {
  SECTION("the request was lost: the call did not run") {
    Route route(ProxyFault::drop_request, AfterDrop::keep_open);
    const auto error = route.expect_error<ladder::level1::TimedOut>(kShort);
    CHECK(error.may_have_run() == MayHaveRun::unknown);
    CHECK(route.total_after_recovery() == 1);
  }
  SECTION("the reply was lost: the call ran") {
    Route route(ProxyFault::drop_reply, AfterDrop::keep_open);
    const auto error = route.expect_error<ladder::level1::TimedOut>(kShort);
    CHECK(error.may_have_run() == MayHaveRun::unknown);
    CHECK(route.total_after_recovery() == 11);
  }
}

TEST_CASE("a connection closed mid-call is ConnectionLost, whether or not the call ran",
          "[level1][rpc][proxy]") {
  SECTION("closed instead of forwarding the request: it did not run") {
    Route route(ProxyFault::drop_request, AfterDrop::close);
    const auto error = route.expect_error<ladder::level1::ConnectionLost>(kCallDeadline);
    CHECK(error.may_have_run() == MayHaveRun::unknown);
    CHECK(route.total_after_recovery() == 1);
  }
  SECTION("closed instead of forwarding the reply: it ran") {
    Route route(ProxyFault::drop_reply, AfterDrop::close);
    route.expect_error<ladder::level1::ConnectionLost>(kCallDeadline);
    CHECK(route.total_after_recovery() == 11);
  }
  SECTION("reset instead of forwarding the request: it did not run") {
    Route route(ProxyFault::reset, AfterDrop::close);
    route.expect_error<ladder::level1::ConnectionLost>(kCallDeadline);
    CHECK(route.total_after_recovery() == 1);
    CHECK(route.proxy->stats().resets == 1);
  }
}

TEST_CASE("a port that refuses connections is NotSent, and the call did not run",
          "[level1][rpc][proxy]") {
  Route route(ProxyFault::none, AfterDrop::close);
  route.client->close();      // the next call must connect again ...
  route.proxy->refuse(true);  // ... to a port that is no longer listening, like a crashed server's
  const auto error = route.expect_error<ladder::level1::NotSent>(kCallDeadline);
  CHECK(error.may_have_run() == MayHaveRun::no);
  route.proxy->refuse(false);
  CHECK(route.total_after_recovery() == 1);  // the refused call left no trace: safe to retry
}

TEST_CASE("a call into a partition is TimedOut, and the route works again after the heal",
          "[level1][rpc][proxy]") {
  Route route(ProxyFault::none, AfterDrop::close);
  route.proxy->partition(true);
  const auto error = route.expect_error<ladder::level1::TimedOut>(kShort);
  CHECK(error.may_have_run() == MayHaveRun::unknown);
  route.proxy->partition(false);
  // Whether the held request still reaches the server after the heal is exactly what the client
  // cannot know (TCP delivers data sent before a close); the total is 1 or 11. What is certain:
  // the next call gets through.
  const std::int64_t total = route.total_after_recovery();
  CHECK((total == 1 || total == 11));
}

TEST_CASE("a delayed call succeeds within its deadline", "[level1][rpc][proxy]") {
  Route route(ProxyFault::delay, AfterDrop::close);
  CHECK(route.client->call("add", {{"delta", 10}}, kCallDeadline).at("value") == 11);
}
