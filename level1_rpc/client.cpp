#include "level1_rpc/client.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>
#include <climits>
#include <exception>
#include <optional>
#include <span>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "level1_rpc/errors.hpp"
#include "level1_rpc/message.hpp"

// How a call waits. The stub does its socket IO on the caller's own thread: a non-blocking send,
// then poll(2) until the reply is readable or the deadline passes. No io thread is woken and no
// event loop runs, so a round trip on loopback wakes two threads, the caller and the server's,
// as a Redis INCR does. ClientGroup polls all its sockets at once, from the same thread.

namespace ladder::level1 {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// errno as an error code, so that messages read exactly as Asio's do.
boost::system::error_code errno_code(int value) {
  return {value, asio::error::get_system_category()};
}

// Where a call's attempt stands.
enum class Phase {
  connecting,  // a non-blocking connect is under way
  writing,     // the request frame is (partly) unsent
  reading,     // the request left; waiting for the reply frame
  done,        // finished before the deadline: with a reply frame or with `error`
};

// What one call's attempt went through, filled in by Stub as it goes.
struct Attempt {
  std::uint64_t id = 0;                   // the call id
  std::string_view method;                // the caller's, alive for the whole call
  std::string frame;                      // the request, framed
  Phase phase = Phase::done;              // where it stands
  bool connecting = false;                // it had to connect first ...
  bool connected = false;                 // ... and the connect succeeded
  boost::system::error_code error;        // the socket error that ended it, if any
  std::size_t bytes_written = 0;          // of the request frame, when the error came
  std::optional<net::FrameResult> reply;  // the reply frame (or why it is malformed)

