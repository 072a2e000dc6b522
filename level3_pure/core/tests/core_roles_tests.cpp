/// \file
/// The role table as data (docs/protocol.md, "Roles and transitions"): its rows, its check and
/// its picture.

#include <catch2/catch.hpp>

#include "level3_pure/core/roles.hpp"
#include "level3_pure/core/tests/core_support.hpp"

namespace ladder::level3::test {
namespace {

TEST_CASE("An illegal role transition throws ProtocolError naming both roles and the event",
          "[level3][roles]") {
  CHECK_THROWS_AS(
      require_transition(Role::recovering, RoleEvent::do_view_change_quorum, Role::primary),
      ProtocolError);
  CHECK_THROWS_WITH(
      require_transition(Role::recovering, RoleEvent::do_view_change_quorum, Role::primary),
      Catch::Contains("recovering -> primary") && Catch::Contains("do_view_change_quorum"));
  // Only V4 makes a primary: a backup never becomes one on a StartView.
  CHECK_THROWS_WITH(require_transition(Role::backup, RoleEvent::start_view, Role::primary),
                    Catch::Contains("backup -> primary"));
  CHECK_NOTHROW(
      require_transition(Role::view_change, RoleEvent::do_view_change_quorum, Role::primary));
}

TEST_CASE(
    "The role table holds the protocol's rows and no transition out of recovering but R3's "
    "and restarts",
    "[level3][roles]") {
  const auto rows = role_transitions();
  CHECK(rows.size() == 25);
  CHECK(transition_allowed(Role::backup, RoleEvent::view_change_timer, Role::view_change));
  CHECK(transition_allowed(Role::recovering, RoleEvent::recovery_quorum, Role::backup));
  CHECK_FALSE(transition_allowed(Role::recovering, RoleEvent::start_view, Role::backup));
  CHECK_FALSE(transition_allowed(Role::primary, RoleEvent::view_change_timer, Role::view_change));
  for (const auto& row : rows) {
    // Into primary only by V4 (or staying one, N7): never by a restart, not even one whose disk
    // says it was primary (P3: it may have lost ops its Prepares told the backups of, P5).
    if (row.to == Role::primary) {
      CHECK((row.event == RoleEvent::do_view_change_quorum ||
             row.event == RoleEvent::heartbeat_timer));
    }
    CHECK(std::string(row.rule).size() >= 2);
  }
}

TEST_CASE("roles_dot draws every row as an edge between roles", "[level3][roles]") {
  const std::string dot = roles_dot();
  CHECK(dot.starts_with("digraph roles {"));
  CHECK_THAT(dot, Catch::Contains("view_change -> primary [label=\"do_view_change_quorum (V4)\"]"));
  CHECK_THAT(dot, Catch::Contains("recovering -> backup [label=\"recovery_quorum (R3)"));
  // Rows with the same ends share one edge, one label line each.
  CHECK_THAT(dot, Catch::Contains("backup -> view_change [label=\"view_change_timer (V1)\\n"
                                  "newer_view_change (V2, V4)\\nrestart_with_disk (P3)\"]"));
}

TEST_CASE("A recovering replica ignores a DoViewChange: it never jumps to primary",
          "[level3][roles]") {
  // The table has no row recovering -> primary on do_view_change_quorum (the first test), and
  // step never attempts it: a recovering replica ignores everything but RecoveryResponse.
  Replica r1 = fresh(1);
  feed(r1, Recovered{std::nullopt, 3});
  const auto result = step(r1, from(0, protocol::DoViewChange{1, 0, 0, log_of({})}));
  CHECK(result.next.role() == Role::recovering);
  CHECK(result.rule == Rule::ignored_recovering);
}

}  // namespace
}  // namespace ladder::level3::test
