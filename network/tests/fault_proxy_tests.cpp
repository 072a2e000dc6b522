// Tests of the TCP fault proxy, end to end on loopback: a tiny echo server behind the proxy, a
// blocking test client in front of it, and each fault observed from both ends.
//
// Waits are bounded. Where an event can be awaited (a reply, the server seeing a call, a proxy
// event) the test waits for it with a generous deadline; only "nothing arrives" is checked by
// waiting a short quiet period, and each such check is paired with a positive one afterwards.

#include "network/fault_proxy.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>  // before Asio's awaitable.hpp, which forgets it in Boost 1.74
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "network/frame.hpp"

namespace ladder::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;

// How long to wait for something that should happen within milliseconds.
constexpr auto kPatience = 10s;
// How long to watch for something that must not happen.
constexpr auto kQuiet = 300ms;

// A frame server that answers every request frame with "re: " + its body, and records the
// bodies it received, in order, so that a test can tell whether a call ran.
class EchoServer {
 public:
  EchoServer()
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        port_(acceptor_.local_endpoint().port()) {
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~EchoServer() {
    asio::post(io_, [this] {
      error_code ignored;
      acceptor_.close(ignored);
      for (auto& socket : sockets_) {
        socket->close(ignored);
      }
    });
    work_.reset();
    thread_.join();
  }
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  std::uint16_t port() const { return port_; }

  // The calls received so far, once there are at least `n` of them or the deadline passed.
  std::vector<std::string> wait_for_calls(std::size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kPatience, [&] { return calls_.size() >= n; });
    return calls_;
  }
  std::vector<std::string> calls() {
    const std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      error_code ec;
      auto socket = std::make_shared<tcp::socket>(
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec)));
      if (ec) {
        co_return;
      }
      sockets_.push_back(socket);
      asio::co_spawn(io_, serve(socket), asio::detached);
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<tcp::socket> socket) {
    FrameDecoder decoder;
    std::array<char, 1024> buffer{};
    for (;;) {
      error_code ec;
      const std::size_t n = co_await socket->async_read_some(
          asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        co_return;
      }
      decoder.feed(std::string_view(buffer.data(), n));
      while (auto frame = decoder.next()) {
        if (!frame->ok()) {
          co_return;
        }
        {
          const std::lock_guard lock(mutex_);
          calls_.push_back(frame->body());
        }
        changed_.notify_all();
        const std::string reply = encode_frame("re: " + frame->body());
        co_await asio::async_write(*socket, asio::buffer(reply),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
          co_return;
        }
      }
    }
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  tcp::acceptor acceptor_;
  std::uint16_t port_;
  std::vector<std::shared_ptr<tcp::socket>> sockets_;  // touched on the server's thread only
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> calls_;  // guarded by mutex_
};

// What a client read: a reply's body, the end of the stream, a reset, or nothing in time.
struct Received {
  enum Kind { reply, closed, reset, timed_out, other_error } kind = timed_out;
  std::string body;  // for `reply`
};

// A blocking frame client whose reads have deadlines (Asio's run_for on its own io_context).
class TestClient {
 public:
  // Connects; the error is empty on success, connection_refused when nobody listens.
  error_code connect(std::uint16_t port) {
    error_code ec;
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    return ec;
  }
  void send(std::string_view body) { send_raw(encode_frame(body)); }
  void send_raw(std::string_view bytes) {
    error_code ec;
    asio::write(socket_, asio::buffer(bytes), ec);
    REQUIRE_FALSE(ec);
  }
  Received receive(std::chrono::milliseconds timeout = kPatience) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (auto frame = decoder_.next()) {
        REQUIRE(frame->ok());
        return {Received::reply, std::move(*frame).body()};
      }
      std::optional<error_code> result;
      std::size_t n = 0;
      socket_.async_read_some(asio::buffer(buffer_), [&](error_code ec, std::size_t bytes) {
        result = ec;
        n = bytes;
      });
      io_.restart();
      io_.run_until(deadline);
      if (!result) {  // the deadline passed: cancel the read and let it finish
        socket_.cancel();
        io_.restart();
        io_.run();
        return {Received::timed_out, {}};
      }
      if (*result == asio::error::eof) {
        return {Received::closed, {}};
      }
      if (*result == asio::error::connection_reset) {
        return {Received::reset, {}};
      }
      if (*result) {
        return {Received::other_error, result->message()};
      }
      decoder_.feed(std::string_view(buffer_.data(), n));
    }
  }

 private:
  asio::io_context io_;
  tcp::socket socket_{io_};
  FrameDecoder decoder_;
  std::array<char, 1024> buffer_{};
};

