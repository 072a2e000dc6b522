// The RPC layer on its own: a round trip, deadlines, and malformed input on both sides. The
// error classes that need a fault in the middle of a call are produced through the fault proxy in
// rpc_fault_test.cpp.

#include <sched.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "level1_rpc/client.hpp"
#include "level1_rpc/errors.hpp"
#include "level1_rpc/message.hpp"
#include "level1_rpc/server.hpp"
#include "network/frame.hpp"
#include "network/rng.hpp"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using ladder::level1::Client;
using ladder::level1::MayHaveRun;
using ladder::level1::Server;
using std::chrono::milliseconds;

constexpr milliseconds kDeadline{2000};  // generous: these calls should never come near it

// A server whose "add" keeps a running total, like the counter will.
struct AddingServer {
  Server server;
  std::int64_t total = 0;  // guarded by the server's single thread

  AddingServer() : server(ladder::level1::ServerOptions{.threads = 1}) {
    server.add_method("add", [this](const nlohmann::json& args) {
      total += args.at("delta").get<std::int64_t>();
      return nlohmann::json{{"value", total}};
    });
    server.add_method("fail", [](const nlohmann::json&) -> nlohmann::json {
      throw std::runtime_error("the counter is on fire");
    });
    server.start();
  }
};

// A raw TCP connection for writing bytes that no well-behaved client would send.
struct RawConnection {
  asio::io_context io;
  tcp::socket socket{io};

  explicit RawConnection(std::uint16_t port) {
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void send(std::string_view bytes) { asio::write(socket, asio::buffer(bytes)); }
  // Reads until the peer closes; true when it closed (rather than sending something).
  bool closed_by_peer() {
    std::array<char, 64> buffer{};
    boost::system::error_code error;
    const std::size_t n = socket.read_some(asio::buffer(buffer), error);
    return n == 0 && (error == asio::error::eof || error == asio::error::connection_reset);
  }
};

// Polls `condition` until it holds or five seconds pass: for effects that happen on the server's
// threads after the client's call returned. Not a timing claim, only a bound on waiting.
template <typename Condition>
bool eventually(Condition condition) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

// A port on which nobody listens: bind one, then let it go.
std::uint16_t unused_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

}  // namespace

TEST_CASE("a call returns the method's result and calls run in order", "[level1][rpc]") {
  AddingServer s;
  Client client("127.0.0.1", s.server.port());
  CHECK(client.call("add", {{"delta", 2}}, kDeadline) == nlohmann::json{{"value", 2}});
  CHECK(client.call("add", {{"delta", 5}}, kDeadline) == nlohmann::json{{"value", 7}});
  CHECK(client.call("add", {{"delta", -1}}, kDeadline).at("value") == 6);
  CHECK(client.stats().calls == 3);
  CHECK(client.stats().ok == 3);
  CHECK(client.stats().connects == 1);  // one connection carried all three calls
  CHECK(s.server.stats().calls == 3);
}

// The policy is a performance hint (bench/RESULTS.md), but the option must reach the threads that
// run the methods, and leave them alone when it is off.
TEST_CASE("batch_scheduling puts the serving threads, and only them, under SCHED_BATCH",
          "[level1][rpc]") {
  const bool batch = GENERATE(true, false);
  Server server(ladder::level1::ServerOptions{.threads = 2, .batch_scheduling = batch});
  server.add_method("policy", [](const nlohmann::json&) { return ::sched_getscheduler(0); });
  server.start();
  Client first("127.0.0.1", server.port());
  Client second("127.0.0.1", server.port());  // dealt to the other thread
  const int expected = batch ? SCHED_BATCH : SCHED_OTHER;
  CHECK(first.call("policy", nlohmann::json::object(), kDeadline) == expected);
  CHECK(second.call("policy", nlohmann::json::object(), kDeadline) == expected);
  CHECK(::sched_getscheduler(0) == SCHED_OTHER);  // the test's own thread is untouched
}

