/// \file
/// The regression that amended rule S0 (docs/protocol.md S0), built by hand. State transfer rule
/// by rule (S0-S3, L1, and this case too) is a transcript:
/// level3_pure/core/testdata/state_transfer.txt.

#include <catch2/catch.hpp>

#include "level3_pure/core/tests/core_support.hpp"

namespace ladder::level3::test {
namespace {

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
