#pragma once
/// \file
/// The RPC client stub: `call()` sends one request and blocks until its reply arrives or its
/// deadline passes — a remote call dressed as a local one, which is exactly level 1's belief.
///
///     ladder::level1::Client server("127.0.0.1", port);
///     try {
///       nlohmann::json result = server.call("add", {{"delta", 2}},
///       std::chrono::milliseconds(200));
///     } catch (const ladder::level1::RpcError& e) {
///       // e.may_have_run(): no, unknown or yes — see level1_rpc/errors.hpp
///     }
///
/// The stub keeps one TCP connection, made on the first call and made again on the first call
/// after any error. After an error the old connection is always closed, so a late reply to an
/// abandoned call can never arrive on the connection the next call uses. One stub serves one
/// thread at a time; give each thread its own.
///
/// A call runs on the caller's own thread: it sends the request (non-blocking), then waits in
/// poll(2) until the reply is readable or the deadline passes. No other thread takes part, so a
/// round trip on loopback wakes two threads, the caller and the server's, as a Redis INCR does.

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "network/frame.hpp"

namespace ladder::level1 {

/// Everything a client stub counted since it was constructed.
struct ClientStats {
  std::uint64_t calls = 0;              ///< calls attempted
  std::uint64_t ok = 0;                 ///< calls that returned a result
  std::uint64_t not_sent = 0;           ///< NotSent errors
  std::uint64_t timed_out = 0;          ///< TimedOut errors
  std::uint64_t connection_lost = 0;    ///< ConnectionLost errors
  std::uint64_t malformed_replies = 0;  ///< MalformedReply errors
  std::uint64_t remote_failures = 0;    ///< RemoteFailure errors
  std::uint64_t connects = 0;           ///< connections made
};

/// A blocking client of one server. Not thread-safe: one thread calls at a time.
class Client {
 public:
  /// A stub for the server at host:port. Nothing is connected until the first call.
  Client(std::string host, std::uint16_t port,
         std::size_t max_frame_bytes = net::kDefaultMaxFrameBytes);
  /// Closes the connection.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Calls `method` with `args` and blocks until the result arrives or `deadline` (counted from
  /// now, connecting included) passes. Throws one of the RpcError classes of errors.hpp;
  /// precondition: deadline > 0.
  nlohmann::json call(std::string_view method, const nlohmann::json& args,
                      std::chrono::milliseconds deadline);

  /// Closes the connection now (the next call connects again).
  void close();
  /// True while a connection is open.
  [[nodiscard]] bool connected() const;
  /// "127.0.0.1:40123", for messages.
  [[nodiscard]] const std::string& address() const;
  /// A snapshot of the counters.
  [[nodiscard]] ClientStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Blocking clients of several servers that one thread can call all at once: call_all() sends the
/// same call to every server, and waits once, for all the replies, instead of once per server
/// (one poll(2) over all the sockets).
/// A primary that replicates to two backups this way pays one round trip, not two, and no
/// thread hand-off. Each member keeps its own connection, as a Client does. Not thread-safe.
class ClientGroup {
 public:
  /// What became of one server's call: a result, or the RpcError it raised.
  struct Outcome {
    std::optional<nlohmann::json> result;  ///< the result, when the call succeeded
    std::exception_ptr error;              ///< the RpcError, when it failed (rethrow to inspect)
  };

  /// Stubs for the servers at host:port for each port in `ports`, in that order.
  ClientGroup(const std::string& host, const std::vector<std::uint16_t>& ports,
              std::size_t max_frame_bytes = net::kDefaultMaxFrameBytes);
  /// Closes the connections.
  ~ClientGroup();
  ClientGroup(const ClientGroup&) = delete;
  ClientGroup& operator=(const ClientGroup&) = delete;

  /// Calls `method` with `args` on every server at once and waits until each has answered, failed,
  /// or `deadline` (counted from now) passed. One outcome per server, in the order of the ports;
  /// each error is classified exactly as Client::call would. Precondition: deadline > 0.
  std::vector<Outcome> call_all(std::string_view method, const nlohmann::json& args,
                                std::chrono::milliseconds deadline);
  /// The number of servers.
  [[nodiscard]] std::size_t size() const;
  /// "127.0.0.1:40123": the address of server `index`.
  [[nodiscard]] const std::string& address(std::size_t index) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ladder::level1