TEST_CASE("a method that throws reaches the client as a RemoteFailure that ran", "[level1][rpc]") {
  AddingServer s;
  Client client("127.0.0.1", s.server.port());
  try {
    client.call("fail", nlohmann::json::object(), kDeadline);
    FAIL("the call should have thrown");
  } catch (const ladder::level1::RemoteFailure& e) {
    CHECK(e.may_have_run() == MayHaveRun::yes);
    CHECK(e.remote_message() == "the counter is on fire");
    CHECK(std::string(e.kind()) == "RemoteFailure");
  }
  // The connection survives a remote failure: the next call uses it.
  CHECK(client.call("add", {{"delta", 1}}, kDeadline).at("value") == 1);
  CHECK(client.stats().connects == 1);
  CHECK(s.server.stats().remote_failures == 1);
}

TEST_CASE("an unknown method is a RemoteFailure naming it", "[level1][rpc]") {
  AddingServer s;
  Client client("127.0.0.1", s.server.port());
  try {
    client.call("ad", nlohmann::json::object(), kDeadline);
    FAIL("the call should have thrown");
  } catch (const ladder::level1::RemoteFailure& e) {
    CHECK(e.remote_message() == "no such method: \"ad\"");
  }
}

TEST_CASE("bad arguments make the method throw, which is a RemoteFailure", "[level1][rpc]") {
  AddingServer s;
  Client client("127.0.0.1", s.server.port());
  CHECK_THROWS_AS(client.call("add", {{"delta", "two"}}, kDeadline), ladder::level1::RemoteFailure);
  CHECK(s.total == 0);
}

TEST_CASE("connecting to a port nobody listens on is NotSent: safe to retry", "[level1][rpc]") {
  Client client("127.0.0.1", unused_port());
  try {
    client.call("add", {{"delta", 1}}, kDeadline);
    FAIL("the call should have thrown");
  } catch (const ladder::level1::NotSent& e) {
    CHECK(e.may_have_run() == MayHaveRun::no);
    CHECK_THAT(e.what(), Catch::Contains("cannot connect"));
  }
  CHECK(client.stats().not_sent == 1);
  CHECK_FALSE(client.connected());
}

TEST_CASE("a method slower than the deadline is TimedOut, and it still runs", "[level1][rpc]") {
  std::mutex mutex;
  std::condition_variable released_cv;
  bool released = false;
  int ran = 0;
  Server server(ladder::level1::ServerOptions{.threads = 2});
  server.add_method("slow", [&](const nlohmann::json&) {
    std::unique_lock lock(mutex);
    released_cv.wait(lock, [&] { return released; });
    ++ran;
    return nlohmann::json{{"value", ran}};
  });
  server.start();
  Client client("127.0.0.1", server.port());
  try {
    client.call("slow", nlohmann::json::object(), milliseconds(100));
    FAIL("the call should have timed out");
  } catch (const ladder::level1::TimedOut& e) {
    CHECK(e.may_have_run() == MayHaveRun::unknown);
  }
  CHECK_FALSE(client.connected());  // a timed-out call's connection is abandoned
  {
    const std::lock_guard lock(mutex);
    released = true;
  }
  released_cv.notify_all();
  // The abandoned call completes on the server all the same: the client gave up, the server did
  // not. The next call uses a fresh connection and cannot receive the late reply.
  CHECK(client.call("slow", nlohmann::json::object(), kDeadline).at("value") == 2);
  server.stop();
  CHECK(ran == 2);
  CHECK(client.stats().timed_out == 1);
  CHECK(client.stats().connects == 2);
}

