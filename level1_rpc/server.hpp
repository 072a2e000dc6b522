#pragma once
/// \file
/// The RPC server: register methods by name, start it on a loopback port, and it answers every
/// call that arrives, each connection's calls in order.
///
///     ladder::level1::Server server;
///     server.add_method("add", [&](const nlohmann::json& args) {
///       return nlohmann::json{{"value", counter += args.at("delta").get<std::int64_t>()}};
///     });
///     server.start();            // listens on server.port()
///     ...
///     server.stop();             // every connection, socket and thread is gone
///
/// A method receives the call's `args` and returns its result; if it throws, the client gets a
/// RemoteFailure carrying the exception's message. Methods run on the server's threads, several at
/// once when several connections call: a method that touches shared state locks it. Each thread
/// waits in poll(2) on its own connections and runs a method itself as soon as its request is
/// in, with no hand-off to another thread (on loopback a hand-off costs more than a round trip).
///
/// The server never trusts its input. A malformed frame (network/frame.hpp) or a body that is not
/// a request (level1_rpc/message.hpp) is counted and closes that connection — a byte stream cannot
/// be resynchronised — and the server goes on serving everyone else.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "network/frame.hpp"

namespace ladder::level1 {

/// A method: the call's arguments in, its result out; throw to make the call a RemoteFailure.
using Method = std::function<nlohmann::json(const nlohmann::json& args)>;

/// How a server is set up.
struct ServerOptions {
  std::string host = "127.0.0.1";  ///< the address to listen on
  std::uint16_t port = 0;          ///< 0: any free port; Server::port() tells which
  /// Threads serving connections. Each connection is served by one thread (round robin), so this
  /// bounds how many methods run at once; a method that blocks delays only its thread's
  /// connections.
  int threads = 4;
  std::size_t max_frame_bytes = net::kDefaultMaxFrameBytes;  ///< the frame limit both ways
  /// Run the serving threads under Linux's SCHED_BATCH policy: a thread woken by a request does
  /// not preempt the thread that sent it, which goes on to its next send or to sleep first. A
  /// primary then sends `apply` to every backup before a backup runs, and a client is asleep
  /// before the server runs: five context switches per replicated add instead of six or seven
  /// when client, primary and backups share a core (bench/RESULTS.md). A hint: where the
  /// kernel refuses it, the threads keep the default policy. False: the default policy.
  bool batch_scheduling = true;
};

/// Everything a server counted since it was constructed.
struct ServerStats {
  std::uint64_t connections = 0;       ///< connections accepted
  std::uint64_t calls = 0;             ///< requests decoded and dispatched
  std::uint64_t running = 0;           ///< methods running right now
  std::uint64_t remote_failures = 0;   ///< calls answered with an error (method threw or unknown)
  std::uint64_t malformed_frames = 0;  ///< connections closed on a malformed frame
  std::uint64_t bad_requests = 0;  ///< connections closed on a frame whose body is not a request
};

/// A TCP RPC server with its own threads. Construct, add_method(), start(), stop().
class Server {
 public:
  /// A server that is not yet listening.
  explicit Server(ServerOptions options = {});
  /// Stops the server if it runs.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Registers `method` under `name`. Precondition: not started, and `name` not registered yet.
  void add_method(const std::string& name, Method method);
  /// Binds the listening socket and starts the threads. Throws boost::system::system_error when
  /// the port cannot be bound. Precondition: not started before.
  void start();
  /// Closes the listening socket and every connection, and joins the threads once the methods
  /// running now return. Idempotent. Calls in flight get no reply: their clients see the
  /// connection lost, exactly as if the server process had died.
  void stop();

  /// The port the server listens on (valid after start()).
  [[nodiscard]] std::uint16_t port() const;
  /// A snapshot of the counters.
  [[nodiscard]] ServerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ladder::level1
