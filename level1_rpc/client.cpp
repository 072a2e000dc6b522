#include "level1_rpc/client.hpp"

#include <sys/socket.h>

#include <array>
#include <cassert>
#include <cerrno>
#include <exception>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.

#include "level1_rpc/detail/write.hpp"
#include "level1_rpc/errors.hpp"
#include "level1_rpc/message.hpp"

namespace ladder::level1 {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

void rethrow_if_failed(const std::exception_ptr& failure) {
  if (failure) std::rethrow_exception(failure);
}

// Runs `io` until its pending operations finish (true) or `deadline` passes (false). On false the
// operations are still pending: the caller closes their sockets, which cancels them, and runs
// `io` again to let their handlers finish — the pattern of Asio's blocking_tcp_client example.
bool run_until(asio::io_context& io, Clock::time_point deadline) {
  io.restart();
  io.run_until(deadline);
  return io.stopped();
}

// What one call's attempt went through, filled in by Stub::attempt as it goes.
struct Attempt {
  Request request;
  std::string frame;                      // the request, framed
  bool connecting = false;                // it had to connect first ...
  bool connected = false;                 // ... and the connect succeeded
  boost::system::error_code error;        // the socket error that ended it, if any
  std::size_t bytes_written = 0;          // of the request frame, when the error came
  std::optional<net::FrameResult> reply;  // the reply frame (or why it is malformed)
  bool done = false;                      // finished before the deadline
};

// One server's connection and counters: what Client and each member of ClientGroup are made of.
// The io_context is the caller's, so that several stubs can share one thread.
class Stub {
 public:
  Stub(asio::io_context& io, const std::string& host, std::uint16_t port,
       std::size_t max_frame_bytes)
      : address_(fmt::format("{}:{}", host, port)),
        endpoint_(asio::ip::make_address(host), port),
        socket_(io),
        decoder_(max_frame_bytes) {}

  [[nodiscard]] const std::string& address() const { return address_; }
  [[nodiscard]] bool connected() const { return socket_.is_open(); }
  [[nodiscard]] const ClientStats& stats() const { return stats_; }

  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
    decoder_.reset();
  }

  // Prepares a call; throws NotSent (counted) when the request is too large to send.
  Attempt prepare(std::string_view method, const nlohmann::json& args) {
    ++stats_.calls;
    Attempt attempt;
    attempt.request = Request{.id = next_call_id_++, .method = std::string(method), .args = args};
    const std::string body = encode(attempt.request);
    if (body.size() >= decoder_.max_frame_bytes()) {
      // A caller's bug, but the caller may be a reader experimenting: say so, send nothing.
      fail(NotSent(fmt::format("{} on {}: the request of {} bytes exceeds the {}-byte frame limit",
                               method, address_, body.size(), decoder_.max_frame_bytes())),
           &ClientStats::not_sent);
    }
    attempt.frame = net::encode_frame(body, decoder_.max_frame_bytes());
    return attempt;
  }

  // Connects if needed, sends the request and reads one reply frame, recording in `attempt`
  // how far it got. Never throws for a network failure: finish() judges afterwards.
  asio::awaitable<void> run(Attempt& attempt) {
    if (!alive()) {
      close();
      attempt.connecting = true;
      co_await socket_.async_connect(endpoint_,
                                     asio::redirect_error(asio::use_awaitable, attempt.error));
      if (attempt.error) {
        attempt.done = true;
        co_return;
      }
      attempt.connected = true;
      ++stats_.connects;
      // Requests are small and each waits for its reply: send at once, not after Nagle's delay.
      boost::system::error_code ignored;
      socket_.set_option(tcp::no_delay(true), ignored);
      socket_.non_blocking(true, ignored);  // for write_now_or_later
    }
    attempt.bytes_written =
        co_await detail::write_now_or_later(socket_, attempt.frame, attempt.error);
    while (!attempt.error && !(attempt.reply = decoder_.next())) {
      const std::size_t n =
          co_await detail::read_when_ready(socket_, asio::buffer(buffer_), attempt.error);
      if (!attempt.error) decoder_.feed(std::string_view(buffer_.data(), n));
    }
    attempt.done = true;
  }