// Records the proxy's events so that a test can wait for one.
class EventLog {
 public:
  std::function<void(const ProxyEvent&)> hook() {
    return [this](const ProxyEvent& event) {
      {
        const std::lock_guard lock(mutex_);
        events_.push_back(event);
      }
      changed_.notify_all();
    };
  }
  // True once an event of `kind` about `call` happened (false at the deadline).
  bool wait_for(ProxyEventKind kind, std::uint64_t call) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kPatience, [&] {
      for (const auto& event : events_) {
        if (event.kind == kind && event.call == call) {
          return true;
        }
      }
      return false;
    });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<ProxyEvent> events_;
};

// An echo server behind a running proxy with the given options (target filled in).
struct Route {
  explicit Route(ProxyOptions options) : proxy(with_target(std::move(options), server.port())) {
    proxy.start();
  }
  static ProxyOptions with_target(ProxyOptions options, std::uint16_t port) {
    options.target_port = port;
    return options;
  }
  EchoServer server;
  FaultProxy proxy;
};

ProxyOptions scripted(std::vector<ScriptedFault> script, AfterDrop after_drop = AfterDrop::close) {
  ProxyOptions options;
  options.script = std::move(script);
  options.after_drop = after_drop;
  return options;
}

}  // namespace

// --- the fault picker on its own --------------------------------------------------------------

TEST_CASE("CallFaultPicker: the script decides the calls it names, exactly", "[proxy]") {
  FaultPlan plan = quiet_plan();
  plan.drop_probability = 1.0;  // every unscripted call is dropped
  CallFaultPicker picker({{2, ProxyFault::drop_reply, 0}, {3, ProxyFault::delay, 200}}, plan, 1);
  CHECK(picker.next().fault == ProxyFault::drop_request);
  CHECK(picker.next().fault == ProxyFault::drop_reply);
  const CallFault third = picker.next();
  CHECK(third.fault == ProxyFault::delay);
  CHECK(third.delay_ms == 200);
  CHECK(picker.next().fault == ProxyFault::drop_request);
  CHECK(picker.calls() == 4);
}

TEST_CASE(
    "CallFaultPicker: the same seed draws the same faults, and a script line shifts none "
    "of the others",
    "[proxy]") {
  FaultPlan plan;
  plan.drop_probability = 0.2;
  plan.response_loss_probability = 0.2;
  plan.delay_min_ms = 0;
  plan.delay_max_ms = 50;
  CallFaultPicker first({}, plan, 99);
  CallFaultPicker again({}, plan, 99);
  CallFaultPicker scripted_picker({{5, ProxyFault::reset, 0}}, plan, 99);
  for (int call = 1; call <= 200; ++call) {
    const CallFault a = first.next();
    const CallFault b = again.next();
    const CallFault c = scripted_picker.next();
    REQUIRE(a.fault == b.fault);
    REQUIRE(a.delay_ms == b.delay_ms);
    if (call == 5) {
      REQUIRE(c.fault == ProxyFault::reset);
    } else {
      REQUIRE(c.fault == a.fault);
      REQUIRE(c.delay_ms == a.delay_ms);
    }
  }
}

