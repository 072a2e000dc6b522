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
/// 2. **A primary's Prepares go with its own write (rule P5).** The step that appends a client's
///    request at the primary (N2d) marks its Persist `before_replies`: the step's Sends (its
///    Prepares) may leave before that Persist is on disk, so that the backups' fsyncs run while
///    the primary's does. A ReplyToClient, and every action of a later step, still waits for it.
///    A crash may then lose ops the backups hold; a restarted primary therefore never resumes
///    its view (P3) but starts the next one, whose view change brings those ops back.
/// 3. **A lazy Persist binds nothing (rule P4).** A step whose only durable change is a higher
///    commit number puts its Persist *last*, marked `lazy`: the ops it folds are already on a
///    majority of disks, so no message waits for it, in this step or a later one. A driver may
///    write it whenever it likes, with the next Persist or on its own; a crash that loses it
///    restarts the replica with a lower commit number (P3), as if it had crashed before the
///    commit, and the heartbeat's PrepareOks commit the ops again.
/// 4. **Sends are fire and forget.** The network may lose, duplicate, delay or reorder them; the
///    protocol expects it. A Send to self never appears.
/// 5. **One timer of each name.** SetTimer arms the named timer to fire once, `after_ms` from now,
///    replacing it if it was armed. CancelTimer disarms it (nothing if it was not armed). A timer
///    that fires is disarmed; the driver feeds TimerFired{timer} to step() later, never
///    re-entrantly.
/// 6. **A crash forgets the timers.** When a replica's process crashes, the driver drops its armed
///    timers and undelivered inputs; its restart is the input Recovered.

#include <string>
#include <variant>
#include <vector>

#include "counter_spec/history.hpp"
#include "level3_pure/core/replica.hpp"
#include "level3_pure/core/timer.hpp"
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

/// Which actions wait until a Persist is on disk (rules P2, P4 and P5).
enum class Durability {
  /// P2: every action after it in the list, and every action of a later step.
  before_sends,
  /// P5: the step's ReplyToClients and every action of a later step, but not the step's own Sends
  /// (a primary's Prepares of the op it just appended, N2d).
  before_replies,
  /// P4: none. Only the commit number advanced; the Persist comes after the step's other actions.
  lazy,
};

/// Write the durable fields (P1) and have them on disk before the actions that wait for them.
/// Always the whole durable state, never a delta: the disk then holds one consistent snapshot.
struct Persist {
  Durable state;  ///< view, last_normal_view and log
  /// Which actions wait for this write to be on disk.
  Durability durability = Durability::before_sends;
  /// True for a lazy Persist (rule P4): nothing waits for it.
  [[nodiscard]] bool lazy() const { return durability == Durability::lazy; }
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
/// "cancel heartbeat", "persist v0 normal_v0 op7 commit6" (+ " lazy" or
/// " sends first"), "reply c0 Reply v0 c0#3
/// =12".
std::string describe(const Action& action);

}  // namespace ladder::level3
