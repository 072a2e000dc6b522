/// \file
/// Rule V4 with exercise 07's hook: a log chooser in the config decides instead of the variant.
/// The view change rule by rule (V1-V6, both variants of V4) is a transcript:
/// level3_pure/core/testdata/view_change.txt.

#include <catch2/catch.hpp>

#include "level3_pure/core/roles.hpp"
#include "level3_pure/core/tests/core_support.hpp"

namespace ladder::level3::test {
namespace {

// The hand-built DoViewChange set the chooser receives: r1, the new primary of view 1, has
// ops 1-2 committed; r2 holds op 3 (kC), which the old primary r0 committed with r2's ack and
// acknowledged to its client, and whose Prepare r1 never received.
struct Set {
  Replica r1 = fresh(1);
  protocol::DoViewChange from_r2{1, 0, 2, log_of({kA, kB, kC})};
  explicit Set(Variant variant) : r1(fresh(1, variant)) { r1.log = log_of({kA, kB}); }
};

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

}  // namespace
}  // namespace ladder::level3::test
