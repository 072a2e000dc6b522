/// \file
/// The role table of docs/protocol.md ("Roles and transitions") as data, its check and its
/// picture.
///
/// Rule 1, after h11: every role change step() makes is a row of this table. step() calls
/// require_transition() at each change, so a change the table lacks is caught the moment it
/// happens, and `ladder diagram roles` draws this same array.

#include "level3_pure/core/roles.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <map>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace ladder::level3 {

namespace {

using enum Role;
using E = RoleEvent;

// The rows, grouped by the role before, in the order of the protocol's table. The "same" cells
// of that table (a primary's heartbeat, a view change moving on to the next view, a recovering
// replica asking again) are rows too: they are transitions that keep the role.
constexpr std::array kTransitions = {
    RoleTransition{primary, E::heartbeat_timer, primary, "N7"},
    RoleTransition{primary, E::newer_view_change, view_change, "V2, V4"},
    RoleTransition{primary, E::start_view, backup, "V5"},
    RoleTransition{primary, E::newer_prepare_or_commit, backup, "S0"},
    RoleTransition{primary, E::restart_without_disk, recovering, "R0"},
    // Never back to primary: its last Prepares may have overtaken its own write (P5).
    RoleTransition{primary, E::restart_with_disk, view_change, "P3"},

    RoleTransition{backup, E::view_change_timer, view_change, "V1"},
    RoleTransition{backup, E::newer_view_change, view_change, "V2, V4"},
    RoleTransition{backup, E::start_view, backup, "V5"},
    RoleTransition{backup, E::newer_prepare_or_commit, backup, "S0"},
    RoleTransition{backup, E::restart_without_disk, recovering, "R0"},
    RoleTransition{backup, E::restart_with_disk, backup, "P3"},
    RoleTransition{backup, E::restart_with_disk, view_change, "P3"},

    RoleTransition{view_change, E::view_change_timer, view_change, "V6"},
    RoleTransition{view_change, E::newer_view_change, view_change, "V2, V4"},
    RoleTransition{view_change, E::do_view_change_quorum, primary, "V4"},
    RoleTransition{view_change, E::start_view, backup, "V5"},
    RoleTransition{view_change, E::newer_prepare_or_commit, backup, "S0"},
    RoleTransition{view_change, E::restart_without_disk, recovering, "R0"},
    RoleTransition{view_change, E::restart_with_disk, view_change, "P3"},

    RoleTransition{recovering, E::recovery_timer, recovering, "R1"},
    RoleTransition{recovering, E::recovery_quorum, backup, "R3"},
    RoleTransition{recovering, E::restart_without_disk, recovering, "R0"},
    // A replica that crashed while recovering and restarts with a disk reads back whatever it
    // last persisted (R3 persists the log it installed): a backup's role, or a view change (a
    // disk that names it primary of its view starts the next view, P3).
    RoleTransition{recovering, E::restart_with_disk, backup, "P3"},
    RoleTransition{recovering, E::restart_with_disk, view_change, "P3"},
};

}  // namespace

const char* to_string(RoleEvent event) {
  switch (event) {
    case E::heartbeat_timer:
      return "heartbeat_timer";
    case E::view_change_timer:
      return "view_change_timer";
    case E::newer_view_change:
      return "newer_view_change";
    case E::do_view_change_quorum:
      return "do_view_change_quorum";
    case E::start_view:
      return "start_view";
    case E::newer_prepare_or_commit:
      return "newer_prepare_or_commit";
    case E::recovery_timer:
      return "recovery_timer";
    case E::recovery_quorum:
      return "recovery_quorum";
    case E::restart_without_disk:
      return "restart_without_disk";
    case E::restart_with_disk:
      return "restart_with_disk";
  }
  assert(false && "to_string of a RoleEvent outside the enum");
  return "?";
}

std::span<const RoleTransition> role_transitions() {
  return kTransitions;
}

bool transition_allowed(Role from, RoleEvent event, Role to) {
  return std::any_of(kTransitions.begin(), kTransitions.end(), [&](const RoleTransition& row) {
    return row.from == from && row.event == event && row.to == to;
  });
}

void require_transition(Role from, RoleEvent event, Role to) {
  if (transition_allowed(from, event, to)) return;
  throw ProtocolError(fmt::format(
      "illegal role transition {} -> {} on {}: not in the role table of docs/protocol.md",
      to_string(from), to_string(to), to_string(event)));
}

std::string roles_dot() {
  // Merge the rows that share both ends into one edge, its label one line per row, so that the
  // picture has one arrow per pair of roles. std::map keeps the output's order fixed.
  std::map<std::pair<Role, Role>, std::vector<std::string>> edges;
  for (const auto& row : kTransitions) {
    edges[{row.from, row.to}].push_back(fmt::format("{} ({})", to_string(row.event), row.rule));
  }
  std::string dot =
      "digraph roles {\n"
      "  rankdir=LR;\n"
      "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
      "  edge [fontname=\"Helvetica\", fontsize=10];\n"
      "  start [shape=point];\n"
      "  start -> primary [label=\"boot, replica 0\"];\n"
      "  start -> backup [label=\"boot, others\"];\n";
  for (const auto& [ends, labels] : edges) {
    std::string label;
    for (const auto& line : labels)
      label += (label.empty() ? "" : "\\n") + line;
    dot += fmt::format("  {} -> {} [label=\"{}\"];\n", to_string(ends.first),
                       to_string(ends.second), label);
  }
  dot += "}\n";
  return dot;
}

}  // namespace ladder::level3
