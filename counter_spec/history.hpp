#pragma once
/// \file
/// History: what the clients saw, recorded Jepsen-style as invoke / ok / fail / info events.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ladder::spec {

/// Time in milliseconds (virtual or real; a history uses one kind throughout).
using Time = std::int64_t;
/// A client's number (0-based), the "process" of Jepsen's histories.
using ClientId = std::uint32_t;

/// The identity of a client request from level 1 on: (client_id, request_seq).
struct RequestId {
  ClientId client = 0;    ///< who sent it
  std::uint64_t seq = 0;  ///< the client's counter, from 1
  /// Requests compare by client, then sequence number.
  friend auto operator<=>(const RequestId&, const RequestId&) = default;
};

/// "c0#3": client 0's third request.
std::string to_string(const RequestId& id);

/// The counter's two operations.
enum class OpKind { add, read };

/// The four kinds of history event.
enum class EventType {
  invoke,  ///< the client started the operation
  ok,      ///< it happened (for a read: with this value)
  fail,    ///< it certainly did not happen
  info,    ///< the client cannot know whether it happened
};

/// "add", "read".
const char* to_string(OpKind kind);
/// "invoke", "ok", "fail", "info".
const char* to_string(EventType type);

/// One line of a history.
struct Event {
  Time time = 0;                       ///< when the client saw it
  ClientId client = 0;                 ///< which client
  EventType type = EventType::invoke;  ///< what happened
  OpKind op = OpKind::add;             ///< which operation
  std::int64_t value = 0;              ///< add: the delta; read ok: the value read; otherwise 0
  std::optional<RequestId> request;    ///< the request id, when the level has them
};

/// What finally became of an operation.
enum class Outcome { ok, fail, info, pending };

/// An operation: its invoke paired with its completion (if any).
struct Operation {
  std::size_t index = 0;      ///< position among the history's operations, in invoke order
  ClientId client = 0;        ///< which client
  OpKind kind = OpKind::add;  ///< add or read
  std::int64_t delta = 0;     ///< add: the delta
  std::optional<std::int64_t> read_value;  ///< read that completed ok: the value
  Time invoked = 0;                        ///< when it was invoked
  std::optional<Time> completed;           ///< when ok/fail/info arrived; nullopt while pending
  Outcome outcome = Outcome::pending;      ///< how it ended
  std::optional<RequestId> request;        ///< the request id, when the level has them

  /// True when the operation might have taken effect: ok, info or still pending.
  [[nodiscard]] bool maybe_happened() const { return outcome != Outcome::fail; }
  /// "c0 add(+3) ok at 120 ms" (with the request id when known).
  [[nodiscard]] std::string describe() const;
};

/// The record of every client's operations. A client has at most one operation outstanding.
class History {
 public:
  /// Client `client` starts an add of `delta` (or a read, delta ignored). Precondition: the
  /// client has nothing outstanding. Returns the operation's index.
  std::size_t invoke(Time time, ClientId client, OpKind op, std::int64_t delta = 0,
                     std::optional<RequestId> request = std::nullopt);
  /// The client's outstanding operation happened; `read_value` for a read.
  void ok(Time time, ClientId client, std::int64_t read_value = 0);
  /// The client's outstanding operation certainly did not happen.
  void fail(Time time, ClientId client);
  /// The client cannot know whether its outstanding operation happened.
  void info(Time time, ClientId client);

  /// True when the client has an operation invoked and not completed.
  [[nodiscard]] bool outstanding(ClientId client) const;
  /// Every event in the order recorded.
  [[nodiscard]] const std::vector<Event>& events() const { return events_; }
  /// The operations, invokes paired with completions, in invoke order.
  [[nodiscard]] std::vector<Operation> operations() const;

 private:
  // Records the completion of the client's outstanding operation.
  void complete(Time time, ClientId client, EventType type, std::int64_t read_value);

  std::vector<Event> events_;
  std::vector<std::optional<std::size_t>> open_;  // per client: index in events_ of its open invoke
  std::size_t invoked_ = 0;                       // operations invoked so far
};

}  // namespace ladder::spec
