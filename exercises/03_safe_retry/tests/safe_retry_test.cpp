// Exercise 03's grading tests: each error class of level1_rpc/errors.hpp is produced by a real
// fault on a real connection, through the fault proxy, and safe_to_retry must classify it. Each
// test also checks what the server did, to show why the answer is right. "If the README and the
// tests disagree, the tests are right."

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "level1_rpc/client.hpp"
#include "level1_rpc/errors.hpp"
#include "level1_rpc/server.hpp"
#include "network/fault_proxy.hpp"
#include "network/frame.hpp"
#include "safe_to_retry.hpp"

namespace {

using namespace ladder;
using std::chrono::milliseconds;

constexpr milliseconds kDeadline{2000};  // for calls that must succeed
constexpr milliseconds kShort{150};      // for calls that must time out

// A counting server behind a fault proxy, and a client of the proxy.
struct Route {
  level1::Server server{level1::ServerOptions{.threads = 1}};
  std::int64_t total = 0;  // what the server's adds summed to: did the failed call run?
  std::unique_ptr<net::FaultProxy> proxy;
  std::unique_ptr<level1::Client> client;

  explicit Route(std::vector<net::ScriptedFault> script,
                 net::AfterDrop after_drop = net::AfterDrop::keep_open) {
    server.add_method("add", [this](const nlohmann::json& args) {
      if (args.at("delta").get<std::int64_t>() < 0) throw std::invalid_argument("no subtractions");
      total += args.at("delta").get<std::int64_t>();
      return nlohmann::json{{"value", total}};
    });
    server.start();
    net::ProxyOptions options;
    options.target_port = server.port();
    options.script = std::move(script);
    options.after_drop = after_drop;
    proxy = std::make_unique<net::FaultProxy>(options);
    proxy->start();
    client = std::make_unique<level1::Client>("127.0.0.1", proxy->port());
  }

  // Calls add(delta) and returns the error it raised; fails the test if it raised none.
  std::unique_ptr<level1::RpcError> failed_add(std::int64_t delta, milliseconds deadline) {
    try {
      client->call("add", {{"delta", delta}}, deadline);
    } catch (const level1::NotSent& e) {
      return std::make_unique<level1::NotSent>(e);
    } catch (const level1::TimedOut& e) {
      return std::make_unique<level1::TimedOut>(e);
    } catch (const level1::ConnectionLost& e) {
      return std::make_unique<level1::ConnectionLost>(e);
    } catch (const level1::MalformedReply& e) {
      return std::make_unique<level1::MalformedReply>(e);
    } catch (const level1::RemoteFailure& e) {
      return std::make_unique<level1::RemoteFailure>(e);
    }
    FAIL("the call should have failed");
    return nullptr;
  }
};

net::ScriptedFault on_call(std::uint64_t call, net::ProxyFault fault) {
  return net::ScriptedFault{.call = call, .fault = fault, .delay_ms = 0};
}

}  // namespace

TEST_CASE("NotSent (the port refused): always safe to retry", "[ex03]") {
  Route route({});
  route.proxy->refuse(true);
  const auto error = route.failed_add(5, kDeadline);
  REQUIRE(std::string(error->kind()) == "NotSent");
  CHECK(ex03::safe_to_retry(*error, /*idempotent=*/false));
  CHECK(ex03::safe_to_retry(*error, /*idempotent=*/true));
  // Why: the call never reached the server. The retry is its first run.
  route.proxy->refuse(false);
  CHECK(route.client->call("add", {{"delta", 5}}, kDeadline).at("value") == 5);
}

TEST_CASE("TimedOut (the reply was lost): only an idempotent call may be retried", "[ex03]") {
  Route route({on_call(1, net::ProxyFault::drop_reply)});
  const auto error = route.failed_add(5, kShort);
  REQUIRE(std::string(error->kind()) == "TimedOut");
  CHECK_FALSE(ex03::safe_to_retry(*error, /*idempotent=*/false));
  CHECK(ex03::safe_to_retry(*error, /*idempotent=*/true));
  // Why: this call ran (its reply was lost); a retry of a non-idempotent add would make it 10.
  CHECK(route.client->call("add", {{"delta", 0}}, kDeadline).at("value") == 5);
}

TEST_CASE("TimedOut (the request was lost): the same error, so the same answer", "[ex03]") {
  Route route({on_call(1, net::ProxyFault::drop_request)});
  const auto error = route.failed_add(5, kShort);
  REQUIRE(std::string(error->kind()) == "TimedOut");
  CHECK_FALSE(ex03::safe_to_retry(*error, /*idempotent=*/false));
  CHECK(ex03::safe_to_retry(*error, /*idempotent=*/true));
  // This time the call did not run — but the client could not know: the error is identical.
  CHECK(route.client->call("add", {{"delta", 0}}, kDeadline).at("value") == 0);
}

TEST_CASE("ConnectionLost (closed after the server ran it): only an idempotent call", "[ex03]") {
  Route route({on_call(1, net::ProxyFault::drop_reply)}, net::AfterDrop::close);
  const auto error = route.failed_add(5, kDeadline);
  REQUIRE(std::string(error->kind()) == "ConnectionLost");
  CHECK_FALSE(ex03::safe_to_retry(*error, /*idempotent=*/false));
  CHECK(ex03::safe_to_retry(*error, /*idempotent=*/true));
  CHECK(route.client->call("add", {{"delta", 0}}, kDeadline).at("value") == 5);
}

TEST_CASE("MalformedReply (garbage came back): only an idempotent call", "[ex03]") {
  // A fake server that reads the request and answers with a frame of the wrong version: the
  // client cannot know what, if anything, the server did.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  std::thread fake([&] {
    auto socket = acceptor.accept();
    std::array<char, 512> buffer{};
    boost::system::error_code ignored;
    socket.read_some(boost::asio::buffer(buffer), ignored);
    boost::asio::write(socket, boost::asio::buffer(std::string("\x00\x00\x00\x02\x09{", 6)),
                       ignored);
    socket.read_some(boost::asio::buffer(buffer), ignored);  // until the client hangs up
  });
  level1::Client client("127.0.0.1", acceptor.local_endpoint().port());
  std::unique_ptr<level1::RpcError> error;
  try {
    client.call("add", {{"delta", 5}}, kDeadline);
  } catch (const level1::MalformedReply& e) {
    error = std::make_unique<level1::MalformedReply>(e);
  }
  fake.join();
  REQUIRE(error != nullptr);
  CHECK_FALSE(ex03::safe_to_retry(*error, /*idempotent=*/false));
  CHECK(ex03::safe_to_retry(*error, /*idempotent=*/true));
}

TEST_CASE("RemoteFailure (the server refused the call): never retry", "[ex03]") {
  Route route({});
  const auto error = route.failed_add(-1, kDeadline);
  REQUIRE(std::string(error->kind()) == "RemoteFailure");
  CHECK_FALSE(ex03::safe_to_retry(*error, /*idempotent=*/false));
  CHECK_FALSE(ex03::safe_to_retry(*error, /*idempotent=*/true));
  // Why: the server ran the call and said no. Asking again gets the same no.
  CHECK(route.failed_add(-1, kDeadline)->kind() == std::string("RemoteFailure"));
}