  [[nodiscard]] bool done() const { return phase == Phase::done; }
};

// One server's connection and counters: what Client and each member of ClientGroup are made of.
// A Stub only moves an attempt along when its socket is ready; the caller's poll loop (drive())
// decides when, so that several stubs can wait together on one thread.
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
  [[nodiscard]] int fd() { return socket_.native_handle(); }

  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
    decoder_.reset();
  }

  // Prepares a call of `method` with its arguments serialised (`args.dump()`); throws NotSent
  // (counted) when the request is too large to send.
  Attempt prepare(std::string_view method, std::string_view args_json) {
    ++stats_.calls;
    Attempt attempt;
    attempt.id = next_call_id_++;
    attempt.method = method;
    const std::string body = encode_request_json(attempt.id, method, args_json);
    if (body.size() >= decoder_.max_frame_bytes()) {
      // A caller's bug, but the caller may be a reader experimenting: say so, send nothing.
      fail(NotSent(fmt::format("{} on {}: the request of {} bytes exceeds the {}-byte frame limit",
                               method, address_, body.size(), decoder_.max_frame_bytes())),
           &ClientStats::not_sent);
    }
    attempt.frame = net::encode_frame(body, decoder_.max_frame_bytes());
    return attempt;
  }

  // Connects if needed and sends what the kernel takes now. Never throws for a network failure:
  // finish() judges afterwards.
  void start(Attempt& attempt) {
    if (alive()) {
      attempt.phase = Phase::writing;
      write(attempt);
      return;
    }
    close();
    attempt.connecting = true;
    attempt.phase = Phase::connecting;
    socket_.open(endpoint_.protocol(), attempt.error);
    if (!attempt.error) socket_.non_blocking(true, attempt.error);
    if (attempt.error) {
      attempt.phase = Phase::done;
      return;
    }
    // Asio's own connect would block without a deadline: connect(2) on the non-blocking socket,
    // and let poll say when it is done.
    if (::connect(fd(), endpoint_.data(), static_cast<socklen_t>(endpoint_.size())) == 0) {
      on_connected(attempt);
    } else if (errno != EINPROGRESS) {
      attempt.error = errno_code(errno);
      attempt.phase = Phase::done;
    }
  }

  // The poll(2) events the attempt waits for.
  [[nodiscard]] static short events(const Attempt& attempt) {
    return attempt.phase == Phase::reading ? POLLIN : POLLOUT;
  }

  // The socket is ready (or failed): take the attempt as far as it goes without waiting.
  void advance(Attempt& attempt) {
    switch (attempt.phase) {
      case Phase::connecting:
        return finish_connect(attempt);
      case Phase::writing:
        return write(attempt);
      case Phase::reading:
        return read(attempt);
      case Phase::done:
        return;
    }
  }

  // Ends an attempt the caller cannot go on with (poll itself failed).
  static void abandon(Attempt& attempt, boost::system::error_code error) {
    attempt.error = error;
    attempt.phase = Phase::done;
  }

  //! [classify]
  // The call's result, or the error class that says what the client may conclude. Every failure
  // is counted by its class, and every failure but a RemoteFailure abandons the connection, so
  // that a late reply can never be read as the answer to a later call.
  nlohmann::json finish(Attempt& attempt, std::chrono::milliseconds deadline) {
    const std::string_view method = attempt.method;
    if (!attempt.done()) {
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
    if (reply.id != attempt.id) {
      close();
      fail(MalformedReply(fmt::format("{} on {}: the reply is for call {}, not call {}", method,
                                      address_, reply.id, attempt.id)),
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
    const ssize_t n = ::recv(fd(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  void finish_connect(Attempt& attempt) {
    int error = 0;
    socklen_t size = sizeof error;
    if (::getsockopt(fd(), SOL_SOCKET, SO_ERROR, &error, &size) != 0) error = errno;
    if (error != 0) {
      attempt.error = errno_code(error);
      attempt.phase = Phase::done;
      return;
    }
    on_connected(attempt);
  }

  void on_connected(Attempt& attempt) {
    attempt.connected = true;
    ++stats_.connects;
    // Requests are small and each waits for its reply: send at once, not after Nagle's delay.
    boost::system::error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    attempt.phase = Phase::writing;
    write(attempt);
  }

  // Sends what the kernel takes now; the rest waits for POLLOUT. A request fits the socket's
  // send buffer in the common case, so this is one send(2) and no wait.
  void write(Attempt& attempt) {
    while (attempt.phase == Phase::writing) {
      const std::string_view rest = std::string_view(attempt.frame).substr(attempt.bytes_written);
      const std::size_t n = socket_.write_some(asio::buffer(rest), attempt.error);
      if (attempt.error == asio::error::would_block) {
        attempt.error = {};
        return;
      }
      if (attempt.error) {
        attempt.phase = Phase::done;
        return;
      }
      attempt.bytes_written += n;
      if (attempt.bytes_written == attempt.frame.size()) attempt.phase = Phase::reading;
    }
  }

  // Reads what has arrived; done once a whole reply frame (or a malformed one) is in.
  void read(Attempt& attempt) {
    const std::size_t n = socket_.read_some(asio::buffer(buffer_), attempt.error);
    if (attempt.error == asio::error::would_block) {
      attempt.error = {};  // woken without data (it happens): wait again
      return;
    }
    if (attempt.error) {  // end of stream or reset
      attempt.phase = Phase::done;
      return;
    }
    decoder_.feed(std::string_view(buffer_.data(), n));
    attempt.reply = decoder_.next();
    if (attempt.reply) attempt.phase = Phase::done;
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

// An attempt in flight, and the stub it travels on.
struct InFlight {
  Stub* stub = nullptr;
  Attempt* attempt = nullptr;
};

// poll(2)'s timeout for the time left until `until`: whole milliseconds, rounded up so that the
// wait never ends just before the deadline and spins.
int poll_timeout(Clock::time_point until) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left, 0, INT_MAX));
}

// Moves every call along, on this thread, until each is done or `until` passes; the calls not
// done then are left where they stand, for finish() to judge. `fds` and `waiting` are scratch
// space, kept by the caller so that a call allocates nothing here.
void drive(std::span<const InFlight> calls, Clock::time_point until, std::vector<pollfd>& fds,
           std::vector<const InFlight*>& waiting) {
  for (;;) {
    fds.clear();
    waiting.clear();
    for (const InFlight& call : calls) {
      if (call.attempt->done()) continue;
      fds.push_back(
          pollfd{.fd = call.stub->fd(), .events = Stub::events(*call.attempt), .revents = 0});
      waiting.push_back(&call);
    }
    if (fds.empty()) return;
    const int timeout = poll_timeout(until);
    if (timeout == 0) return;
    if (::poll(fds.data(), fds.size(), timeout) < 0) {
      if (errno == EINTR) continue;
      const boost::system::error_code error = errno_code(errno);
      for (const InFlight* call : waiting)
        Stub::abandon(*call->attempt, error);
      return;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents != 0) waiting[i]->stub->advance(*waiting[i]->attempt);
    }
  }
}

}  // namespace

struct Client::Impl {
  asio::io_context io{1};  // never run: it only owns the socket
  Stub stub;
  std::vector<pollfd> fds;
  std::vector<const InFlight*> waiting;

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
  Attempt attempt = impl_->stub.prepare(method, args.dump());
  impl_->stub.start(attempt);
  const InFlight call{.stub = &impl_->stub, .attempt = &attempt};
  drive(std::span(&call, 1), until, impl_->fds, impl_->waiting);
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
  asio::io_context io{1};  // never run: it only owns the sockets
  std::vector<std::unique_ptr<Stub>> stubs;
  std::vector<pollfd> fds;
  std::vector<const InFlight*> waiting;
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
  std::vector<Attempt> attempts(n);
  std::vector<InFlight> calls;
  calls.reserve(n);
  const std::string args_json = args.dump();  // once for all: only the call ids differ
  for (std::size_t i = 0; i < n; ++i) {
    try {
      attempts[i] = impl_->stubs[i]->prepare(method, args_json);
    } catch (const RpcError&) {
      outcomes[i].error = std::current_exception();
      continue;
    }
    impl_->stubs[i]->start(attempts[i]);
    calls.push_back(InFlight{.stub = impl_->stubs[i].get(), .attempt = &attempts[i]});
  }
  // All requests are in flight together; wait once for all of them.
  drive(calls, until, impl_->fds, impl_->waiting);
  for (const InFlight& call : calls) {
    const auto i = static_cast<std::size_t>(call.attempt - attempts.data());
    try {
      outcomes[i].result = call.stub->finish(*call.attempt, deadline);
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
