// Shrinking: a failing run becomes a small run that fails the same way, and stays replayable.

#include <catch2/catch.hpp>

#include "level3_pure/sim/replay.hpp"
#include "level3_pure/sim/shrink.hpp"
#include "level3_pure/sim/tests/sim_helpers.hpp"

using namespace ladder;
using namespace ladder::level3;

TEST_CASE("shrinking a first-release LOST run keeps LOST and removes most of the run", "[shrink]") {
  const auto seed = test::first_failing_seed(spec::FindingKind::lost);
  REQUIRE(seed.has_value());
  const Trace failing = record_trace(make_spec(test::monkey(*seed), *seed, Variant::first_release));
  const ShrinkReport report = shrink(failing);
  CHECK(report.kind == spec::FindingKind::lost);
  CHECK(report.trace.end.kinds.front() == "LOST");
  CHECK(report.after.ops < report.before.ops);
  CHECK(report.after.events < report.before.events);
  CHECK(report.after.faults <= report.before.faults);
  CHECK(report.after.timeline <= report.before.timeline);
  CHECK(report.runs > 0);
  // The shrunk trace is a run like any other: it replays bit for bit.
  CHECK(replay(report.trace).same);
}

TEST_CASE("a passing run has nothing to shrink", "[shrink]") {
  const Trace passing = record_trace(make_spec(test::monkey(1), 1, Variant::fixed));
  REQUIRE(passing.end.kinds == std::vector<std::string>{"ok"});
  CHECK_THROWS_AS(shrink(passing), NothingToShrink);
}

TEST_CASE("the fixed variant passes the shrunk first-release failure", "[shrink]") {
  // The shrunk run is the bug's smallest witness: the corrected rule V4 must survive it.
  const auto seed = test::first_failing_seed(spec::FindingKind::lost);
  REQUIRE(seed.has_value());
  const Trace failing = record_trace(make_spec(test::monkey(*seed), *seed, Variant::first_release));
  SimSpec spec = shrink(failing).trace.spec;
  spec.variant = Variant::fixed;
  const SimResult fixed = run_sim(spec);
  INFO(fixed.verdict.summary());
  CHECK(fixed.verdict.ok());
}
