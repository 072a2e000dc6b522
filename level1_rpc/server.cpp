#include "level1_rpc/server.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cassert>
#include <cerrno>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "level1_rpc/message.hpp"
#include "network/scheduling.hpp"

namespace ladder::level1 {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// An eventfd: how stop() and the accepting thread wake a thread that waits in poll(2).
class Wakeup {
 public:
  Wakeup() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "level1 server: eventfd");
  }
  ~Wakeup() { ::close(fd_); }
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  [[nodiscard]] int fd() const { return fd_; }
  void signal() const {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(fd_, &one, sizeof one);
    assert(n == sizeof one && "an eventfd takes 8 bytes (and cannot fill up with ones)");
  }
  void drain() const {
    std::uint64_t count = 0;
    [[maybe_unused]] const ssize_t n = ::read(fd_, &count, sizeof count);
  }

 private:
  int fd_;
};

// One connection in a thread's hands.
struct Served {
  Served(tcp::socket s, std::size_t max_frame_bytes)
      : socket(std::move(s)), decoder(max_frame_bytes) {}
  tcp::socket socket;
  net::FrameDecoder decoder;
};

// One of the server's threads and what is handed to it.
struct Worker {
  Wakeup wakeup;
  std::thread thread;
  std::mutex mutex;                // guards inbox
  std::vector<tcp::socket> inbox;  // connections accepted for this thread, not yet taken
};

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::map<std::string, Method, std::less<>> methods;  // read-only once started
  // Each thread serves its own connections and runs their methods itself: a connection's reads,
  // method calls and writes all happen on one thread, with no hand-off between threads (which
  // costs more than the whole round trip on loopback). Thread 0 also accepts, and deals the
  // connections out round robin.
  asio::io_context io{1};  // never run: it only owns the sockets
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::unique_ptr<Worker>> workers;
  std::size_t next_worker = 0;  // used by thread 0 only: where the next connection goes
  std::atomic<bool> stopping{false};
  std::uint16_t port = 0;
  bool started = false;
  bool stopped = false;

  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> calls{0};
  std::atomic<std::uint64_t> running{0};
  std::atomic<std::uint64_t> remote_failures{0};
  std::atomic<std::uint64_t> malformed_frames{0};
  std::atomic<std::uint64_t> bad_requests{0};

  void work(std::size_t index);
  void accept_one(std::vector<std::unique_ptr<Served>>& own);
  bool serve_ready(Served& connection, Worker& self);
  bool write_all(tcp::socket& socket, std::string_view bytes, const Worker& self);
  std::optional<std::string> answer(std::string_view body);
  Reply run_method(Request request);
};

