// Level 3's front door on a real loopback socket (level3_pure/runtime/resp_server.hpp), with an
// in-memory counter as the backend: answers in order although the backend completes out of order,
// unknown outcomes, unknown commands, protocol errors, backpressure, shutdown; and, when Debian's
// redis-tools are installed, redis-cli and redis-benchmark talking to it unchanged.

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "level3_pure/runtime/resp_server.hpp"
#include "network/detail/io_thread.hpp"

using namespace ladder::level3;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ladder::net::detail::run_on_io;

namespace {

// The fake backend's modes.
enum class Mode {
  immediate,  ///< an in-memory counter that answers at once
  hold,       ///< keeps every Done for the test to complete
  unknown,    ///< answers every command "outcome unknown"
  drop,       ///< destroys every Done uncalled
};

// A command the holding backend keeps.
struct Held {
  CounterCommand command;
  Done done;
};

// A RespServer on an io_context run by a thread of its own, with a fake backend. Everything the
// backend touches lives on the io thread; the test reaches it through run_on_io().
class TestServer {
 public:
  explicit TestServer(Mode mode, RespServerOptions options = {}, InfoHook info = {})
      : mode_(mode),
        server_(
            io_, with_disconnect(std::move(options)),
            [this](std::uint64_t, CounterCommand command, Done done) {
              serve(command, std::move(done));
            },
            std::move(info)) {
    server_.start();
    work_.emplace(io_.get_executor());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestServer() {
    run_on_io(io_, [this] {
      held_.clear();
      server_.stop();
    });
    work_.reset();
    thread_.join();
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  asio::io_context& io() { return io_; }
  RespServer& server() { return server_; }
  std::uint16_t port() const { return server_.port(); }

  // How many commands the holding backend keeps now.
  std::size_t held() {
    std::size_t n = 0;
    run_on_io(io_, [&] { n = held_.size(); });
    return n;
  }
  // Takes the held command `index` (in arrival order) out, for the test to complete.
  Held take(std::size_t index) {
    Held out;
    run_on_io(io_, [&] {
      REQUIRE(index < held_.size());
      out = std::move(held_[index]);
      held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(index));
    });
    return out;
  }
  std::int64_t value() {
    std::int64_t v = 0;
    run_on_io(io_, [&] { v = value_; });
    return v;
  }
  std::vector<std::uint64_t> disconnected() {
    std::vector<std::uint64_t> out;
    run_on_io(io_, [&] { out = disconnected_; });
    return out;
  }
  // Whether `condition` (run on the io thread) comes to hold: a wait for the server, not a
  // timing claim. Gives up after 20 s so that a broken server fails the test instead of hanging.
  template <class Condition>
  bool eventually(Condition condition) {
    for (int i = 0; i < 20'000; ++i) {
      bool ok = false;
      run_on_io(io_, [&] { ok = condition(); });
      if (ok) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }
  // Waits until `condition` holds; fails the test when it never does.
  template <class Condition>
  void wait_for(Condition condition) {
    if (!eventually(condition)) FAIL("the server never reached the awaited state");
  }

 private:
  RespServerOptions with_disconnect(RespServerOptions options) {
    options.on_disconnect = [this](std::uint64_t id) { disconnected_.push_back(id); };
    return options;
  }

  void serve(CounterCommand command, Done done) {
    switch (mode_) {
      case Mode::immediate:
        if (command.kind == CounterCommand::Kind::add) value_ += command.delta;
        done(CommandOutcome::ok(value_));
        return;
      case Mode::hold:
        held_.push_back({command, std::move(done)});
        return;
      case Mode::unknown:
        done(CommandOutcome::unknown("the cluster did not answer in 2000 ms"));
        return;
      case Mode::drop:
        return;
    }
  }

  Mode mode_;
  asio::io_context io_;
  std::vector<Held> held_;
  std::int64_t value_ = 0;
  std::vector<std::uint64_t> disconnected_;
  RespServer server_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread thread_;
};

// A blocking client socket whose reads give up after 20 s instead of hanging the test.
class Client {
 public:
  // `receive_buffer` > 0 fixes the socket's receive buffer (no autotuning) at that size.
  explicit Client(std::uint16_t port, int receive_buffer = 0) : socket_(io_) {
    socket_.open(tcp::v4());
    if (receive_buffer > 0)
      socket_.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    timeval timeout{20, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  void send(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }
  // Exactly `n` bytes.
  std::string read(std::size_t n) {
    std::string out(n, '\0');
    asio::read(socket_, asio::buffer(out));
    return out;
  }
  // Reads as many bytes as `expected` has and returns them, for a CHECK against it.
  std::string read_like(std::string_view expected) { return read(expected.size()); }
  // True when the server closed the connection (end of stream) and sent nothing more.
  bool at_eof() {
    char byte = 0;
    boost::system::error_code ec;
    socket_.read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof;
  }
  void shutdown_send() { socket_.shutdown(tcp::socket::shutdown_send); }
  // Shuts both directions down, so that a thread blocked writing to it returns with an error.
  void close() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
};

// Runs a shell command and returns its standard output (and its exit status).
std::string run(const std::string& command, int* status = nullptr) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    out.append(buffer, n);
  const int rc = ::pclose(pipe);
  if (status) *status = rc;
  return out;
}

bool have(const char* tool) {
  return std::system(("command -v " + std::string(tool) + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

TEST_CASE("server: the counter's commands over a loopback socket", "[resp][server]") {
  TestServer test(Mode::immediate);
  Client client(test.port());
  client.send(
      "INCR x\r\n*3\r\n$6\r\nINCRBY\r\n$1\r\ny\r\n$2\r\n10\r\nDECR z\r\nDECRBY a 3\r\nGET b\r\n");
  const std::string expected = ":1\r\n:11\r\n:10\r\n:7\r\n$1\r\n7\r\n";
  CHECK(client.read_like(expected) == expected);
  CHECK(test.value() == 7);
  client.send("PING\r\nPING hi\r\n");
  CHECK(client.read_like("+PONG\r\n$2\r\nhi\r\n") == "+PONG\r\n$2\r\nhi\r\n");
  const auto stats = test.server().stats();
  CHECK(stats.counter_commands == 5);
  CHECK(stats.outcomes_ok == 5);
  CHECK(stats.local_replies == 2);
  CHECK(stats.commands == 7);
  CHECK(stats.connections_accepted == 1);
  CHECK(stats.connections_open == 1);
}

TEST_CASE("server: pipelined answers keep command order when the backend completes out of order",
          "[resp][server]") {
  TestServer test(Mode::hold);
  Client client(test.port());
  client.send("INCR k\r\nINCRBY k 5\r\nGET k\r\nPING\r\n");
  test.wait_for([&] { return test.server().stats().counter_commands == 3; });
  REQUIRE(test.held() == 3);
  // Complete the GET first, then the INCRBY, then the INCR: the replies still go INCR first.
  Held get = test.take(2);
  CHECK(get.command.kind == CounterCommand::Kind::read);
  get.done(CommandOutcome::ok(42));
  Held incrby = test.take(1);
  CHECK(incrby.command.delta == 5);
  incrby.done(CommandOutcome::ok(6));
  // Nothing may be written before the INCR's answer: the first reply is owed to it.
  run_on_io(test.io(), [&] { CHECK(test.server().stats().bytes_written == 0); });
  Held incr = test.take(0);
  CHECK(incr.command.delta == 1);
  incr.done(CommandOutcome::ok(1));  // from this thread: Done hops onto the io thread itself
  const std::string expected = ":1\r\n:6\r\n$2\r\n42\r\n+PONG\r\n";
  CHECK(client.read_like(expected) == expected);
}

TEST_CASE("server: an unknown outcome says the command may or may not have happened",
          "[resp][server]") {
  TestServer test(Mode::unknown);
  Client client(test.port());
  client.send("INCRBY x 3\r\nGET x\r\n");
  const std::string expected =
      "-TIMEOUT the cluster did not answer in 2000 ms; the INCRBY may or may not have happened\r\n"
      "-TIMEOUT the cluster did not answer in 2000 ms; no value was read\r\n";
  CHECK(client.read_like(expected) == expected);
  CHECK(test.server().stats().outcomes_unknown == 2);
}

TEST_CASE("server: a Done the backend drops is answered, not forgotten", "[resp][server]") {
  TestServer test(Mode::drop);
  Client client(test.port());
  client.send("INCR x\r\nPING\r\n");
  const std::string expected =
      "-ERR the backend dropped the command without an outcome\r\n+PONG\r\n";
  CHECK(client.read_like(expected) == expected);
  CHECK(test.server().stats().outcomes_error == 1);
}

TEST_CASE("server: an unknown command is answered and the connection goes on", "[resp][server]") {
  TestServer test(Mode::immediate);
  Client client(test.port());
  client.send("SET a b\r\nINCR a\r\n");
  const std::string expected =
      "-ERR unknown command 'SET': this server is a replicated counter; it knows INCR, INCRBY, "
      "DECR, DECRBY, GET, PING\r\n:1\r\n";
  CHECK(client.read_like(expected) == expected);
  CHECK(test.server().stats().unknown_commands == 1);
}

TEST_CASE("server: a protocol error is answered, counted, and closes only its connection",
          "[resp][server]") {
  TestServer test(Mode::immediate);
  Client bad(test.port());
  bad.send("INCR x\r\n*1\r\n$x\r\nINCR x\r\n");
  const std::string expected = ":1\r\n-ERR Protocol error: invalid bulk length 'x' at byte 12\r\n";
  CHECK(bad.read_like(expected) == expected);
  CHECK(bad.at_eof());
  CHECK(test.value() == 1);  // the INCR after the error was never read
  Client good(test.port());
  good.send("GET x\r\n");
  CHECK(good.read_like("$1\r\n1\r\n") == "$1\r\n1\r\n");
  const auto stats = test.server().stats();
  CHECK(stats.protocol_errors == 1);
  CHECK(stats.connections_accepted == 2);
  test.wait_for([&] { return test.disconnected().size() == 1; });
  CHECK(test.disconnected() == std::vector<std::uint64_t>{1});
}

TEST_CASE("server: a connection at max_outstanding stops reading until answers drain",
          "[resp][server]") {
  RespServerOptions options;
  options.max_outstanding = 4;
  TestServer test(Mode::hold, options);
  Client client(test.port());
  std::string burst;
  for (int i = 0; i < 100; ++i)
    burst += "INCR x\r\n";
  client.send(burst);
  test.wait_for([&] { return test.server().stats().backpressure_pauses >= 1; });
  // Paused with four commands owed: no fifth reaches the backend however long we look.
  CHECK(test.held() == 4);
  CHECK(test.server().stats().counter_commands == 4);
  std::int64_t value = 0;
  std::string expected;
  while (value < 100) {
    test.wait_for([&] { return test.held() > 0; });
    Held next = test.take(0);
    next.done(CommandOutcome::ok(++value));
    expected += ":" + std::to_string(value) + "\r\n";
    CHECK(test.held() <= 4);
  }
  CHECK(client.read_like(expected) == expected);
  CHECK(test.server().stats().counter_commands == 100);
}

TEST_CASE("server: a connection that owes an answer reads on only once it is written",
          "[resp][server]") {
  TestServer test(Mode::hold);
  Client client(test.port());
  client.send("INCR k\r\n");
  test.wait_for([&] { return test.held() == 1; });
  // A second command sent while the first is owed stays in the socket: reading it now would not
  // run it sooner (a connection's commands run in order) and costs a recv per command.
  client.send("INCRBY k 5\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  run_on_io(test.io(), [&] { CHECK(test.server().stats().counter_commands == 1); });
  CHECK(test.held() == 1);
  test.take(0).done(CommandOutcome::ok(1));
  test.wait_for([&] { return test.held() == 1; });  // the INCRBY, read once :1 was written
  Held incrby = test.take(0);
  CHECK(incrby.command.delta == 5);
  incrby.done(CommandOutcome::ok(6));
  CHECK(client.read_like(":1\r\n:6\r\n") == ":1\r\n:6\r\n");
}

TEST_CASE("server: a client that never reads its answers is paused too", "[resp][server]") {
  RespServerOptions options;
  options.max_reply_bytes = 4096;
  TestServer test(Mode::immediate, options);
  // A small, fixed receive buffer (no autotuning): the kernel holds only a few MB of answers.
  Client client(test.port(), 64 * 1024);
  // 20 MB of PINGs whose answers nobody reads yet: the server must stop reading, not buffer.
  const std::string message(1000, 'p');
  std::string burst;
  for (int i = 0; i < 100; ++i)
    burst += "PING " + message + "\r\n";
  constexpr int kBursts = 200;
  std::thread sender([&] {
    try {
      for (int i = 0; i < kBursts; ++i)
        client.send(burst);
    } catch (const std::exception&) {
      // The connection was closed under it: the checks below report why.
    }
  });
  struct Joiner {
    std::thread& thread;
    Client& client;
    ~Joiner() {
      client.close();
      thread.join();
    }
  } joiner{sender, client};
  REQUIRE(test.eventually([&] { return test.server().stats().backpressure_pauses >= 1; }));
  const auto paused_at = test.server().stats().commands;
  CHECK(paused_at < 100 * kBursts);
  // Now read everything: the server resumes, and every PING is answered.
  const std::string one = resp_bulk(message);
  const std::string all = client.read(one.size() * 100 * kBursts);
  CHECK(all.substr(0, one.size()) == one);
  CHECK(all.substr(all.size() - one.size()) == one);
  CHECK(test.server().stats().commands == 100 * kBursts);
}

TEST_CASE("server: INFO answers from the node's own hook, as a bulk string", "[resp][server]") {
  const std::string text = "# ladder\r\nreplica:1\r\nrole:backup\r\nvalue:12\r\n";
  TestServer test(Mode::hold, {}, [&] { return text; });
  Client client(test.port());
  // INFO answers at once although the cluster (the holding backend) never does.
  client.send("INFO\r\n");
  CHECK(client.read_like(encode_info(text)) == encode_info(text));
  CHECK(test.server().stats().info_requests == 1);
  TestServer bare(Mode::hold);
  Client other(bare.port());
  other.send("INFO\r\n");
  CHECK(other.read_like("$10\r\n# ladder\r\n\r\n") == "$10\r\n# ladder\r\n\r\n");
}

TEST_CASE("server: QUIT and a half-closed client get their answers, then the end",
          "[resp][server]") {
  TestServer test(Mode::immediate);
  Client quitter(test.port());
  quitter.send("INCR x\r\nQUIT\r\nINCR x\r\n");
  CHECK(quitter.read_like(":1\r\n+OK\r\n") == ":1\r\n+OK\r\n");
  CHECK(quitter.at_eof());
  Client half(test.port());
  half.send("INCR x\r\n");
  half.shutdown_send();
  CHECK(half.read_like(":2\r\n") == ":2\r\n");
  CHECK(half.at_eof());
  CHECK(test.value() == 2);
}

TEST_CASE("server: over max_connections a client hears Redis's refusal", "[resp][server]") {
  RespServerOptions options;
  options.max_connections = 1;
  TestServer test(Mode::immediate, options);
  Client first(test.port());
  first.send("PING\r\n");
  CHECK(first.read_like("+PONG\r\n") == "+PONG\r\n");
  Client second(test.port());
  const std::string refusal = "-ERR max number of clients reached\r\n";
  CHECK(second.read_like(refusal) == refusal);
  CHECK(second.at_eof());
  CHECK(test.server().stats().connections_refused == 1);
}

TEST_CASE("server: stop() closes every connection; late Dones do nothing", "[resp][server]") {
  TestServer test(Mode::hold);
  Client client(test.port());
  client.send("INCR x\r\n");
  test.wait_for([&] { return test.held() == 1; });
  Held late = test.take(0);
  run_on_io(test.io(), [&] { test.server().stop(); });
  CHECK(client.at_eof());
  late.done(CommandOutcome::ok(1));  // after stop(): ignored, no crash
  run_on_io(test.io(), [] {});       // let the dispatched completion run
  CHECK(test.server().stats().connections_open == 0);
  CHECK(test.server().stats().bytes_written == 0);
  CHECK(test.disconnected() == std::vector<std::uint64_t>{1});
}

TEST_CASE("server: redis-cli and redis-benchmark talk to it unchanged", "[resp][server][redis]") {
  if (!have("redis-cli") || !have("redis-benchmark")) {
    WARN("SKIPPED: redis-cli or redis-benchmark not installed (apt-get install redis-tools)");
    return;
  }
  TestServer test(Mode::immediate);
  const std::string port = std::to_string(test.port());
  int status = 0;
  const std::string bench =
      run("redis-benchmark -h 127.0.0.1 -p " + port + " -t incr -n 2000 -c 5 -q 2>&1", &status);
  INFO(bench);
  CHECK(status == 0);
  CHECK(bench.find("INCR") != std::string::npos);
  CHECK(test.value() == 2000);
  const std::string cli = "redis-cli -h 127.0.0.1 -p " + port + " --no-raw ";
  CHECK(run(cli + "GET counter") == "\"2000\"\n");
  CHECK(run(cli + "INCRBY x 5") == "(integer) 2005\n");
  CHECK(run(cli + "DECR x") == "(integer) 2004\n");
  CHECK(run(cli + "PING") == "PONG\n");
  CHECK(run(cli + "SET a b 2>&1") ==
        "(error) ERR unknown command 'SET': this server is a replicated counter; it knows INCR, "
        "INCRBY, DECR, DECRBY, GET, PING\n");
  CHECK(run(cli + "INCRBY x five 2>&1") == "(error) ERR value is not an integer or out of range\n");
  CHECK(test.value() == 2004);
  CHECK(test.server().stats().protocol_errors == 0);
}
