/// \file
/// The fault proxy on Boost.Asio: one io_context on one thread, one coroutine accepting, and per
/// connection two coroutines pumping frames, client to server and server to client. Everything
/// that touches a socket, a timer or the picker runs on the proxy's thread; the control calls
/// hop onto it with run_on_io(), and the counters are behind a mutex so stats() can read them.

#include "network/fault_proxy.hpp"

#include <array>
#include <cassert>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>  // before Asio's awaitable.hpp, which forgets it in Boost 1.74

#include <fmt/format.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "network/detail/io_thread.hpp"

namespace ladder::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// ---------------------------------------------------------------------------------------------
// Names

const char* to_string(ProxyFault fault) {
  switch (fault) {
    case ProxyFault::none:
      return "none";
    case ProxyFault::drop_request:
      return "drop_request";
    case ProxyFault::drop_reply:
      return "drop_reply";
    case ProxyFault::delay:
      return "delay";
    case ProxyFault::reset:
      return "reset";
  }
  assert(false && "unknown ProxyFault");
  return "?";
}

const char* to_string(ProxyEventKind kind) {
  switch (kind) {
    case ProxyEventKind::accepted:
      return "accepted";
    case ProxyEventKind::connect_failed:
      return "connect_failed";
    case ProxyEventKind::request:
      return "request";
    case ProxyEventKind::held:
      return "held";
    case ProxyEventKind::forwarded:
      return "forwarded";
    case ProxyEventKind::dropped_request:
      return "dropped_request";
    case ProxyEventKind::reply:
      return "reply";
    case ProxyEventKind::dropped_reply:
      return "dropped_reply";
    case ProxyEventKind::reset:
      return "reset";
    case ProxyEventKind::malformed:
      return "malformed";
    case ProxyEventKind::closed:
      return "closed";
    case ProxyEventKind::partition:
      return "partition";
    case ProxyEventKind::refuse:
      return "refuse";
  }
  assert(false && "unknown ProxyEventKind");
  return "?";
}

std::string format_proxy_event(const ProxyEvent& event) {
  std::string line =
      event.connection == 0 ? std::string("proxy") : fmt::format("conn {}", event.connection);
  if (event.call != 0) {
    line += fmt::format(" call {}", event.call);
  }
  line += fmt::format(": {}", to_string(event.kind));
  if (event.kind == ProxyEventKind::request) {
    line += fmt::format(" ({}", to_string(event.fault.fault));
    if (event.fault.delay_ms > 0) {
      line += fmt::format(", +{} ms", event.fault.delay_ms);
    }
    line += ")";
  }
  if (!event.detail.empty()) {
    line += fmt::format(" ({})", event.detail);
  }
  return line;
}

FaultPlan quiet_plan() {
  FaultPlan plan;
  plan.delay_min_ms = 0;
  plan.delay_max_ms = 0;
  return plan;
}

// ---------------------------------------------------------------------------------------------
// CallFaultPicker

CallFaultPicker::CallFaultPicker(std::vector<ScriptedFault> script, const FaultPlan& plan,
                                 std::uint64_t seed)
    : drop_probability_(plan.drop_probability),
      response_loss_probability_(plan.response_loss_probability),
      delay_min_ms_(plan.delay_min_ms),
      delay_max_ms_(plan.delay_max_ms),
      rng_(seed) {
  assert(plan.delay_min_ms >= 0 && "a delay cannot be negative");
  assert(plan.delay_min_ms <= plan.delay_max_ms && "delay_min_ms > delay_max_ms");
  for (const ScriptedFault& line : script) {
    add(line);
  }
}

void CallFaultPicker::add(const ScriptedFault& line) {
  assert(line.call > calls_ && "the scripted call has already been picked");
  assert(line.delay_ms >= 0 && "a delay cannot be negative");
  for (const ScriptedFault& existing : script_) {
    assert(existing.call != line.call && "the script names this call twice");
    (void)existing;
  }
  script_.push_back(line);
}

