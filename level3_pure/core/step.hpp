#pragma once
/// \file
/// Level 3 in one signature: the protocol of docs/protocol.md as a pure function.
///
/// \code
/// StepResult step(Replica state, const Input& input);   // -> {Replica next, std::vector<Action>}
/// \endcode
///
/// No IO, no clock, no threads, no randomness except what arrives in the input (the restart
/// nonce). The same state and input give the same result on every machine, so a whole run is
/// a function of its first states and its inputs: the simulator replays it bit for bit, and
/// level 4 explores it exhaustively.
///
/// ## The driver's duties
///
/// 1. Boot every replica with boot() and execute the actions it returns.
/// 2. Feed every event to step(), one at a time: a datagram that decodes (Receive), a timer that
///    fired (TimerFired), a restart after a crash (Recovered, with what the disk held and a fresh
///    nonce). Keep the returned state; drop the old one.
/// 3. Execute the returned actions in order, under the contract of action.hpp: Persist completes
///    before the Sends after it (P2), SetTimer replaces, CancelTimer disarms.
/// 4. Never call step() for a crashed replica; on a crash drop its timers, and feed Recovered when
///    it comes back.
///
/// The event loop, in full:
///
/// \code
/// auto [replica, actions] = boot(config);
/// execute(actions);
/// for (;;) {
///   Input input = next_event();          // a datagram, a timer, a restart
///   auto result = step(std::move(replica), input);
///   replica = std::move(result.next);
///   execute(result.actions);             // in order: Persist, then Sends, timers, replies
/// }
/// \endcode

#include <vector>

#include "level3_pure/core/action.hpp"
#include "level3_pure/core/input.hpp"
#include "level3_pure/core/replica.hpp"
#include "level3_pure/core/rule.hpp"

namespace ladder::level3 {

/// What step() returns: the next state and what to do, in order.
struct StepResult {
  Replica next;                 ///< the replica after the input
  std::vector<Action> actions;  ///< to execute in order (contract: action.hpp)
  /// The rule of docs/protocol.md that handled the input (Rule::N3, Rule::V4, ...), or why it was
  /// ignored (Rule::ignored_stale_view, ...: is_ignored()). name() spells it for traces.
  Rule rule = Rule::none;
};

/// A replica's start: Replica::initial(config), with its first timer armed (heartbeat at replica 0,
/// the first primary; view_change at the others). Precondition (asserted): config.valid().
StepResult boot(const ReplicaConfig& config);

/// The protocol's one transition: the replica after `input`, and the actions it asks for.
///
/// Preconditions (asserted): `state` is a state step() or boot() returned, i.e. it satisfies
/// the single-replica invariants of docs/protocol.md (I6's fields are consistent, I7's bounds
/// hold, its tables are sized for its cluster). Postconditions (asserted): the same, plus P2 (if
/// a durable field changed, the first action is the Persist of the new durable fields, and no
/// Persist is emitted otherwise), I6 (view, last_normal_view and commit_number did not decrease,
/// except across a Recovered input) and I10 (a recovering replica sends only Recovery).
///
/// An input that matches no rule is ignored: the state comes back unchanged and the actions are
/// empty. Inputs from the network are not trusted: a malformed message never crashes step().
/// A role change not in the table of roles.hpp throws ProtocolError naming both roles (a bug).
StepResult step(Replica state, const Input& input);

}  // namespace ladder::level3
