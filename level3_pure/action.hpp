#pragma once
/// \file
/// What a replica asks its driver to do: the output of step(), like etcd raft's Ready.
///
/// ## The driver's contract
///
/// step() returns its actions in a list, and the driver executes them **in the order they
/// appear**, each to completion before the next:
///
/// 1. **Persist before send (rule P2).** A Persist is complete (written and fsync'ed) before any
///    Send or ReplyToClient that follows it in the list. step() puts its Persist first, so a
///    driver that runs the list in order keeps P2 without thinking. A driver without a disk skips
///    Persist (and restarts with Recovered{nullopt, nonce}).
/// 2. **A lazy Persist binds nothing (rule P4).** A step whose only durable change is a higher
///    commit number puts its Persist *last*, marked `lazy`: the ops it folds are already on a
///    majority of disks, so no message waits for it, in this step or a later one. A driver may
///    write it whenever it likes, with the next Persist or on its own; a crash that loses it
///    restarts the replica with a lower commit number (P3), as if it had crashed before the
///    commit, and the heartbeat's PrepareOks commit the ops again.
/// 3. **Sends are fire and forget.** The network may lose, duplicate, delay or reorder them; the
///    protocol expects it. A Send to self never appears.
/// 4. **One timer of each name.** SetTimer arms the named timer to fire once, `after_ms` from now,
///    replacing it if it was armed. CancelTimer disarms it (nothing if it was not armed). A timer
///    that fires is disarmed; the driver feeds TimerFired{timer} to step() later, never
///    re-entrantly.
/// 5. **A crash forgets the timers.** When a replica's process crashes, the driver drops its armed
///    timers and undelivered inputs; its restart is the input Recovered.

#include <string>
#include <variant>
#include <vector>

#include "counter_spec/history.hpp"
#include "level3_pure/replica.hpp"
#include "level3_pure/timer.hpp"
#include "network/types.hpp"
#include "protocol/messages.hpp"

namespace ladder::level3 {

/// Send `message` to network node `to` (a replica: replica id == node id).
struct Send {
  net::NodeId to = 0;         ///< the receiver
  protocol::Message message;  ///< what to send
  /// Sends compare field by field.
  friend bool operator==(const Send&, const Send&) = default;
};

/// Arm timer `timer` to fire `after_ms` milliseconds from now, replacing an armed one.
struct SetTimer {
  Timer timer = Timer::heartbeat;  ///< which timer
  net::Time after_ms = 0;          ///< how long from now, > 0
  /// SetTimers compare field by field.
  friend bool operator==(const SetTimer&, const SetTimer&) = default;
};

/// Disarm timer `timer` if it is armed.
struct CancelTimer {
  Timer timer = Timer::heartbeat;  ///< which timer
  /// CancelTimers compare field by field.
  friend bool operator==(const CancelTimer&, const CancelTimer&) = default;
};

/// Write the durable fields (P1) and wait until they are on disk, before any later action (P2).
/// Always the whole durable state, never a delta: the disk then holds one consistent snapshot.
struct Persist {
  Durable state;  ///< view, last_normal_view and log
  /// True when only the commit number advanced (rule P4): the Persist comes after the step's other
  /// actions and none of them, nor any later action, waits for it.
  bool lazy = false;
  /// Persists compare field by field.
  friend bool operator==(const Persist&, const Persist&) = default;
};

/// Send `reply` to client `client`'s network node, net::Topology::client(client) (rules N2b, N5).
/// A separate action from Send, so that a driver or a trace can tell answers from protocol chatter.
struct ReplyToClient {
  spec::ClientId client = 0;  ///< the client, 0 .. kMaxClients-1
  protocol::Reply reply;      ///< the answer
  /// ReplyToClients compare field by field.
  friend bool operator==(const ReplyToClient&, const ReplyToClient&) = default;
};

/// One thing a replica asks its driver to do.
using Action = std::variant<Send, SetTimer, CancelTimer, Persist, ReplyToClient>;

/// One line for traces: "send r1 Prepare v0 op7 c0#3 add(+2) commit6", "set view_change 200 ms",
/// "cancel heartbeat", "persist v0 normal_v0 op7 commit6" (+ " lazy"), "reply c0 Reply v0 c0#3
/// =12".
std::string describe(const Action& action);

}  // namespace ladder::level3