CallFault CallFaultPicker::next() {
  ++calls_;
  // Draw all three for every call, scripted or not, so that the draws of call k never depend
  // on what the script says about the calls before it.
  const bool drop_request = rng_.chance(drop_probability_);
  const bool drop_reply = rng_.chance(response_loss_probability_);
  const Time delay_ms = rng_.between(delay_min_ms_, delay_max_ms_);

  for (const ScriptedFault& line : script_) {
    if (line.call == calls_) {
      return CallFault{line.fault, line.fault == ProxyFault::delay ? line.delay_ms : 0};
    }
  }
  if (drop_request) {
    return CallFault{ProxyFault::drop_request, 0};
  }
  if (drop_reply) {
    return CallFault{ProxyFault::drop_reply, delay_ms};
  }
  return CallFault{delay_ms > 0 ? ProxyFault::delay : ProxyFault::none, delay_ms};
}

// ---------------------------------------------------------------------------------------------
// FaultProxy

namespace {

constexpr std::size_t kReadChunkBytes = 4096;

// A forwarded call whose reply has not come back yet.
struct PendingCall {
  std::uint64_t call = 0;
  bool drop_reply = false;
};

// One client connection and its onward connection to the server.
struct Connection {
  Connection(asio::io_context& io, tcp::socket client_socket, std::uint64_t number,
             std::size_t max_frame_bytes)
      : id(number),
        client(std::move(client_socket)),
        server(io),
        wake(io, asio::steady_timer::time_point::max()),
        delay(io),
        from_client(max_frame_bytes),
        from_server(max_frame_bytes) {}

  std::uint64_t id;
  tcp::socket client;
  tcp::socket server;
  // Never expires: cancelling it wakes the pumps waiting for a partition to heal.
  asio::steady_timer wake;
  asio::steady_timer delay;
  FrameDecoder from_client;
  FrameDecoder from_server;
  // Calls forwarded to the server, oldest first: the server answers in order, so its next frame
  // is the reply to the front one.
  std::deque<PendingCall> pending;
  bool client_done = false;  // the client shut down its sending side
  bool server_done = false;  // the server shut down its sending side
  bool closed = false;
};

}  // namespace

struct FaultProxy::Impl {
  explicit Impl(ProxyOptions opts)
      : options(std::move(opts)),
        acceptor(io),
        picker(options.script, options.plan, options.seed) {}

  ProxyOptions options;
  asio::io_context io;  // declared before them: destroyed after every socket and timer using it
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor;
  tcp::endpoint listen_endpoint;
  std::uint16_t port = 0;  // written once by start(), before the thread exists
  tcp::endpoint target;
  std::thread thread;
  CallFaultPicker picker;
  std::map<std::uint64_t, std::shared_ptr<Connection>> connections;  // open ones, by id
  std::uint64_t connections_accepted = 0;
  bool partitioned = false;
  bool refusing = false;
  bool stopping = false;

  mutable std::mutex stats_mutex;
  ProxyStats counters;  // guarded by stats_mutex

  // --- helpers -------------------------------------------------------------------------------

  template <class Update>
  void count(Update update) {
    const std::lock_guard lock(stats_mutex);
    update(counters);
  }

  void emit(ProxyEventKind kind, std::uint64_t connection, std::uint64_t call,
            std::string detail = {}, CallFault fault = {}) {
    if (options.log) {
      options.log(ProxyEvent{kind, connection, call, fault, std::move(detail)});
    }
  }

  // Runs `action` on the proxy's thread and waits for it; exceptions come back to the caller.
  template <class Action>
  void run_on_io(Action action) {
    assert(thread.joinable() && "FaultProxy: call start() first (and not after stop())");
    detail::run_on_io(io, action);
  }

