#include "level1_rpc/server.hpp"

#include <array>
#include <atomic>
#include <cassert>
#include <exception>
#include <map>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.

#include "level1_rpc/detail/write.hpp"
#include "level1_rpc/message.hpp"

namespace ladder::level1 {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// co_spawn's completion: a coroutine that ends with an exception is a bug in this file (every
// expected failure is an error code or a caught exception), so it must not vanish silently.
void rethrow_if_failed(const std::exception_ptr& failure) {
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::map<std::string, Method, std::less<>> methods;  // read-only once started
  // One io_context per thread, each run by its own thread, and each connection bound to one of
  // them: a connection's reads, method calls and writes all happen on one thread, with no hand-off
  // between threads (which costs more than the whole round trip on loopback).
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::size_t next_io = 0;  // used by listen() only: where the next connection goes
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  bool started = false;
  bool stopped = false;

  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> calls{0};
  std::atomic<std::uint64_t> running{0};
  std::atomic<std::uint64_t> remote_failures{0};
  std::atomic<std::uint64_t> malformed_frames{0};
  std::atomic<std::uint64_t> bad_requests{0};

  asio::awaitable<void> listen();
  asio::awaitable<void> serve(tcp::socket socket);
  std::optional<std::string> answer(std::string_view body);
  Reply run_method(Request request);
};

asio::awaitable<void> Server::Impl::listen() {
  for (;;) {
    boost::system::error_code ec;
    asio::io_context& io = *ios[next_io++ % ios.size()];
    tcp::socket socket =
        co_await acceptor->async_accept(io, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;  // the client gave up before we accepted it; serve the next one
    ++connections;
    // Replies are small and the client waits for each one: send it now, not after Nagle's 40 ms.
    socket.set_option(tcp::no_delay(true), ec);
    socket.non_blocking(true, ec);  // for write_now_or_later
    co_spawn(io, serve(std::move(socket)), rethrow_if_failed);
  }
}

// One connection: read frames, answer each in order, until the peer leaves or misbehaves. Leaving
// the coroutine destroys the socket, which closes the connection.
asio::awaitable<void> Server::Impl::serve(tcp::socket socket) {
  net::FrameDecoder decoder(options.max_frame_bytes);
  std::array<char, 16 * 1024> buffer{};
  for (;;) {
    boost::system::error_code ec;
    const std::size_t n = co_await detail::read_when_ready(socket, asio::buffer(buffer), ec);
    if (ec) co_return;  // end of stream or reset: nobody is waiting for an answer
    decoder.feed(std::string_view(buffer.data(), n));
    while (auto frame = decoder.next()) {
      if (!frame->ok()) {
        ++malformed_frames;
        co_return;
      }
      const std::optional<std::string> reply = answer(frame->body());
      if (!reply) {
        ++bad_requests;
        co_return;
      }
      co_await detail::write_now_or_later(socket, *reply, ec);
      if (ec) co_return;
    }
  }
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
  for (int i = 0; i < impl_->options.threads; ++i) {
    impl_->ios.push_back(std::make_unique<asio::io_context>(1));
  }
  const tcp::endpoint endpoint(asio::ip::make_address(impl_->options.host), impl_->options.port);
  // The constructor sets SO_REUSEADDR, so a restarted server can take its old port at once.
  impl_->acceptor.emplace(*impl_->ios.front(), endpoint);
  impl_->port = impl_->acceptor->local_endpoint().port();
  co_spawn(*impl_->ios.front(), impl_->listen(), rethrow_if_failed);
  for (auto& io : impl_->ios) {
    impl_->threads.emplace_back([io = io.get()] {
      // Keeps run() going while this thread has no connection yet.
      auto work = asio::make_work_guard(*io);
      io->run();
    });
  }
}

void Server::stop() {
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  for (auto& io : impl_->ios)
    io->stop();
  for (auto& thread : impl_->threads)
    thread.join();
  impl_->threads.clear();
  // Destroying the io_contexts destroys every suspended coroutine and so every socket it owns:
  // the clients see their connections close now, as they would if the process died.
  impl_->acceptor.reset();
  impl_->ios.clear();
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