  //! [classify]
  // The call's result, or the error class that says what the client may conclude. Every failure
  // is counted by its class, and every failure but a RemoteFailure abandons the connection, so
  // that a late reply can never be read as the answer to a later call.
  nlohmann::json finish(Attempt& attempt, std::chrono::milliseconds deadline) {
    const std::string_view method = attempt.request.method;
    if (!attempt.done) {
      close();
      if (attempt.connecting && !attempt.connected) {
        fail(NotSent(fmt::format("{} on {}: the connect timed out", method, address_)),
             &ClientStats::not_sent);
      }
      fail(TimedOut(
               fmt::format("{} on {}: no reply within {} ms", method, address_, deadline.count())),
           &ClientStats::timed_out);
    }
    if (attempt.error) {
      close();
      if (attempt.connecting && !attempt.connected) {
        fail(NotSent(fmt::format("{} on {}: cannot connect: {}", method, address_,
                                 attempt.error.message())),
             &ClientStats::not_sent);
      }
      if (attempt.bytes_written == 0) {
        fail(NotSent(fmt::format("{} on {}: the connection was closed before the request left: {}",
                                 method, address_, attempt.error.message())),
             &ClientStats::not_sent);
      }
      fail(ConnectionLost(fmt::format("{} on {}: the connection broke before the reply: {}", method,
                                      address_, attempt.error.message())),
           &ClientStats::connection_lost);
    }
    assert(attempt.reply.has_value() && "an attempt without an error ends with a frame");
    if (!attempt.reply->ok()) {
      close();
      fail(MalformedReply(fmt::format("{} on {}: malformed reply frame: {}", method, address_,
                                      attempt.reply->error().message)),
           &ClientStats::malformed_replies);
    }
    Reply reply;
    try {
      reply = decode_reply(attempt.reply->body());
    } catch (const DecodeError& e) {
      close();
      fail(MalformedReply(fmt::format("{} on {}: {}", method, address_, e.what())),
           &ClientStats::malformed_replies);
    }
    if (reply.id != attempt.request.id) {
      close();
      fail(MalformedReply(fmt::format("{} on {}: the reply is for call {}, not call {}", method,
                                      address_, reply.id, attempt.request.id)),
           &ClientStats::malformed_replies);
    }
    if (!reply.ok) {
      fail(
          RemoteFailure(fmt::format("{} on {}: the server says: {}", method, address_, reply.error),
                        reply.error),
          &ClientStats::remote_failures);
    }
    ++stats_.ok;
    return std::move(reply.result);
  }
  //! [classify]

 private:
  // True when the open connection still looks usable: the server has not closed it and has sent
  // nothing unasked since the last reply. Checking first turns "the server restarted since our
  // last call" into a fresh connect (NotSent if it is down) instead of a request sent into a dead
  // connection (ConnectionLost, which would leave the caller wondering whether it ran).
  bool alive() {
    if (!socket_.is_open() || decoder_.buffered_bytes() != 0) return false;
    char probe = 0;  // one non-blocking peek: -1 with EAGAIN means "open, nothing to read"
    const ssize_t n = ::recv(socket_.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  // Counts `error` by its class, then throws it.
  template <typename Error>
  [[noreturn]] void fail(const Error& error, std::uint64_t ClientStats::*counter) {
    ++(stats_.*counter);
    throw error;
  }

  std::string address_;
  tcp::endpoint endpoint_;
  tcp::socket socket_;
  net::FrameDecoder decoder_;
  std::array<char, 16 * 1024> buffer_{};
  std::uint64_t next_call_id_ = 1;
  ClientStats stats_;
};

// After a deadline passed and close() cancelled the attempts still running: those ended with
// operation_aborted, and did not finish; any other ended on its own just in time.
void mark_cancelled(Attempt& attempt) {
  if (attempt.error == asio::error::operation_aborted) attempt.done = false;
}

}  // namespace

struct Client::Impl {
  asio::io_context io{1};
  Stub stub;

