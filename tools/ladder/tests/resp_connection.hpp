#pragma once
/// \file
/// A small blocking RESP2 client for the tests: one TCP connection to a node's Redis front door,
/// every call bounded by a deadline. Written here, apart from the node's own RESP code, so that
/// the tests talk to the node as a client nobody in the project wrote would: bytes on a socket.
///
///     RespConnection node(6380, 1s);
///     RespReply reply = node.call({"INCRBY", "counter", "5"}, 2s);   // ":5"
///
/// POSIX sockets; a write to a closed peer raises no SIGPIPE (MSG_NOSIGNAL).

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ladder::tools::testing {

/// The connection broke, was refused, or the deadline passed: the call's outcome is unknown.
class RespIoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One RESP2 reply, of the kinds a counter answers with.
struct RespReply {
  char type = '+';           ///< '+' simple string, '-' error, ':' integer, '$' bulk string
  std::string text;          ///< the string (without the '-' of an error); empty for ':'
  std::int64_t integer = 0;  ///< the number of a ':' reply
  bool null = false;         ///< a null bulk string ("$-1")
  /// True for an error reply.
  [[nodiscard]] bool error() const { return type == '-'; }
  /// "+PONG", "-TIMEOUT ...", ":12", "$INFO text": for failure messages.
  [[nodiscard]] std::string describe() const;
};

/// A connection to 127.0.0.1:port. Not copyable; closes on destruction.
class RespConnection {
 public:
  /// Connects within `limit`. Throws RespIoError when it cannot.
  RespConnection(std::uint16_t port, std::chrono::milliseconds limit);
  ~RespConnection();
  RespConnection(const RespConnection&) = delete;
  RespConnection& operator=(const RespConnection&) = delete;

  /// Sends `args` as a RESP array of bulk strings and reads one reply, all within `limit`.
  /// Throws RespIoError when the connection breaks or the deadline passes, std::runtime_error
  /// when the reply is not RESP2 (a bug in the server, not a fault of the network).
  RespReply call(const std::vector<std::string>& args, std::chrono::milliseconds limit);

 private:
  using Deadline = std::chrono::steady_clock::time_point;
  void send_all(const std::string& bytes, Deadline deadline);
  std::string read_line(Deadline deadline);
  std::string read_exactly(std::size_t size, Deadline deadline);
  void fill(Deadline deadline);

  int fd_ = -1;
  std::string buffer_;  // bytes received and not yet consumed
};

}  // namespace ladder::tools::testing
