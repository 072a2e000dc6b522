#pragma once
/// \file
/// What exercise 08 hands over: the state a primary needs for rules N4, N5 and N7 of
/// docs/protocol.md, the inputs and actions of its pure step, and rule A1 (applying an op), so
/// that the exercise is only the step itself.

#include <cassert>
#include <cstddef>
#include <variant>
#include <vector>

#include "protocol/messages.hpp"

namespace ladder::ex08 {

/// A primary of the primary-backup counter, reduced to what a PrepareOk and a heartbeat touch.
/// Plain data: copy it, compare it.
struct Primary {
  protocol::ViewNumber view = 0;  ///< its view; it is primary(view)
  protocol::ReplicaId self = 0;   ///< its id
  int replicas = 3;               ///< n, the cluster's size
  protocol::Log log;              ///< the snapshot of ops 1 .. commit_number, then the uncommitted
  /// acked[r] is the highest op backup r acknowledged in this view (N4); replicas entries.
  std::vector<protocol::OpNumber> acked = std::vector<protocol::OpNumber>(3, 0);

  /// f, the number of crashes the cluster survives: (n - 1) / 2.
  [[nodiscard]] int f() const { return (replicas - 1) / 2; }
  /// Primaries compare field by field.
  friend bool operator==(const Primary&, const Primary&) = default;
};

/// The heartbeat timer fired at the primary (rule N7).
struct HeartbeatFired {
  /// Any two firings are the same input.
  friend bool operator==(const HeartbeatFired&, const HeartbeatFired&) = default;
};

/// Everything that happens to the primary in this exercise: a backup's ack, or its heartbeat.
using Input = std::variant<protocol::PrepareOk, HeartbeatFired>;

/// Send `message` to replica `to`.
struct Send {
  protocol::ReplicaId to = 0;  ///< the receiving replica
  protocol::Message message;   ///< what to send
  /// Sends compare field by field.
  friend bool operator==(const Send&, const Send&) = default;
};

/// Answer client `client` with `reply` (N5).
struct ReplyToClient {
  spec::ClientId client = 0;  ///< the client the op came from
  protocol::Reply reply;      ///< the answer: view, request id, the value after the op
  /// Replies compare field by field.
  friend bool operator==(const ReplyToClient&, const ReplyToClient&) = default;
};

/// Everything the primary asks its driver to do, in order.
using Action = std::variant<Send, ReplyToClient>;

/// Rule A1: applies op log.commit_number() + 1 (the suffix's first op) to the snapshot (the
/// counter, the client table, the commit number) and returns the client table's new record.
/// Precondition (asserted): the suffix is not empty.
protocol::ClientRecord apply_next(protocol::Log& log);

}  // namespace ladder::ex08
