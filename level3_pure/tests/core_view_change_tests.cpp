/// \file
/// The view change, rule by rule (docs/protocol.md V1-V6), and the planted flaw of the
/// first-release variant at V4.

#include <catch2/catch.hpp>

#include "level3_pure/roles.hpp"
#include "level3_pure/tests/core_support.hpp"

namespace ladder::level3::test {
namespace {

const protocol::Request kA = add(0, 1, 1);
const protocol::Request kB = add(0, 2, 2);
const protocol::Request kC = add(1, 1, 10);  // the op only the old primary and r2 hold

TEST_CASE("V1: a backup's view_change timer starts a view change to view + 1, view persisted first",
          "[level3][view_change]") {
  Replica r1 = fresh(1);
  const auto actions = feed(r1, fired(Timer::view_change));
  CHECK(r1.view == 1);
  CHECK(r1.status == Status::view_change);
  CHECK(r1.last_normal_view == 0);  // unchanged by V1
  const auto svcs = sent<protocol::StartViewChange>(actions);
  REQUIRE(svcs.size() == 2);
  CHECK(svcs[0] == std::pair<net::NodeId, protocol::StartViewChange>{0, {1, 1}});
  CHECK(svcs[1].first == 2);
  // P2: the view is on disk before the StartViewChange.
  REQUIRE(std::holds_alternative<Persist>(actions.front()));
  CHECK(std::get<Persist>(actions.front()).state.view == 1);
  CHECK(all<SetTimer>(actions) == std::vector<SetTimer>{{Timer::view_change, 200}});
}

TEST_CASE("V2/V3: with f StartViewChanges a replica sends its DoViewChange to primary(v) once",
          "[level3][view_change]") {
  Replica r2 = fresh(2);
  feed(r2, from(0, protocol::Prepare{0, 1, 0, kA}));
  // r0's StartViewChange for view 1 drags r2 into the view change (V2), and counts as one.
  const auto actions = feed(r2, from(0, protocol::StartViewChange{1, 0}));
  CHECK(r2.status == Status::view_change);
  CHECK(r2.view == 1);
  CHECK(r2.sent_do_view_change);
  const auto dvcs = sent<protocol::DoViewChange>(actions);
  REQUIRE(dvcs.size() == 1);
  CHECK(dvcs[0].first == 1);  // primary(1)
  CHECK(dvcs[0].second == protocol::DoViewChange{1, 0, 2, r2.log});
  CHECK(sent<protocol::StartViewChange>(actions).size() == 2);

  // Another StartViewChange does not send a second DoViewChange.
  const auto again = feed(r2, from(1, protocol::StartViewChange{1, 1}));
  CHECK(sent<protocol::DoViewChange>(again).empty());
}

// The hand-built DoViewChange set both variants receive: r1, the new primary of view 1, has
// ops 1-2 committed; r2 holds op 3 (kC), which the old primary r0 committed with r2's ack and
// acknowledged to its client, and whose Prepare r1 never received.
struct Set {
  Replica r1 = fresh(1);
  protocol::DoViewChange from_r2{1, 0, 2, log_of({kA, kB, kC})};
  explicit Set(Variant variant) : r1(fresh(1, variant)) { r1.log = log_of({kA, kB}); }
};

TEST_CASE("V4 fixed: the new primary installs the freshest log and the largest commit number",
          "[level3][view_change]") {
  Set set(Variant::fixed);
  const auto actions = feed(set.r1, from(2, set.from_r2));
  CHECK(set.r1.role() == Role::primary);
  CHECK(set.r1.view == 1);
  CHECK(set.r1.last_normal_view == 1);
  CHECK(set.r1.commit_number() == 3);
  CHECK(set.r1.value() == 13);  // kC's +10 survives the view change
  const auto starts = sent<protocol::StartView>(actions);
  REQUIRE(starts.size() == 2);
  CHECK(starts[0].second.log.op_number() == 3);
  CHECK(all<ReplyToClient>(actions).empty());  // V4 sends no Replies: N2b answers retries
  CHECK(all<SetTimer>(actions).back() == SetTimer{Timer::heartbeat, 50});
}

TEST_CASE("V4 first-release: the new primary keeps its own log, and the acknowledged op is lost",
          "[level3][view_change][first-release]") {
  Set set(Variant::first_release);
  const auto actions = feed(set.r1, from(2, set.from_r2));
  CHECK(set.r1.role() == Role::primary);
  CHECK(set.r1.commit_number() == 2);  // not 3: "my log is the truth"
  CHECK(set.r1.value() == 3);          // kC's +10 is gone
  const auto starts = sent<protocol::StartView>(actions);
  REQUIRE(starts.size() == 2);
  CHECK(starts[0].second.log.op_number() == 2);
}

// Exercise 07's hook: a chooser in the config decides V4 instead of the variant.
LogChoice choose_r2(const std::vector<std::optional<protocol::DoViewChange>>& dvc,
                    protocol::ReplicaId /*self*/) {
  return LogChoice{2, dvc[2]->log.op_number()};
}

LogChoice choose_absent_r0(const std::vector<std::optional<protocol::DoViewChange>>& /*dvc*/,
                           protocol::ReplicaId /*self*/) {
  return LogChoice{0, 0};
}

TEST_CASE("V4 with a log chooser: the chooser's log and commit number replace the variant's",
          "[level3][view_change][first-release]") {
  Set set(Variant::first_release);
  set.r1.config.choose_log = &choose_r2;
  const auto actions = feed(set.r1, from(2, set.from_r2));
  CHECK(set.r1.role() == Role::primary);
  CHECK(set.r1.commit_number() == 3);  // r2's log, committed to its end: kC's +10 survives
  CHECK(set.r1.value() == 13);
  const auto starts = sent<protocol::StartView>(actions);
  REQUIRE(starts.size() == 2);
  CHECK(starts[0].second.log.op_number() == 3);
}

TEST_CASE("V4 with a log chooser: picking a replica with no DoViewChange is a ProtocolError",
          "[level3][view_change]") {
  Set set(Variant::first_release);
  set.r1.config.choose_log = &choose_absent_r0;
  CHECK_THROWS_AS(step(set.r1, from(2, set.from_r2)), ProtocolError);
}

TEST_CASE("V4: the freshest log ranks by last_normal_view before op_number",
          "[level3][view_change]") {
  // r2, the primary of view 2, was a backup of view 1 with op 1. r0's log is longer but of view 0:
  // the ops it holds beyond op 1 were never committed (view 1 started without them).
  Replica r2 = fresh(2);
  r2.view = 1;
  r2.last_normal_view = 1;
  r2.log = log_of({kA});
  const protocol::DoViewChange from_r0{2, 0, 0, log_of({kA}, {kB, kC})};
  feed(r2, from(0, from_r0));
  CHECK(r2.role() == Role::primary);
  CHECK(r2.view == 2);
  CHECK(r2.op_number() == 1);
  CHECK(r2.log == log_of({kA}));
}

TEST_CASE("V5: a StartView makes the replica a backup of the view and acks its uncommitted ops",
          "[level3][view_change]") {
  Replica r2 = fresh(2);
  feed(r2, fired(Timer::view_change));  // view_change status, view 1
  const auto actions = feed(r2, from(1, protocol::StartView{1, log_of({kA}, {kB})}));
  CHECK(r2.role() == Role::backup);
  CHECK(r2.view == 1);
  CHECK(r2.last_normal_view == 1);
  CHECK(r2.op_number() == 2);
  CHECK(r2.commit_number() == 1);
  CHECK(sent<protocol::PrepareOk>(actions) ==
        std::vector<std::pair<net::NodeId, protocol::PrepareOk>>{{1, {1, 2, 2}}});
  CHECK(std::holds_alternative<Persist>(actions.front()));
}

TEST_CASE("V5: a StartView of the view already started is ignored", "[level3][view_change]") {
  Replica r2 = fresh(2);
  feed(r2, fired(Timer::view_change));
  feed(r2, from(1, protocol::StartView{1, log_of({kA})}));
  const auto result = step(r2, from(1, protocol::StartView{1, log_of({kA})}));
  CHECK(is_ignored(result.rule));
  CHECK(result.next == r2);
}

TEST_CASE("V6: a view change that does not finish moves on to the next view",
          "[level3][view_change]") {
  Replica r2 = fresh(2);
  feed(r2, fired(Timer::view_change));
  const auto actions = feed(r2, fired(Timer::view_change));
  CHECK(r2.view == 2);
  CHECK(r2.status == Status::view_change);
  CHECK(step(r2, fired(Timer::view_change)).rule == Rule::V6);
  CHECK(sent<protocol::StartViewChange>(actions).size() == 2);
}

TEST_CASE("V4: a DoViewChange for another primary or an older view is ignored",
          "[level3][view_change]") {
  const Replica r2 = fresh(2);
  const protocol::DoViewChange for_r1{1, 0, 0, log_of({kA})};
  CHECK(step(r2, from(0, for_r1)).rule == Rule::ignored_dvc_other_primary);
  const protocol::DoViewChange liar{1, 0, 1, log_of({kA})};  // says from r1, came from r0
  CHECK(step(fresh(1), from(0, liar)).rule == Rule::ignored_malformed_dvc_from);
}

}  // namespace
}  // namespace ladder::level3::test