TEST_CASE("CallFaultPicker: drawn faults follow the plan's probabilities", "[proxy]") {
  FaultPlan plan = quiet_plan();
  plan.drop_probability = 0.25;
  plan.response_loss_probability = 0.5;
  CallFaultPicker picker({}, plan, 7);
  int dropped_requests = 0;
  int dropped_replies = 0;
  for (int call = 0; call < 10'000; ++call) {
    const ProxyFault fault = picker.next().fault;
    dropped_requests += fault == ProxyFault::drop_request ? 1 : 0;
    dropped_replies += fault == ProxyFault::drop_reply ? 1 : 0;
  }
  // 25% of calls lose the request; half of the remaining 75% lose the reply (seeded: exact
  // counts are fixed, the bounds say what they mean).
  CHECK(dropped_requests > 2300);
  CHECK(dropped_requests < 2700);
  CHECK(dropped_replies > 3500);
  CHECK(dropped_replies < 4000);
}

TEST_CASE("format_proxy_event writes one readable line", "[proxy]") {
  CHECK(format_proxy_event({ProxyEventKind::request, 2, 5, {ProxyFault::delay, 200}, {}}) ==
        "conn 2 call 5: request (delay, +200 ms)");
  CHECK(format_proxy_event({ProxyEventKind::closed, 3, 0, {}, "reply dropped"}) ==
        "conn 3: closed (reply dropped)");
  CHECK(format_proxy_event({ProxyEventKind::partition, 0, 0, {}, "on"}) == "proxy: partition (on)");
}

// --- faults end to end ------------------------------------------------------------------------

TEST_CASE("without faults, calls and replies pass through and every byte is counted", "[proxy]") {
  Route route(ProxyOptions{});
  TestClient client;
  REQUIRE_FALSE(client.connect(route.proxy.port()));
  client.send("add 1");
  Received reply = client.receive();
  REQUIRE(reply.kind == Received::reply);
  CHECK(reply.body == "re: add 1");
  client.send("add 2");
  reply = client.receive();
  REQUIRE(reply.kind == Received::reply);
  CHECK(reply.body == "re: add 2");

  CHECK(route.server.calls() == std::vector<std::string>{"add 1", "add 2"});
  const ProxyStats stats = route.proxy.stats();
  CHECK(stats.connections == 1);
  CHECK(stats.calls == 2);
  CHECK(stats.requests_forwarded == 2);
  CHECK(stats.replies_forwarded == 2);
  CHECK(stats.bytes_to_server == 2 * (5 + 5));  // header + "add n"
  CHECK(stats.bytes_to_client == 2 * (5 + 9));  // header + "re: add n"
  CHECK(stats.dropped_requests + stats.dropped_replies + stats.resets == 0);
}

TEST_CASE("drop_request: the server never sees the call, the client reads end-of-stream",
          "[proxy]") {
  Route route(scripted({{1, ProxyFault::drop_request, 0}}));
  TestClient first;
  REQUIRE_FALSE(first.connect(route.proxy.port()));
  first.send("lost");
  CHECK(first.receive().kind == Received::closed);

  // A later call goes through: the server is alive and only ever saw that one.
  TestClient second;
  REQUIRE_FALSE(second.connect(route.proxy.port()));
  second.send("kept");
  REQUIRE(second.receive().body == "re: kept");
  CHECK(route.server.calls() == std::vector<std::string>{"kept"});
  CHECK(route.proxy.stats().dropped_requests == 1);
}

TEST_CASE(
    "drop_request with keep_open: the client hears nothing, and the connection carries "
    "the next call",
    "[proxy]") {
  Route route(scripted({{1, ProxyFault::drop_request, 0}}, AfterDrop::keep_open));
  TestClient client;
  REQUIRE_FALSE(client.connect(route.proxy.port()));
  client.send("lost");
  CHECK(client.receive(kQuiet).kind == Received::timed_out);
  client.send("kept");
  const Received reply = client.receive();
  CHECK(reply.body == "re: kept");
  CHECK(route.server.calls() == std::vector<std::string>{"kept"});
}

TEST_CASE("drop_reply: the server ran the call, the client reads end-of-stream", "[proxy]") {
  Route route(scripted({{1, ProxyFault::drop_reply, 0}}));
  TestClient client;
  REQUIRE_FALSE(client.connect(route.proxy.port()));
  client.send("add 5");
  CHECK(client.receive().kind == Received::closed);
  CHECK(route.server.wait_for_calls(1) == std::vector<std::string>{"add 5"});
  const ProxyStats stats = route.proxy.stats();
  CHECK(stats.dropped_replies == 1);
  CHECK(stats.replies_forwarded == 0);
}