// Thread `index`: wait for any of its connections (thread 0: or a new one) to have something to
// read, and answer it, until stop().
void Server::Impl::work(std::size_t index) {
  // A hint (network/scheduling.hpp): refused, the thread serves the same calls with more switches.
  if (options.batch_scheduling) (void)net::use_batch_scheduling();
  Worker& self = *workers[index];
  std::vector<std::unique_ptr<Served>> own;
  std::vector<pollfd> fds;
  std::vector<char> gone;                        // per connection of `own`: finished in this round
  const std::size_t first = index == 0 ? 2 : 1;  // fds: the wakeup, the acceptor, connections
  for (;;) {
    fds.clear();
    fds.push_back(pollfd{.fd = self.wakeup.fd(), .events = POLLIN, .revents = 0});
    if (index == 0) {
      fds.push_back(pollfd{.fd = acceptor->native_handle(), .events = POLLIN, .revents = 0});
    }
    for (const auto& connection : own) {
      fds.push_back(
          pollfd{.fd = connection->socket.native_handle(), .events = POLLIN, .revents = 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;  // a signal for the process (ladder node's)
      throw std::system_error(errno, std::generic_category(), "level1 server: poll");
    }
    if (fds[0].revents != 0) {
      self.wakeup.drain();
      if (stopping) return;  // destroying `own` closes this thread's connections
      const std::lock_guard lock(self.mutex);
      for (tcp::socket& socket : self.inbox) {
        own.push_back(std::make_unique<Served>(std::move(socket), options.max_frame_bytes));
      }
      self.inbox.clear();
    }
    // Connections first, by their place in `fds`: accept_one() may add to `own`.
    gone.assign(own.size(), 0);
    for (std::size_t i = first; i < fds.size(); ++i) {
      if (fds[i].revents != 0) gone[i - first] = serve_ready(*own[i - first], self) ? 0 : 1;
    }
    for (std::size_t i = gone.size(); i-- > 0;) {
      if (gone[i] != 0) own.erase(own.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (index == 0 && fds[1].revents != 0) accept_one(own);
  }
}

void Server::Impl::accept_one(std::vector<std::unique_ptr<Served>>& own) {
  tcp::socket socket(io);
  boost::system::error_code ec;
  acceptor->accept(socket, ec);
  if (ec == asio::error::would_block || ec == asio::error::connection_aborted) return;
  if (ec) {
    // Out of descriptors or memory: the connection stays queued and poll would report it again at
    // once. Pause instead of spinning; a connection closing may free what we lack.
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return;
  }
  ++connections;
  // Replies are small and the client waits for each one: send it now, not after Nagle's 40 ms.
  socket.set_option(tcp::no_delay(true), ec);
  socket.non_blocking(true, ec);  // a thread never blocks on one connection, but in poll
  const std::size_t to = next_worker++ % workers.size();
  if (to == 0) {
    own.push_back(std::make_unique<Served>(std::move(socket), options.max_frame_bytes));
    return;
  }
  Worker& worker = *workers[to];
  {
    const std::lock_guard lock(worker.mutex);
    worker.inbox.push_back(std::move(socket));
  }
  worker.wakeup.signal();
}

// Reads what one connection has to offer and answers every whole request in it, in order. False
// when the connection is finished: the peer left or misbehaved (a byte stream cannot be
// resynchronised), or stop() came while a reply waited for room.
bool Server::Impl::serve_ready(Served& connection, Worker& self) {
  std::array<char, 16 * 1024> buffer;  // not zeroed: read_some fills what is used
  boost::system::error_code ec;
  const std::size_t n = connection.socket.read_some(asio::buffer(buffer), ec);
  if (ec == asio::error::would_block || ec == asio::error::interrupted) return true;
  if (ec) return false;  // end of stream or reset: nobody is waiting for an answer
  connection.decoder.feed(std::string_view(buffer.data(), n));
  while (auto frame = connection.decoder.next()) {
    if (!frame->ok()) {
      ++malformed_frames;
      return false;
    }
    const std::optional<std::string> reply = answer(frame->body());
    if (!reply) {
      ++bad_requests;
      return false;
    }
    if (!write_all(connection.socket, *reply, self)) return false;
  }
  return true;
}

// Writes `bytes`: at once, in the common case that they fit in the socket's send buffer, else
// waiting for room — or for stop(), which makes it give up (false), as on any socket error.
bool Server::Impl::write_all(tcp::socket& socket, std::string_view bytes, const Worker& self) {
  while (!bytes.empty()) {
    boost::system::error_code ec;
    const std::size_t n = socket.write_some(asio::buffer(bytes), ec);
    if (!ec) {
      bytes.remove_prefix(n);
      continue;
    }
    if (ec != asio::error::would_block && ec != asio::error::interrupted) return false;
    std::array<pollfd, 2> fds{pollfd{.fd = socket.native_handle(), .events = POLLOUT, .revents = 0},
                              pollfd{.fd = self.wakeup.fd(), .events = POLLIN, .revents = 0}};
    if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) return false;
    if (stopping) return false;
  }
  return true;
}

// The reply frame for one request frame's body, or nullopt when the body is not a request.
std::optional<std::string> Server::Impl::answer(std::string_view body) {
  Request request;
  try {
    request = decode_request(body);
  } catch (const DecodeError&) {
    return std::nullopt;
  }
  ++calls;
  const std::uint64_t id = request.id;
  ++running;
  std::string encoded = encode(run_method(std::move(request)));
  --running;
  if (encoded.size() >= options.max_frame_bytes) {
    // The method's result does not fit in a frame the client would accept: say so instead.
    Reply too_large{.id = id, .ok = false, .result = {}, .error = ""};
    too_large.error = fmt::format("the reply of {} bytes exceeds the {}-byte frame limit",
                                  encoded.size(), options.max_frame_bytes);
    ++remote_failures;
    encoded = encode(too_large);
  }
  return net::encode_frame(encoded, options.max_frame_bytes);
}

Reply Server::Impl::run_method(Request request) {
  Reply reply{.id = request.id, .ok = true, .result = {}, .error = ""};
  const auto method = methods.find(request.method);
  if (method == methods.end()) {
    reply.ok = false;
    reply.error = fmt::format("no such method: \"{}\"", request.method);
  } else {
    try {
      reply.result = method->second(request.args);
    } catch (const std::exception& e) {
      reply.ok = false;
      reply.error = e.what();
    }
  }
  if (!reply.ok) ++remote_failures;
  return reply;
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  assert(options.threads >= 1 && "a server needs at least one thread");
  impl_->options = std::move(options);
}

Server::~Server() {
  stop();
}

void Server::add_method(const std::string& name, Method method) {
  assert(!impl_->started && "methods are registered before start()");
  assert(method && "a method must be callable");
  const bool inserted = impl_->methods.emplace(name, std::move(method)).second;
  assert(inserted && "each method name is registered once");
  (void)inserted;
}

void Server::start() {
  assert(!impl_->started && "a server starts once; make a new one to restart");
  impl_->started = true;
  const tcp::endpoint endpoint(asio::ip::make_address(impl_->options.host), impl_->options.port);
  // The constructor sets SO_REUSEADDR, so a restarted server can take its old port at once.
  impl_->acceptor.emplace(impl_->io, endpoint);
  impl_->acceptor->non_blocking(true);  // accept only after poll said so, and never hang in it
  impl_->port = impl_->acceptor->local_endpoint().port();
  for (int i = 0; i < impl_->options.threads; ++i) {
    impl_->workers.push_back(std::make_unique<Worker>());
  }
  for (std::size_t i = 0; i < impl_->workers.size(); ++i) {
    impl_->workers[i]->thread = std::thread([impl = impl_.get(), i] { impl->work(i); });
  }
}

void Server::stop() {
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->stopping = true;
  for (auto& worker : impl_->workers)
    worker->wakeup.signal();
  // Each thread returns from poll, or from the method it runs first, and closes its connections:
  // the clients see them close now, as they would if the process died.
  for (auto& worker : impl_->workers) {
    if (worker->thread.joinable()) worker->thread.join();
  }
  impl_->workers.clear();
  impl_->acceptor.reset();
}

std::uint16_t Server::port() const {
  assert(impl_->started && "the port is known after start()");
  return impl_->port;
}

ServerStats Server::stats() const {
  return ServerStats{
      .connections = impl_->connections.load(),
      .calls = impl_->calls.load(),
      .running = impl_->running.load(),
      .remote_failures = impl_->remote_failures.load(),
      .malformed_frames = impl_->malformed_frames.load(),
      .bad_requests = impl_->bad_requests.load(),
  };
}

}  // namespace ladder::level1