  void open_acceptor() {
    acceptor.open(listen_endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    try {
      acceptor.bind(listen_endpoint);
      acceptor.listen();
    } catch (...) {
      error_code ignored;
      acceptor.close(ignored);
      throw;
    }
    // Remember the port the system chose, so that listening again after refuse() reuses it.
    listen_endpoint = acceptor.local_endpoint();
  }

  void close(Connection& conn, std::string_view reason) {
    if (conn.closed) {
      return;
    }
    conn.closed = true;
    error_code ignored;
    conn.client.close(ignored);
    conn.server.close(ignored);
    conn.wake.cancel();
    conn.delay.cancel();
    connections.erase(conn.id);
    emit(ProxyEventKind::closed, conn.id, 0, std::string(reason));
  }

  // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
  void reset(Connection& conn, std::uint64_t call, std::string_view reason) {
    if (conn.closed) {
      return;
    }
    error_code ignored;
    conn.client.set_option(tcp::socket::linger(true, 0), ignored);
    count([](ProxyStats& s) { ++s.resets; });
    emit(ProxyEventKind::reset, conn.id, call, std::string(reason));
    close(conn, reason);
  }

  // After a swallowed frame: true when the connection stays open (AfterDrop::keep_open).
  bool after_drop(Connection& conn, std::string_view reason) {
    if (options.after_drop == AfterDrop::close) {
      close(conn, reason);
      return false;
    }
    return true;
  }

  // Half-close: one side finished sending, so tell the other side, and close when both are done.
  void finish_side(Connection& conn, bool client_side) {
    error_code ignored;
    if (client_side) {
      conn.client_done = true;
      conn.server.shutdown(tcp::socket::shutdown_send, ignored);
    } else {
      conn.server_done = true;
      conn.client.shutdown(tcp::socket::shutdown_send, ignored);
    }
    if (conn.client_done && conn.server_done) {
      close(conn, "both sides closed");
    }
  }

  // Suspends while the route is a black hole. Counts and logs the frame once when it must wait.
  asio::awaitable<void> hold_while_partitioned(Connection& conn, std::uint64_t call) {
    if (!partitioned || conn.closed) {
      co_return;
    }
    count([](ProxyStats& s) { ++s.held; });
    emit(ProxyEventKind::held, conn.id, call);
    while (partitioned && !conn.closed) {
      error_code ec;
      co_await conn.wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  // --- coroutines ----------------------------------------------------------------------------

  asio::awaitable<void> accept_loop() {
    for (;;) {
      error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted || stopping) {
        co_return;  // refuse() or stop() closed the acceptor
      }
      if (ec == asio::error::connection_aborted) {
        continue;  // the client gave up before we accepted: nothing to do
      }
      if (ec) {
        // Out of file descriptors, say: stop listening, as refuse(true) would, and say why.
        // refuse(false) listens again.
        refusing = true;
        error_code ignored;
        acceptor.close(ignored);
        emit(ProxyEventKind::refuse, 0, 0, fmt::format("on: accept failed: {}", ec.message()));
        co_return;
      }
      const std::uint64_t id = ++connections_accepted;
      auto conn = std::make_shared<Connection>(io, std::move(socket), id, options.max_frame_bytes);
      connections.emplace(id, conn);
      count([](ProxyStats& s) { ++s.connections; });
      emit(ProxyEventKind::accepted, id, 0);
      asio::co_spawn(io, session(conn), detail::rethrow);
    }
  }

  asio::awaitable<void> session(std::shared_ptr<Connection> conn) {
    // No onward connection into a black hole: the server must not learn of the client early.
    co_await hold_while_partitioned(*conn, 0);
    if (conn->closed) {
      co_return;
    }
    error_code ec;
    co_await conn->server.async_connect(target, asio::redirect_error(asio::use_awaitable, ec));
    if (conn->closed) {
      co_return;
    }
    if (ec) {
      count([](ProxyStats& s) { ++s.connect_failures; });
      emit(ProxyEventKind::connect_failed, conn->id, 0, ec.message());
      reset(*conn, 0, "the server cannot be reached");
      co_return;
    }
    asio::co_spawn(io, server_to_client(conn), detail::rethrow);
    co_await client_to_server(conn);
  }

  asio::awaitable<void> client_to_server(std::shared_ptr<Connection> conn) {
    std::array<char, kReadChunkBytes> buffer{};
    for (;;) {
      error_code ec;
      const std::size_t n = co_await conn->client.async_read_some(
          asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (conn->closed) {
        co_return;
      }
      if (ec == asio::error::eof) {
        finish_side(*conn, true);
        co_return;
      }
      if (ec) {
        close(*conn, fmt::format("client: {}", ec.message()));
        co_return;
      }
      conn->from_client.feed(std::string_view(buffer.data(), n));
      while (auto frame = conn->from_client.next()) {
        if (!frame->ok()) {
          reject_malformed(*conn, "client", frame->error());
          co_return;
        }
        if (!co_await forward_request(conn, std::move(*frame).body())) {
          co_return;
        }
      }
    }
  }

  // Applies the call's fault to one request; false when the connection is finished.
  asio::awaitable<bool> forward_request(std::shared_ptr<Connection> conn, std::string body) {
    const CallFault fault = picker.next();
    const std::uint64_t call = picker.calls();
    count([](ProxyStats& s) { ++s.calls; });
    emit(ProxyEventKind::request, conn->id, call, {}, fault);

    co_await hold_while_partitioned(*conn, call);
    if (conn->closed) {
      co_return false;
    }
    if (fault.fault == ProxyFault::drop_request) {
      count([](ProxyStats& s) { ++s.dropped_requests; });
      emit(ProxyEventKind::dropped_request, conn->id, call);
      co_return after_drop(*conn, "request dropped");
    }
    if (fault.fault == ProxyFault::reset) {
      reset(*conn, call, "scripted reset");
      co_return false;
    }
    if (fault.delay_ms > 0) {
      count([](ProxyStats& s) { ++s.delayed; });
      error_code ec;
      conn->delay.expires_after(std::chrono::milliseconds(fault.delay_ms));
      co_await conn->delay.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      co_await hold_while_partitioned(*conn, call);  // a partition may have begun meanwhile
      if (conn->closed) {
        co_return false;
      }
    }
    // Queue the call before writing: the reply may come back before the write completes.
    conn->pending.push_back(PendingCall{call, fault.fault == ProxyFault::drop_reply});
    // Counted before the write, so that a peer that has read the frame also sees it counted.
    const std::string frame = encode_frame(body, options.max_frame_bytes);
    count([&frame](ProxyStats& s) {
      ++s.requests_forwarded;
      s.bytes_to_server += frame.size();
    });
    emit(ProxyEventKind::forwarded, conn->id, call);
    error_code ec;
    co_await asio::async_write(conn->server, asio::buffer(frame),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (conn->closed) {
      co_return false;
    }
    if (ec) {
      close(*conn, fmt::format("server: {}", ec.message()));
      co_return false;
    }
    co_return true;
  }

  asio::awaitable<void> server_to_client(std::shared_ptr<Connection> conn) {
    std::array<char, kReadChunkBytes> buffer{};
    for (;;) {
      error_code ec;
      const std::size_t n = co_await conn->server.async_read_some(
          asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (conn->closed) {
        co_return;
      }
      if (ec == asio::error::eof) {
        finish_side(*conn, false);
        co_return;
      }
      if (ec == asio::error::connection_reset) {
        reset(*conn, 0, "the server reset the connection");  // pass the reset on
        co_return;
      }
      if (ec) {
        close(*conn, fmt::format("server: {}", ec.message()));
        co_return;
      }
      conn->from_server.feed(std::string_view(buffer.data(), n));
      while (auto frame = conn->from_server.next()) {
        if (!frame->ok()) {
          reject_malformed(*conn, "server", frame->error());
          co_return;
        }
        if (!co_await forward_reply(conn, std::move(*frame).body())) {
          co_return;
        }
      }
    }
  }

  // Applies the fault of the call this reply answers; false when the connection is finished.
  asio::awaitable<bool> forward_reply(std::shared_ptr<Connection> conn, std::string body) {
    PendingCall answered;
    if (conn->pending.empty()) {
      count([](ProxyStats& s) { ++s.unsolicited_replies; });  // not ours to judge: pass it on
    } else {
      answered = conn->pending.front();
      conn->pending.pop_front();
    }
    co_await hold_while_partitioned(*conn, answered.call);
    if (conn->closed) {
      co_return false;
    }
    if (answered.drop_reply) {
      count([](ProxyStats& s) { ++s.dropped_replies; });
      emit(ProxyEventKind::dropped_reply, conn->id, answered.call);
      co_return after_drop(*conn, "reply dropped");
    }
    // Counted before the write, so that a peer that has read the frame also sees it counted.
    const std::string frame = encode_frame(body, options.max_frame_bytes);
    count([&frame](ProxyStats& s) {
      ++s.replies_forwarded;
      s.bytes_to_client += frame.size();
    });
    emit(ProxyEventKind::reply, conn->id, answered.call);
    error_code ec;
    co_await asio::async_write(conn->client, asio::buffer(frame),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (conn->closed) {
      co_return false;
    }
    if (ec) {
      close(*conn, fmt::format("client: {}", ec.message()));
      co_return false;
    }
    co_return true;
  }

  void reject_malformed(Connection& conn, std::string_view side, const FrameError& error) {
    count([](ProxyStats& s) { ++s.malformed; });
    emit(ProxyEventKind::malformed, conn.id, 0, fmt::format("{}: {}", side, error.message));
    close(conn, "malformed frame");
  }
};

FaultProxy::FaultProxy(ProxyOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  assert(impl_->options.target_port != 0 && "ProxyOptions::target_port is required");
}

FaultProxy::~FaultProxy() {
  stop();
}

void FaultProxy::start() {
  Impl& impl = *impl_;
  assert(!impl.thread.joinable() && !impl.stopping && "FaultProxy::start() called twice");
  tcp::resolver resolver(impl.io);
  impl.target = *resolver
                     .resolve(impl.options.target_host, std::to_string(impl.options.target_port),
                              tcp::resolver::numeric_service)
                     .begin();
  impl.listen_endpoint =
      tcp::endpoint(asio::ip::make_address(impl.options.listen_host), impl.options.listen_port);
  impl.open_acceptor();
  impl.port = impl.listen_endpoint.port();
  impl.work.emplace(impl.io.get_executor());
  asio::co_spawn(impl.io, impl.accept_loop(), detail::rethrow);
  impl.thread = std::thread([&impl] { impl.io.run(); });
}

void FaultProxy::stop() {
  Impl& impl = *impl_;
  if (!impl.thread.joinable()) {
    return;
  }
  impl.run_on_io([&impl] {
    impl.stopping = true;
    error_code ignored;
    impl.acceptor.close(ignored);
    const auto open = impl.connections;  // close() erases from the map
    for (const auto& [id, conn] : open) {
      impl.close(*conn, "proxy stopped");
    }
  });
  // With every socket closed, each coroutine finishes and run() returns.
  impl.work.reset();
  impl.thread.join();
  assert(impl.connections.empty());
}

std::uint16_t FaultProxy::port() const {
  return impl_->port;
}

void FaultProxy::partition(bool on) {
  Impl& impl = *impl_;
  impl.run_on_io([&impl, on] {
    if (impl.partitioned == on) {
      return;
    }
    impl.partitioned = on;
    impl.emit(ProxyEventKind::partition, 0, 0, on ? "on" : "off");
    if (!on) {
      for (const auto& [id, conn] : impl.connections) {
        conn->wake.cancel();
      }
    }
  });
}

void FaultProxy::refuse(bool on) {
  Impl& impl = *impl_;
  impl.run_on_io([&impl, on] {
    if (impl.refusing == on) {
      return;
    }
    if (on) {
      error_code ignored;
      impl.acceptor.close(ignored);
    } else {
      impl.open_acceptor();
      asio::co_spawn(impl.io, impl.accept_loop(), detail::rethrow);
    }
    impl.refusing = on;
    impl.emit(ProxyEventKind::refuse, 0, 0, on ? "on" : "off");
  });
}

void FaultProxy::reset_all() {
  Impl& impl = *impl_;
  impl.run_on_io([&impl] {
    const auto open = impl.connections;  // reset() erases from the map
    for (const auto& [id, conn] : open) {
      impl.reset(*conn, 0, "reset_all");
    }
  });
}

void FaultProxy::add_fault(const ScriptedFault& line) {
  Impl& impl = *impl_;
  if (!impl.thread.joinable()) {
    impl.picker.add(line);  // not started: no other thread touches the picker
    return;
  }
  impl.run_on_io([&impl, &line] { impl.picker.add(line); });
}

ProxyStats FaultProxy::stats() const {
  const std::lock_guard lock(impl_->stats_mutex);
  return impl_->counters;
}

}  // namespace ladder::net