TEST_CASE("drop_reply with keep_open: the swallowed reply never arrives, the next one does",
          "[proxy]") {
  Route route(scripted({{1, ProxyFault::drop_reply, 0}}, AfterDrop::keep_open));
  TestClient client;
  REQUIRE_FALSE(client.connect(route.proxy.port()));
  client.send("add 5");
  CHECK(client.receive(kQuiet).kind == Received::timed_out);
  CHECK(route.server.wait_for_calls(1) == std::vector<std::string>{"add 5"});
  client.send("read");
  // The first reply to arrive answers the second call: the first one is gone for good.
  CHECK(client.receive().body == "re: read");
}

TEST_CASE("reset: the client's connection is reset and the server never sees the call", "[proxy]") {
  Route route(scripted({{2, ProxyFault::reset, 0}}));
  TestClient client;
  REQUIRE_FALSE(client.connect(route.proxy.port()));
  client.send("one");
  REQUIRE(client.receive().body == "re: one");
  client.send("two");
  CHECK(client.receive().kind == Received::reset);
  CHECK(route.server.calls() == std::vector<std::string>{"one"});
  CHECK(route.proxy.stats().resets == 1);
}

TEST_CASE("delay: a delayed call is overtaken by a later call on another connection", "[proxy]") {
  // Call 1 is held for two seconds; call 2, sent after the proxy has call 1, gets through first.
  EventLog events;
  ProxyOptions options = scripted({{1, ProxyFault::delay, 2000}});
  options.log = events.hook();
  Route route(std::move(options));
  TestClient slow;
  TestClient fast;
  REQUIRE_FALSE(slow.connect(route.proxy.port()));
  REQUIRE_FALSE(fast.connect(route.proxy.port()));
  slow.send("slow");
  REQUIRE(events.wait_for(ProxyEventKind::request, 1));
  fast.send("fast");
  CHECK(fast.receive().body == "re: fast");
  CHECK(slow.receive().body == "re: slow");
  CHECK(route.server.calls() == std::vector<std::string>{"fast", "slow"});
  CHECK(route.proxy.stats().delayed == 1);
}

TEST_CASE("partition: nothing crosses the black hole until it heals, then held calls go on",
          "[proxy]") {
  EventLog events;
  ProxyOptions options;
  options.log = events.hook();
  Route route(std::move(options));
  TestClient before;  // connected before the partition
  REQUIRE_FALSE(before.connect(route.proxy.port()));
  before.send("warm up");
  REQUIRE(before.receive().body == "re: warm up");

  route.proxy.partition(true);
  before.send("during");
  REQUIRE(events.wait_for(ProxyEventKind::held, 2));
  TestClient during;  // the connect itself succeeds: the proxy accepts into the black hole
  REQUIRE_FALSE(during.connect(route.proxy.port()));
  during.send("new");
  CHECK(before.receive(kQuiet).kind == Received::timed_out);
  CHECK(during.receive(kQuiet).kind == Received::timed_out);
  CHECK(route.server.calls() == std::vector<std::string>{"warm up"});

  route.proxy.partition(false);
  CHECK(before.receive().body == "re: during");
  CHECK(during.receive().body == "re: new");
  CHECK(route.server.wait_for_calls(3).size() == 3);
  // Held: the request "during" and the new connection's onward connect ("new" was read after
  // the heal, so it never waited).
  CHECK(route.proxy.stats().held == 2);
}

TEST_CASE("refuse: connects are refused until the proxy listens again on the same port",
          "[proxy]") {
  Route route(ProxyOptions{});
  const std::uint16_t port = route.proxy.port();
  TestClient open_before;
  REQUIRE_FALSE(open_before.connect(port));
  // A round trip, so the proxy has surely accepted the connection: closing the listening
  // socket resets connections still waiting in its backlog.
  open_before.send("hello");
  REQUIRE(open_before.receive().body == "re: hello");

  route.proxy.refuse(true);
  TestClient refused;
  CHECK(refused.connect(port) == asio::error::connection_refused);
  // A connection made before keeps working: refusing is about new connections only.
  open_before.send("still here");
  CHECK(open_before.receive().body == "re: still here");

  route.proxy.refuse(false);
  CHECK(route.proxy.port() == port);
  TestClient after;
  REQUIRE_FALSE(after.connect(port));
  after.send("back");
  CHECK(after.receive().body == "re: back");
}