TEST_CASE("garbage frames close that connection, are counted, and harm no one else",
          "[level1][rpc]") {
  AddingServer s;
  Client good("127.0.0.1", s.server.port());
  CHECK(good.call("add", {{"delta", 1}}, kDeadline).at("value") == 1);

  SECTION("a length over the limit") {
    RawConnection raw(s.server.port());
    raw.send(std::string("\xff\xff\xff\xff", 4));
    CHECK(raw.closed_by_peer());
    CHECK(s.server.stats().malformed_frames == 1);
  }
  SECTION("a wrong version byte") {
    RawConnection raw(s.server.port());
    raw.send(std::string("\x00\x00\x00\x02\x07{", 6));
    CHECK(raw.closed_by_peer());
    CHECK(s.server.stats().malformed_frames == 1);
  }
  SECTION("a good frame whose body is not JSON") {
    RawConnection raw(s.server.port());
    raw.send(ladder::net::encode_frame("add 1"));
    CHECK(raw.closed_by_peer());
    CHECK(s.server.stats().bad_requests == 1);
  }
  SECTION("a good frame whose body is JSON but not a request") {
    RawConnection raw(s.server.port());
    raw.send(ladder::net::encode_frame(R"({"id": 1, "method": "add", "args": {}, "x": 1})"));
    CHECK(raw.closed_by_peer());
    CHECK(s.server.stats().bad_requests == 1);
  }
  SECTION("a truncated frame, then the peer leaves") {
    {
      RawConnection raw(s.server.port());
      raw.send(std::string("\x00\x00\x00\x10\x01{\"id\"", 10));
    }
    // Not an error: the stream simply ended. Nothing ran and nothing was counted as malformed.
    CHECK(good.call("add", {{"delta", 0}}, kDeadline).at("value") == 1);
    CHECK(s.server.stats().malformed_frames == 0);
  }
  SECTION("ten thousand random and mutated frames") {
    ladder::net::Rng rng(20240601);
    const std::string valid = ladder::net::encode_frame(ladder::level1::encode(
        ladder::level1::Request{.id = 1, .method = "add", .args = {{"delta", 1}}}));
    for (int i = 0; i < 200; ++i) {
      RawConnection raw(s.server.port());
      for (int j = 0; j < 50; ++j) {
        std::string bytes = valid;
        if (rng.chance(0.5)) {  // mutate a valid frame: flip some bytes, maybe cut it short
          for (int flips = 0; flips < 3; ++flips) {
            bytes[rng.below(bytes.size())] = static_cast<char>(rng.below(256));
          }
          if (rng.chance(0.3)) bytes.resize(rng.below(bytes.size()));
        } else {  // pure noise
          bytes.resize(rng.below(64));
          for (char& c : bytes)
            c = static_cast<char>(rng.below(256));
        }
        boost::system::error_code ignored;
        asio::write(raw.socket, asio::buffer(bytes), ignored);
      }
    }
    // The server accepts and reads at its own pace: wait (boundedly) until it has seen them all.
    CHECK(eventually([&] { return s.server.stats().connections == 201; }));
    const auto stats = s.server.stats();
    CHECK(stats.malformed_frames + stats.bad_requests > 0);
  }
  // Whatever the garbage, the well-behaved client is still served on its own connection.
  CHECK(good.call("add", {{"delta", 1}}, kDeadline).at("value").get<std::int64_t>() >= 2);
}

TEST_CASE("replies from a broken server are MalformedReply", "[level1][rpc]") {
  // A fake server that reads one request and answers with whatever the section chooses.
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::string answer;
  SECTION("a bad version byte") {
    answer = std::string("\x00\x00\x00\x02\x09{", 6);
  }
  SECTION("a body that is not a reply") {
    answer = ladder::net::encode_frame(R"({"id": 1})");
  }
  SECTION("the reply to another call") {
    answer = ladder::net::encode_frame(R"({"id": 99, "result": 1})");
  }
  std::thread fake([&] {
    tcp::socket socket = acceptor.accept();
    std::array<char, 512> buffer{};
    boost::system::error_code error;
    socket.read_some(asio::buffer(buffer), error);
    asio::write(socket, asio::buffer(answer), error);
    socket.read_some(asio::buffer(buffer), error);  // wait for the client to hang up
  });
  Client client("127.0.0.1", acceptor.local_endpoint().port());
  try {
    client.call("add", {{"delta", 1}}, kDeadline);
    FAIL("the call should have thrown");
  } catch (const ladder::level1::MalformedReply& e) {
    CHECK(e.may_have_run() == MayHaveRun::unknown);
  }
  CHECK_FALSE(client.connected());
  fake.join();
  CHECK(client.stats().malformed_replies == 1);
}
