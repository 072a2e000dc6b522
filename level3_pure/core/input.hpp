#pragma once
/// \file
/// What can happen to a replica: the inputs of step(). Each is a value the driver builds from
/// something it observed (a datagram, a timer, a restart); the core never observes anything itself.
///
/// Client requests are not a separate input: a client's protocol::Request arrives as a Message
/// like any other (from the client's network node), because that is what it is on the wire, and
/// rules N1 and N2 treat it like one.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "level3_pure/core/replica.hpp"
#include "level3_pure/core/timer.hpp"
#include "network/types.hpp"
#include "protocol/messages.hpp"

namespace ladder::level3 {

/// A message arrived from network node `from` (a replica 0 .. n-1, or a client's node).
///
/// The core trusts `message` no more than the wire: a message that breaks a bound, names a
/// replica outside the cluster or matches no rule is ignored, never a crash.
struct Receive {
  net::NodeId from = 0;       ///< the sender's network node, as the network reports it
  protocol::Message message;  ///< what arrived
  /// Receives compare field by field.
  friend bool operator==(const Receive&, const Receive&) = default;
};

/// The timer `timer`, armed by an earlier SetTimer and not cancelled since, fired.
struct TimerFired {
  Timer timer = Timer::heartbeat;  ///< which one
  /// TimerFireds compare field by field.
  friend bool operator==(const TimerFired&, const TimerFired&) = default;
};

/// The replica's process restarted after a crash (rules R0 and P3).
///
/// `disk` is what its durable storage held, read back from the last completed Persist, or nullopt
/// when it runs without a disk (or the disk is empty). `nonce` is fresh for this restart: the
/// driver draws it from its seeded Rng, because the core has no randomness of its own (R0).
struct Recovered {
  std::optional<Durable> disk;  ///< the durable fields, or nothing
  std::uint64_t nonce = 0;      ///< distinct for every restart of this replica
  /// Recovereds compare field by field.
  friend bool operator==(const Recovered&, const Recovered&) = default;
};

/// Everything step() can be told.
using Input = std::variant<Receive, TimerFired, Recovered>;

/// One line for traces: "from node 1: PrepareOk v0 op7 from r1", "timer heartbeat",
/// "recovered with disk v2 normal_v2 op7 commit6, nonce 9" or "recovered without disk, nonce 9".
std::string describe(const Input& input);

}  // namespace ladder::level3
