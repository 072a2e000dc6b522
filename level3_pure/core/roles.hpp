#pragma once
/// \file
/// The replica's roles and the transitions between them, as data (docs/protocol.md, "Roles and
/// transitions"): one table that step() checks every role change against and that
/// `ladder diagram roles` draws, so that the picture cannot drift from the code.
///
/// A role change that is not a row of the table is a bug in step(), not bad input: it throws
/// ProtocolError naming both roles and the event.

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "level3_pure/core/replica.hpp"

namespace ladder::level3 {

/// The events that can change a replica's role: the columns of the protocol's role table.
enum class RoleEvent {
  heartbeat_timer,        ///< the heartbeat timer fired (N7)
  view_change_timer,      ///< the view_change timer fired (V1, V6)
  newer_view_change,      ///< a StartViewChange or DoViewChange of a newer view (V2, V4)
  do_view_change_quorum,  ///< f + 1 DoViewChanges, one of them its own, at the new primary (V4)
  start_view,             ///< a StartView of a newer view, or of its own during a view change (V5)
  newer_prepare_or_commit,  ///< a Prepare or Commit of a view it missed the start of (S0)
  recovery_timer,           ///< the recovery timer fired (R1)
  recovery_quorum,          ///< f + 1 RecoveryResponses, the primary's among them (R3)
  restart_without_disk,     ///< the process restarted with nothing on disk (R0)
  restart_with_disk,        ///< the process restarted and read its durable fields back (P3)
};

/// The event's name as in the table: "heartbeat_timer", "view_change_timer", ...
const char* to_string(RoleEvent event);

/// One row of the table: in role `from`, event `event` may lead to role `to`, by rule `rule`.
/// An event with several possible outcomes (restart_with_disk) has one row per outcome.
struct RoleTransition {
  Role from = Role::backup;                      ///< the role before
  RoleEvent event = RoleEvent::heartbeat_timer;  ///< what happened
  Role to = Role::backup;                        ///< the role after
  const char* rule = "";                         ///< the rule of docs/protocol.md, e.g. "V1"
};

/// Every row of the table, grouped by `from` in the order primary, backup, view_change,
/// recovering. Events missing for a role are ignored in that role (they change no role).
std::span<const RoleTransition> role_transitions();

/// True when the table has the row (from, event, to).
bool transition_allowed(Role from, RoleEvent event, Role to);

/// The error of an illegal transition: a bug in the protocol's code, reported with both roles.
class ProtocolError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// Does nothing when the row (from, event, to) is in the table; otherwise throws ProtocolError:
/// "illegal role transition recovering -> primary on do_view_change_quorum: not in the role
/// table of docs/protocol.md".
void require_transition(Role from, RoleEvent event, Role to);

/// The table as Graphviz dot text: one node per role, one edge per row labelled with the event
/// and the rule, edges with the same ends merged. Ready for `dot -Tsvg`.
std::string roles_dot();

}  // namespace ladder::level3