TEST_CASE("reset_all resets every open connection", "[proxy]") {
  EventLog events;
  ProxyOptions options;
  options.log = events.hook();
  Route route(std::move(options));
  TestClient a;
  TestClient b;
  REQUIRE_FALSE(a.connect(route.proxy.port()));
  REQUIRE_FALSE(b.connect(route.proxy.port()));
  a.send("a");
  b.send("b");
  REQUIRE(a.receive().body == "re: a");
  REQUIRE(b.receive().body == "re: b");
  route.proxy.reset_all();
  CHECK(a.receive().kind == Received::reset);
  CHECK(b.receive().kind == Received::reset);
  CHECK(route.proxy.stats().resets == 2);
}

TEST_CASE("a malformed frame from the client closes its connection and is counted", "[proxy]") {
  EventLog events;
  ProxyOptions options;
  options.log = events.hook();
  Route route(std::move(options));
  TestClient client;
  REQUIRE_FALSE(client.connect(route.proxy.port()));
  client.send_raw(std::string("\x00\x00\x00\x03\x07hi", 7));  // wire version 7
  CHECK(client.receive().kind == Received::closed);
  CHECK(route.proxy.stats().malformed == 1);
  CHECK(route.server.calls().empty());
}

TEST_CASE("an unreachable server: the proxy resets the client and counts the failure", "[proxy]") {
  // Find a port with nobody listening: bind one, note it, close it.
  std::uint16_t closed_port = 0;
  {
    asio::io_context io;
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    closed_port = probe.local_endpoint().port();
  }
  ProxyOptions options;
  options.target_port = closed_port;
  FaultProxy proxy(std::move(options));
  proxy.start();
  TestClient client;
  REQUIRE_FALSE(client.connect(proxy.port()));
  CHECK(client.receive().kind == Received::reset);
  CHECK(proxy.stats().connect_failures == 1);
}

TEST_CASE("drawn faults: the proxy applies exactly the faults the seed picks", "[proxy]") {
  FaultPlan plan = quiet_plan();
  plan.drop_probability = 0.3;
  plan.response_loss_probability = 0.3;
  ProxyOptions options;
  options.plan = plan;
  options.seed = 2024;
  Route route(std::move(options));
  CallFaultPicker expected({}, plan, 2024);

  int seen[3] = {0, 0, 0};  // none, drop_request, drop_reply
  for (int call = 1; call <= 30; ++call) {
    const ProxyFault fault = expected.next().fault;
    const std::string body = "call " + std::to_string(call);
    const std::size_t ran_before = route.server.calls().size();
    TestClient client;  // a fresh connection each time: a drop closes the connection
    REQUIRE_FALSE(client.connect(route.proxy.port()));
    client.send(body);
    const Received received = client.receive();
    INFO("call " << call << " meets " << to_string(fault));
    switch (fault) {
      case ProxyFault::none:
        REQUIRE(received.body == "re: " + body);
        REQUIRE(route.server.calls().size() == ran_before + 1);
        ++seen[0];
        break;
      case ProxyFault::drop_request:
        REQUIRE(received.kind == Received::closed);
        REQUIRE(route.server.calls().size() == ran_before);
        ++seen[1];
        break;
      case ProxyFault::drop_reply:
        REQUIRE(received.kind == Received::closed);
        REQUIRE(route.server.wait_for_calls(ran_before + 1).back() == body);
        ++seen[2];
        break;
      default:
        FAIL("the plan draws no other fault");
    }
  }
  // The seed exercises every outcome, so the comparison above checked all three.
  CHECK(seen[0] > 0);
  CHECK(seen[1] > 0);
  CHECK(seen[2] > 0);
}

}  // namespace ladder::net
