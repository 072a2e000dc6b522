#pragma once
/// \file
/// Exercise 08's starting point: the primary's rules N4, N5 and N7 written the way level 2 writes
/// them (level2_async/replica.cpp): an object that mutates its state and sends as it goes.

#include <functional>

#include "exercises/08_pure_step/given/primary.hpp"

namespace ladder::ex08 {

/// The primary as level 2 writes it: each handler changes the state in place and calls the
/// send and reply callbacks in the middle of its work. Correct, and hard to test: to know what
/// it did, a test must capture the callbacks; to run it twice, it must rebuild the object.
class ImperativePrimary {
 public:
  /// Sends `message` to replica `to` (level 2: a UDP datagram).
  using SendFn = std::function<void(protocol::ReplicaId to, const protocol::Message& message)>;
  /// Answers a client (level 2: a UDP datagram to the client's address).
  using ReplyFn = std::function<void(spec::ClientId client, const protocol::Reply& reply)>;

  /// A primary in `state` that sends through `send` and answers through `reply`.
  ImperativePrimary(Primary state, SendFn send, ReplyFn reply);

  /// N4 then N5: a backup acknowledged every op up to ack.op_number.
  void on(const protocol::PrepareOk& ack);
  /// N7: the heartbeat timer fired.
  void on_heartbeat();

  /// The state now.
  [[nodiscard]] const Primary& state() const { return state_; }

 private:
  void commit();
  void send_to_backups(const protocol::Message& message);

  Primary state_;
  SendFn send_;
  ReplyFn reply_;
};

}  // namespace ladder::ex08