  Impl(const std::string& host, std::uint16_t port, std::size_t max_frame_bytes)
      : stub(io, host, port, max_frame_bytes) {}
};

Client::Client(std::string host, std::uint16_t port, std::size_t max_frame_bytes)
    : impl_(std::make_unique<Impl>(host, port, max_frame_bytes)) {}

Client::~Client() = default;

nlohmann::json Client::call(std::string_view method, const nlohmann::json& args,
                            std::chrono::milliseconds deadline) {
  assert(deadline.count() > 0 && "a call needs time to happen");
  const Clock::time_point until = Clock::now() + deadline;
  Attempt attempt = impl_->stub.prepare(method, args);
  co_spawn(impl_->io, impl_->stub.run(attempt), rethrow_if_failed);
  if (!run_until(impl_->io, until)) {
    impl_->stub.close();  // cancels the attempt; its handler runs below and it ends not done
    impl_->io.run();
    mark_cancelled(attempt);
  }
  return impl_->stub.finish(attempt, deadline);
}

void Client::close() {
  impl_->stub.close();
}

bool Client::connected() const {
  return impl_->stub.connected();
}

const std::string& Client::address() const {
  return impl_->stub.address();
}

ClientStats Client::stats() const {
  return impl_->stub.stats();
}

struct ClientGroup::Impl {
  asio::io_context io{1};
  std::vector<std::unique_ptr<Stub>> stubs;
};

ClientGroup::ClientGroup(const std::string& host, const std::vector<std::uint16_t>& ports,
                         std::size_t max_frame_bytes)
    : impl_(std::make_unique<Impl>()) {
  for (const std::uint16_t port : ports) {
    impl_->stubs.push_back(std::make_unique<Stub>(impl_->io, host, port, max_frame_bytes));
  }
}

ClientGroup::~ClientGroup() = default;

std::vector<ClientGroup::Outcome> ClientGroup::call_all(std::string_view method,
                                                        const nlohmann::json& args,
                                                        std::chrono::milliseconds deadline) {
  assert(deadline.count() > 0 && "a call needs time to happen");
  const Clock::time_point until = Clock::now() + deadline;
  const std::size_t n = impl_->stubs.size();
  std::vector<Outcome> outcomes(n);
  std::vector<std::optional<Attempt>> attempts(n);
  for (std::size_t i = 0; i < n; ++i) {
    try {
      attempts[i] = impl_->stubs[i]->prepare(method, args);
    } catch (const RpcError&) {
      outcomes[i].error = std::current_exception();
      continue;
    }
    co_spawn(impl_->io, impl_->stubs[i]->run(*attempts[i]), rethrow_if_failed);
  }
  // All requests are in flight together; wait once for all of them.
  if (!run_until(impl_->io, until)) {
    for (std::size_t i = 0; i < n; ++i) {
      if (attempts[i] && !attempts[i]->done) impl_->stubs[i]->close();
    }
    impl_->io.run();
    for (auto& attempt : attempts) {
      if (attempt) mark_cancelled(*attempt);
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!attempts[i]) continue;
    try {
      outcomes[i].result = impl_->stubs[i]->finish(*attempts[i], deadline);
    } catch (const RpcError&) {
      outcomes[i].error = std::current_exception();
    }
  }
  return outcomes;
}

std::size_t ClientGroup::size() const {
  return impl_->stubs.size();
}

const std::string& ClientGroup::address(std::size_t index) const {
  assert(index < impl_->stubs.size());
  return impl_->stubs[index]->address();
}

}  // namespace ladder::level1
