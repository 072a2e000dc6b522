#pragma once
/// \file
/// The counter's front door on TCP: a RESP2 server (level3_pure/runtime/resp.hpp) that parses each
/// connection's commands, answers PING, INFO and errors itself, and hands every counter command
/// to a backend callback — in production the runtime, which turns it into a client request of the
/// level-3 core; in tests an in-memory counter.
///
/// **Order.** Replies leave each connection in the order its commands arrived, even when the
/// backend completes them out of order: a pipelined `INCR; GET; INCR` gets its three answers in
/// that order. Commands of different connections are independent.
///
/// **Threading rule.** The server runs on the one io_context it is given and never starts a
/// thread; every handler runs on the thread that runs that io_context (the runtime runs one per
/// node), so the server has no locks. Call start(), stop() and port() on that thread, or while
/// the io_context is not running. The backend is called on that thread too and must not block:
/// it starts the work and returns. The Done it receives may be called from any thread (it
/// forwards the outcome onto the io_context with asio::dispatch: inline when already there),
/// exactly once; a Done destroyed without being called answers "-ERR the backend dropped the
/// command". A Done called after its connection closed, or after stop(), does nothing. Done must
/// not be called after the io_context is destroyed. stats() may be called from any thread.
///
/// **Backpressure.** A connection with `max_outstanding` commands not yet answered, or
/// `max_reply_bytes` of answers its client has not read, stops reading its socket until they drain,
/// so a client that pipelines without reading cannot grow the server's memory: TCP's window pushes
/// back on it.
///
/// **Reading.** A connection reads its socket again once every command it read has been answered.
/// Its commands run one after another anyway (a backend answers them in order), and a client
/// that waits for its answer has sent nothing more: a read before the answer would find nothing
/// and cost a failed recv and a readiness event per command, where a read after it usually finds
/// the next command at once. A pipelining client's whole burst is read at once as before.
///
/// **Bad input.** A protocol error is answered ("-ERR Protocol error: ..."), counted, and the
/// connection is closed after the replies before it; the server and the other connections go on.
///
/// **Shutdown.** stop() closes the listening socket and every connection; commands in flight
/// are abandoned (their Done does nothing). When it returns no new handler of the server is
/// started, and the io_context's run() returns once the ones already queued have finished.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "level3_pure/runtime/resp.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace ladder::level3 {

/// Completes one counter command: call it exactly once, from any thread.
using Done = std::function<void(CommandOutcome)>;

/// Carries out one counter command for connection `connection_id` (from 1, unique per server) and
/// later calls `done` with its outcome. Called on the io_context's thread; must not block.
using Backend = std::function<void(std::uint64_t connection_id, CounterCommand command, Done done)>;

/// The node's own state for INFO, as `key:value` lines ending in "\r\n", e.g.
/// "# ladder\r\nreplica:1\r\nrole:backup\r\nview:2\r\nop:7\r\ncommit:7\r\nvalue:12\r\n
/// status:normal\r\n". Called on the io_context's thread; answers at once (it is local, so INFO
/// works even when the cluster cannot serve).
using InfoHook = std::function<std::string()>;

/// How a server is set up.
struct RespServerOptions {
  std::string listen_host = "127.0.0.1";  ///< where to listen (an IP address; loopback default)
  std::uint16_t listen_port = 0;          ///< 0: any free port; RespServer::port() tells which
  RespLimits limits;                      ///< per-connection parser limits
  /// Commands of one connection read but not yet answered, at most; at the limit reading
  /// pauses. >= 1.
  std::size_t max_outstanding = 256;
  /// Reply bytes of one connection waiting for its socket, at most; at the limit reading pauses
  /// too (a client that pipelines without reading its answers).
  std::size_t max_reply_bytes = 1024 * 1024;
  /// Open connections at most; a connection over the limit is answered "-ERR max number of
  /// clients reached" (Redis's words) and closed. >= 1.
  std::size_t max_connections = 1024;
  /// Called (on the io_context's thread) when a connection ends, with its id; may be empty. Lets
  /// a backend forget per-connection state.
  std::function<void(std::uint64_t connection_id)> on_disconnect;
};

/// Everything the server counted since start(); a snapshot.
struct RespServerStats {
  std::uint64_t connections_accepted = 0;  ///< connections accepted (over the limit included)
  std::uint64_t connections_open = 0;      ///< connections open now
  std::uint64_t connections_refused = 0;   ///< closed at once: over max_connections
  std::uint64_t commands = 0;              ///< commands parsed, of every kind
  std::uint64_t counter_commands = 0;      ///< commands handed to the backend
  std::uint64_t local_replies = 0;         ///< commands answered by the door (PING, errors, ...)
  std::uint64_t info_requests = 0;         ///< INFO commands answered
  std::uint64_t unknown_commands = 0;      ///< of local_replies: unknown command names
  std::uint64_t protocol_errors = 0;       ///< malformed inputs: connections closed for one
  std::uint64_t outcomes_ok = 0;           ///< backend outcomes: ok
  std::uint64_t outcomes_unknown = 0;      ///< backend outcomes: unknown (timed out)
  std::uint64_t outcomes_error = 0;        ///< backend outcomes: error (dropped Dones included)
  std::uint64_t backpressure_pauses = 0;   ///< times a connection stopped reading at the limit
  std::uint64_t bytes_read = 0;            ///< bytes received from clients
  std::uint64_t bytes_written = 0;         ///< bytes sent to clients
};

/// A RESP2 server on a caller's io_context. Construct, start(), run the io_context, stop().
class RespServer {
 public:
  /// A server that is not yet listening. `backend` is required; `info` may be empty (INFO then
  /// answers an empty section "# ladder\r\n").
  RespServer(boost::asio::io_context& io, RespServerOptions options, Backend backend,
             InfoHook info = {});
  /// Stops the server if it runs.
  ~RespServer();
  RespServer(const RespServer&) = delete;
  RespServer& operator=(const RespServer&) = delete;

  /// Binds and starts accepting (handlers run when the io_context runs). Throws
  /// boost::system::system_error when the address cannot be bound. Precondition: not started.
  void start();
  /// Closes the listening socket and every connection. Idempotent.
  void stop();
  /// The port it listens on (valid after start()).
  [[nodiscard]] std::uint16_t port() const;
  /// A snapshot of the counters; any thread.
  [[nodiscard]] RespServerStats stats() const;

  struct Impl;  ///< the implementation (resp_server.cpp); public so that its helpers can name it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace ladder::level3
