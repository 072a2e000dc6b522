#pragma once
/// \file
/// What exercise 04's retry loop may do with the network: send a Request to a replica, wait for
/// the next Reply with a timeout, read the clock. Level 2's client does the same with an Inbox and
/// real UDP; the tests hand the loop a scripted transport on a virtual clock instead, so that a
/// grade never depends on a machine's speed.

#include <optional>

#include "network/types.hpp"
#include "protocol/messages.hpp"

namespace ladder::ex04 {

/// The network as the retry loop sees it.
class Transport {
 public:
  virtual ~Transport() = default;
  /// Sends `request` to replica `to` (0 .. n-1) and returns at once. It may be lost.
  virtual void send(protocol::ReplicaId to, const protocol::Request& request) = 0;
  /// The next Reply that arrives within `timeout_ms` (> 0), or nullopt once that time has passed
  /// with none. Replies may be late answers to older requests: look at their id.
  virtual std::optional<protocol::Reply> receive_for(net::Time timeout_ms) = 0;
  /// Milliseconds since the transport began.
  [[nodiscard]] virtual net::Time now() const = 0;
};

}  // namespace ladder::ex04
