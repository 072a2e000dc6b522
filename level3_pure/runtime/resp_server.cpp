/// \file
/// The RESP server on Boost.Asio: one coroutine accepting, and per connection one coroutine
/// reading and parsing, while replies are written by plain completion handlers as soon as the
/// oldest unanswered command has its answer. Everything runs on the caller's io_context thread;
/// only the counters are atomics, so that stats() may be read from anywhere.

#include "level3_pure/runtime/resp_server.hpp"

#include <array>
#include <atomic>
#include <cassert>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <utility>  // before Asio's awaitable.hpp, which forgets it in Boost 1.74

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "network/detail/io_thread.hpp"

namespace ladder::level3 {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// Bytes asked of the socket per read: Redis's own read size.
constexpr std::size_t kReadBytes = 16 * 1024;

// How long the acceptor waits after a failed accept (EMFILE, ...) before it tries again.
constexpr int kAcceptRetryMs = 50;

constexpr const char* kDropped = "ERR the backend dropped the command without an outcome";
constexpr const char* kTooManyClients = "-ERR max number of clients reached\r\n";

// The counters, as atomics: written on the io thread, read by stats() from any thread.
struct AtomicStats {
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> commands{0};
  std::atomic<std::uint64_t> counter_commands{0};
  std::atomic<std::uint64_t> local_replies{0};
  std::atomic<std::uint64_t> info_requests{0};
  std::atomic<std::uint64_t> unknown_commands{0};
  std::atomic<std::uint64_t> protocol_errors{0};
  std::atomic<std::uint64_t> outcomes_ok{0};
  std::atomic<std::uint64_t> outcomes_unknown{0};
  std::atomic<std::uint64_t> outcomes_error{0};
  std::atomic<std::uint64_t> backpressure_pauses{0};
  std::atomic<std::uint64_t> bytes_read{0};
  std::atomic<std::uint64_t> bytes_written{0};
};

void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) {
  counter.fetch_add(by, std::memory_order_relaxed);
}

std::uint64_t load(const std::atomic<std::uint64_t>& counter) {
  return counter.load(std::memory_order_relaxed);
}

}  // namespace

struct RespConnection;

// The server's state; shared by the connections, so that handlers still queued after stop()
// (or after the RespServer is gone) find it alive.
struct RespServer::Impl : std::enable_shared_from_this<RespServer::Impl> {
  Impl(asio::io_context& context, RespServerOptions opts, Backend back, InfoHook hook)
      : io(context),
        options(std::move(opts)),
        backend(std::move(back)),
        info(std::move(hook)),
        acceptor(context) {}

  asio::io_context& io;
  RespServerOptions options;
  Backend backend;
  InfoHook info;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  bool started = false;
  bool stopping = false;
  std::uint64_t next_connection = 1;
  std::map<std::uint64_t, std::shared_ptr<RespConnection>> connections;
  AtomicStats stats;

  asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self);
  void refuse(tcp::socket socket);
};

// One client connection: its parser, the answers owed in command order, and its socket.
struct RespConnection : std::enable_shared_from_this<RespConnection> {
  // One command read and not yet written back, in arrival order.
  struct Slot {
    std::string reply;  // the encoded answer, once known
    bool ready = false;
  };

  RespConnection(std::shared_ptr<RespServer::Impl> server_impl, tcp::socket s, std::uint64_t number)
      : server(std::move(server_impl)),
        socket(std::move(s)),
        id(number),
        parser(server->options.limits),
        wake(server->io) {}

  std::shared_ptr<RespServer::Impl> server;
  tcp::socket socket;
  std::uint64_t id;
  RespParser parser;
  asio::steady_timer wake;      // the paused reader waits on it; cancel() wakes it
  std::deque<Slot> slots;       // owed answers, oldest first
  std::uint64_t first_seq = 0;  // the sequence number of slots.front()
  std::string outbox;           // answers in order, not yet handed to the socket
  std::string writing;          // the answers the socket is writing now
  bool write_busy = false;
  bool reader_paused = false;
  bool awaiting_answers = false;  // the reader waits until every owed answer is written
  bool done_reading = false;      // end of stream, protocol error or QUIT: read no more
  // Written on the io thread only; atomic because a Done on another thread reads it, to skip
  // dispatching onto an io_context for a connection that is gone.
  std::atomic<bool> closed{false};

