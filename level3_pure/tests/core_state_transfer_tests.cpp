/// \file
/// State transfer (docs/protocol.md S0-S3) and installing a log (L1).

#include <catch2/catch.hpp>

#include "level3_pure/tests/core_support.hpp"

namespace ladder::level3::test {
namespace {

const protocol::Request kA = add(0, 1, 1);
const protocol::Request kB = add(0, 2, 2);
const protocol::Request kC = add(1, 1, 10);

TEST_CASE("S0: a Prepare of a newer view makes the replica a backup of it that asks for state",
          "[level3][state_transfer]") {
  Replica r2 = fresh(2);
  feed(r2, from(0, protocol::Prepare{0, 1, 0, kA}));
  feed(r2, from(0, protocol::Prepare{0, 2, 1, kB}));
  REQUIRE(r2.op_number() == 2);
  REQUIRE(r2.commit_number() == 1);

  const auto result = step(r2, from(1, protocol::Prepare{1, 3, 2, kC}));
  CHECK(result.rule == Rule::S0);
  const Replica& next = result.next;
  CHECK(next.role() == Role::backup);
  CHECK(next.view == 1);
  CHECK(next.op_number() == 1);  // the suffix is dropped, the committed prefix kept
  CHECK(next.awaiting_state());
  CHECK(sent<protocol::GetState>(result.actions) ==
        std::vector<std::pair<net::NodeId, protocol::GetState>>{{1, {1, 1, 2}}});
  CHECK(sent<protocol::PrepareOk>(result.actions).empty());  // nothing more with the trigger
}

TEST_CASE("S0: a primary that hears a Commit of a newer view steps down and stops its heartbeat",
          "[level3][state_transfer]") {
  Replica r0 = fresh(0);
  const auto actions = feed(r0, from(1, protocol::Commit{1, 0}));
  CHECK(r0.role() == Role::backup);
  CHECK(all<CancelTimer>(actions) == std::vector<CancelTimer>{{Timer::heartbeat}});
  CHECK(all<SetTimer>(actions) == std::vector<SetTimer>{{Timer::view_change, 200}});
}

TEST_CASE("S2: the primary answers GetState with its whole log", "[level3][state_transfer]") {
  Replica r0 = fresh(0);
  feed(r0, from(3, kA));
  const auto actions = feed(r0, from(2, protocol::GetState{0, 0, 2}));
  CHECK(sent<protocol::NewState>(actions) ==
        std::vector<std::pair<net::NodeId, protocol::NewState>>{{2, {0, r0.log}}});
  CHECK(is_ignored(step(fresh(1), from(2, protocol::GetState{0, 0, 2})).rule));
}

TEST_CASE("S3: a backup installs a newer NewState and acks it; an older one is ignored",
          "[level3][state_transfer]") {
  Replica r2 = fresh(2);
  auto actions = feed(r2, from(0, protocol::NewState{0, log_of({kA}, {kB})}));
  CHECK(r2.log == log_of({kA}, {kB}));
  CHECK(sent<protocol::PrepareOk>(actions) ==
        std::vector<std::pair<net::NodeId, protocol::PrepareOk>>{{0, {0, 2, 2}}});
  CHECK(std::holds_alternative<Persist>(actions.front()));

  // A NewState that left before the last Prepares would move the backup backwards.
  actions = feed(r2, from(0, protocol::NewState{0, log_of({kA})}));
  CHECK(r2.log == log_of({kA}, {kB}));
  CHECK(sent<protocol::PrepareOk>(actions).empty());
  CHECK(all<SetTimer>(actions) == std::vector<SetTimer>{{Timer::view_change, 200}});
}

TEST_CASE("L1: a replica whose snapshot is newer keeps it and takes only the later ops",
          "[level3][state_transfer]") {
  Replica r2 = fresh(2);
  feed(r2, fired(Timer::view_change));
  r2.log = log_of({kA, kB});                                          // commit 2
  feed(r2, from(1, protocol::StartView{1, log_of({kA}, {kB, kC})}));  // commit 1, op 3
  CHECK(r2.commit_number() == 2);
  CHECK(r2.op_number() == 3);
  CHECK(r2.log.snapshot == log_of({kA, kB}).snapshot);
  CHECK(r2.log.suffix == std::vector<protocol::Request>{kC});
}

// Regression: docs/protocol.md's S0 sets last_normal_view = v when it drops the suffix. The
// replica then offers, in the next view change, a log that is only a committed prefix but is
// labelled with view v, and V4 ranks it above a longer log of an older view that holds ops
// committed before v. Here r0 committed kB and kC in view 0 (commit 3); r2 learned of view 1 by a
// Prepare (S0) knowing only kA committed; in view 2 the quorum is {r0, r2}. With the label, r2's
// own log wins and view 2 starts without kB and kC: committed ops lost in the fixed variant. As
// amended, S0 keeps last_normal_view until S3 installs the primary's log.
TEST_CASE("S0 as amended: a backup awaiting state does not outrank an older, longer log in V4",
          "[level3][state_transfer][regression]") {
  Replica r2 = fresh(2);
  feed(r2, from(0, protocol::Prepare{0, 1, 0, kA}));
  feed(r2, from(0, protocol::Commit{0, 1}));
  feed(r2, from(1, protocol::Prepare{1, 4, 3, add(2, 1, 100)}));  // S0 into view 1
  REQUIRE(r2.view == 1);
  CHECK(r2.last_normal_view == 0);
  CHECK(r2.awaiting_state());
  // Prepares of view 1 are not appended while the log is only a committed prefix.
  feed(r2, from(1, protocol::Prepare{1, 2, 1, kB}));
  CHECK(r2.op_number() == 1);

  feed(r2, fired(Timer::view_change));  // view 2, whose primary r2 is
  feed(r2, from(0, protocol::DoViewChange{2, 0, 0, log_of({kA, kB, kC})}));
  CHECK(r2.role() == Role::primary);
  CHECK(r2.commit_number() == 3);
  CHECK(r2.value() == 13);
}

}  // namespace
}  // namespace ladder::level3::test