  [[nodiscard]] bool over_limit() const {
    return slots.size() >= server->options.max_outstanding ||
           outbox.size() + writing.size() >= server->options.max_reply_bytes;
  }

  asio::awaitable<void> read_loop();
  void handle(RespParsed item);
  void handle_command(const RespCommand& command);
  std::uint64_t push_slot();
  void complete(std::uint64_t seq, std::string reply);
  void flush();
  void start_write();
  void maybe_finish();
  void close();
};

// ---------------------------------------------------------------------------------------------
// Completions: the Done a backend gets.

namespace {

// What a Done carries; the last copy's destruction answers for a backend that dropped it.
struct Completion {
  std::weak_ptr<RespConnection> connection;
  asio::io_context* io = nullptr;
  std::uint64_t seq = 0;
  RespCounterRequest request;
  bool called = false;

  Completion(std::weak_ptr<RespConnection> c, asio::io_context* context, std::uint64_t s,
             RespCounterRequest r)
      : connection(std::move(c)), io(context), seq(s), request(std::move(r)) {}
  Completion(const Completion&) = delete;
  Completion& operator=(const Completion&) = delete;

  ~Completion() {
    if (!called) deliver(CommandOutcome::error(kDropped));
  }

  void deliver(CommandOutcome outcome) {
    called = true;
    // A connection already gone (closed, or the server stopped) needs no answer; one open keeps
    // the io_context alive too (the server on it is not stopped), so dispatching onto it is safe.
    if (const auto conn = connection.lock(); !conn || conn->closed) return;
    asio::dispatch(*io,
                   [weak = connection, seq = seq, request = request, outcome = std::move(outcome)] {
                     auto conn = weak.lock();
                     if (!conn || conn->closed) return;
                     auto& stats = conn->server->stats;
                     bump(outcome.kind == CommandOutcome::Kind::ok        ? stats.outcomes_ok
                          : outcome.kind == CommandOutcome::Kind::unknown ? stats.outcomes_unknown
                                                                          : stats.outcomes_error);
                     conn->complete(seq, encode_outcome(request, outcome));
                   });
  }
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Reading and dispatching

asio::awaitable<void> RespConnection::read_loop() {
  auto self = shared_from_this();  // the coroutine keeps its connection alive
  std::array<char, kReadBytes> buffer{};
  while (!closed && !done_reading) {
    // Hand over what the parser holds, as far as the backpressure limits allow.
    while (!closed && !done_reading) {
      if (over_limit()) {
        bump(server->stats.backpressure_pauses);
        reader_paused = true;
        while (!closed && over_limit()) {
          error_code ec;
          wake.expires_at(asio::steady_timer::time_point::max());
          co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        reader_paused = false;
        continue;
      }
      auto item = parser.next();
      if (!item) break;
      handle(std::move(*item));
    }
    if (closed || done_reading) break;
    // A client that waits for its answers sends nothing meanwhile, so a read now would find
    // nothing: a failed recv, then a readiness event, per command. Read again once the answers
    // are written; by then the next command has often arrived, and one recv takes it.
    while (!closed && !slots.empty()) {
      error_code ec;
      awaiting_answers = true;
      wake.expires_at(asio::steady_timer::time_point::max());
      co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      awaiting_answers = false;
    }
    if (closed) break;
    error_code ec;
    const std::size_t n = co_await socket.async_read_some(
        asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
    if (closed) break;
    if (ec) {
      // End of stream: answer what is owed, then close. Any other error: the peer is gone.
      done_reading = true;
      if (ec != asio::error::eof) {
        close();
      } else {
        maybe_finish();
      }
      break;
    }
    bump(server->stats.bytes_read, n);
    parser.feed(std::string_view(buffer.data(), n));
  }
}

void RespConnection::handle(RespParsed item) {
  if (auto* error = std::get_if<RespProtocolError>(&item)) {
    bump(server->stats.protocol_errors);
    const std::uint64_t seq = push_slot();
    done_reading = true;  // the error is the last answer; maybe_finish() closes after it
    complete(seq, resp_error(error->message));
    return;
  }
  handle_command(std::get<RespCommand>(item));
}

void RespConnection::handle_command(const RespCommand& command) {
  auto& stats = server->stats;
  bump(stats.commands);
  RespDecision decision = interpret(command);
  if (auto* local = std::get_if<RespLocalReply>(&decision)) {
    bump(stats.local_replies);
    if (local->reply.rfind("-ERR unknown command", 0) == 0) bump(stats.unknown_commands);
    if (local->close) done_reading = true;  // QUIT: nothing after it is read
    complete(push_slot(), std::move(local->reply));
    return;
  }
  if (std::holds_alternative<RespInfoRequest>(decision)) {
    bump(stats.info_requests);
    complete(push_slot(), encode_info(server->info ? server->info() : "# ladder\r\n"));
    return;
  }
  auto& request = std::get<RespCounterRequest>(decision);
  bump(stats.counter_commands);
  const std::uint64_t seq = push_slot();
  const CounterCommand operation = request.command;
  auto completion =
      std::make_shared<Completion>(weak_from_this(), &server->io, seq, std::move(request));
  // The slot exists before the backend runs, so a backend that answers at once finds it.
  server->backend(id, operation, [completion](CommandOutcome outcome) {
    completion->deliver(std::move(outcome));
  });
}

std::uint64_t RespConnection::push_slot() {
  slots.emplace_back();
  return first_seq + slots.size() - 1;
}

// ---------------------------------------------------------------------------------------------
// Answering in order

void RespConnection::complete(std::uint64_t seq, std::string reply) {
  if (closed) return;
  assert(seq >= first_seq && seq < first_seq + slots.size() && "an answer for an owed command");
  Slot& slot = slots[seq - first_seq];
  assert(!slot.ready && "each command is answered once");
  slot.reply = std::move(reply);
  slot.ready = true;
  if (seq == first_seq) flush();
}

void RespConnection::flush() {
  while (!slots.empty() && slots.front().ready) {
    outbox += slots.front().reply;
    slots.pop_front();
    ++first_seq;
  }
  if (!write_busy && !outbox.empty()) start_write();
  if ((reader_paused && !over_limit()) || (awaiting_answers && slots.empty())) wake.cancel();
  maybe_finish();
}

void RespConnection::start_write() {
  assert(!write_busy && writing.empty() && "one write at a time");
  // Try the socket at once: answers are small and the socket's buffer is usually free, so most
  // writes finish here, without a completion handler's round trip through the io_context.
  error_code ec;
  const std::size_t n = socket.write_some(asio::buffer(outbox), ec);
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
    close();
    return;
  }
  const std::size_t written = ec ? 0 : n;
  bump(server->stats.bytes_written, written);
  if (written == outbox.size()) {
    outbox.clear();
    return;
  }
  // The client reads slower than we answer: write the rest asynchronously, in order.
  writing.assign(outbox, written);
  outbox.clear();
  write_busy = true;
  asio::async_write(socket, asio::buffer(writing),
                    [self = shared_from_this()](const error_code& error, std::size_t sent) {
                      self->write_busy = false;
                      self->writing.clear();
                      if (self->closed) return;
                      if (error) {
                        self->close();
                        return;
                      }
                      bump(self->server->stats.bytes_written, sent);
                      self->flush();
                    });
}

void RespConnection::maybe_finish() {
  if (closed || !done_reading || !slots.empty() || write_busy || !outbox.empty()) return;
  error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  close();
}

void RespConnection::close() {
  if (closed) return;
  closed = true;
  error_code ignored;
  socket.close(ignored);
  wake.cancel();
  bump(server->stats.connections_open, static_cast<std::uint64_t>(-1));
  const auto keep = shared_from_this();  // erasing the map's copy must not destroy us here
  server->connections.erase(id);
  if (server->options.on_disconnect) server->options.on_disconnect(id);
}

// ---------------------------------------------------------------------------------------------
// Accepting

asio::awaitable<void> RespServer::Impl::accept_loop(std::shared_ptr<Impl> self) {
  while (!stopping) {
    error_code ec;
    tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (stopping) break;
    if (ec) {
      // A connection that failed while being accepted, or no file descriptor left: wait a
      // little before the next accept, so that a lasting error does not spin the thread.
      asio::steady_timer pause(io, std::chrono::milliseconds(kAcceptRetryMs));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    bump(stats.connections_accepted);
    if (connections.size() >= options.max_connections) {
      refuse(std::move(socket));
      continue;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // answers are small and awaited
    socket.non_blocking(true, ignored);  // start_write() tries the socket directly first
    auto conn = std::make_shared<RespConnection>(self, std::move(socket), next_connection++);
    connections.emplace(conn->id, conn);
    bump(stats.connections_open);
    asio::co_spawn(io, conn->read_loop(), net::detail::rethrow);
  }
}

void RespServer::Impl::refuse(tcp::socket socket) {
  bump(stats.connections_refused);
  auto owned = std::make_shared<tcp::socket>(std::move(socket));
  asio::async_write(*owned, asio::buffer(std::string_view(kTooManyClients)),
                    [owned](const error_code&, std::size_t) {
                      error_code ignored;
                      owned->close(ignored);
                    });
}

// ---------------------------------------------------------------------------------------------
// RespServer

RespServer::RespServer(asio::io_context& io, RespServerOptions options, Backend backend,
                       InfoHook info)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(backend), std::move(info))) {
  assert(impl_->backend && "RespServer needs a backend");
  assert(impl_->options.max_outstanding >= 1 && "max_outstanding >= 1");
  assert(impl_->options.max_connections >= 1 && "max_connections >= 1");
}

RespServer::~RespServer() {
  stop();
}

void RespServer::start() {
  Impl& impl = *impl_;
  assert(!impl.started && "RespServer::start() called twice");
  const tcp::endpoint endpoint(asio::ip::make_address(impl.options.listen_host),
                               impl.options.listen_port);
  impl.acceptor.open(endpoint.protocol());
  impl.acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl.acceptor.bind(endpoint);
  impl.acceptor.listen();
  impl.port = impl.acceptor.local_endpoint().port();
  impl.started = true;
  asio::co_spawn(impl.io, impl.accept_loop(impl_), net::detail::rethrow);
}

void RespServer::stop() {
  Impl& impl = *impl_;
  if (!impl.started || impl.stopping) return;
  impl.stopping = true;
  error_code ignored;
  impl.acceptor.close(ignored);
  const auto open = impl.connections;  // close() erases from the map
  for (const auto& [id, conn] : open)
    conn->close();
  assert(impl.connections.empty() && "every connection closed");
}

std::uint16_t RespServer::port() const {
  return impl_->port;
}

RespServerStats RespServer::stats() const {
  const AtomicStats& s = impl_->stats;
  RespServerStats out;
  out.connections_accepted = load(s.connections_accepted);
  out.connections_open = load(s.connections_open);
  out.connections_refused = load(s.connections_refused);
  out.commands = load(s.commands);
  out.counter_commands = load(s.counter_commands);
  out.local_replies = load(s.local_replies);
  out.info_requests = load(s.info_requests);
  out.unknown_commands = load(s.unknown_commands);
  out.protocol_errors = load(s.protocol_errors);
  out.outcomes_ok = load(s.outcomes_ok);
  out.outcomes_unknown = load(s.outcomes_unknown);
  out.outcomes_error = load(s.outcomes_error);
  out.backpressure_pauses = load(s.backpressure_pauses);
  out.bytes_read = load(s.bytes_read);
  out.bytes_written = load(s.bytes_written);
  return out;
}

}  // namespace ladder::level3
