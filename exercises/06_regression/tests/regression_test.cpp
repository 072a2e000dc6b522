/// \file
/// Exercise 06's grading tests: a failure of level 3's first-release protocol, kept as a trace
/// file, must load, replay to the recorded digest and violation, and pass under the fixed protocol.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "level3_pure/sim/trace_file.hpp"
#include "regression.hpp"

namespace {

using namespace ladder;

bool contains(const std::vector<std::string>& kinds, const std::string& kind) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

// A trace written to the temporary directory, for the traces load_regression must refuse.
std::filesystem::path saved(const level3::Trace& trace, const std::string& name) {
  const auto file = std::filesystem::temp_directory_path() / ("ladder-ex06-" + name + ".jsonl");
  level3::save_trace(file, trace);
  return file;
}

}  // namespace

TEST_CASE("part 1: the regression trace is a failing first-release run of level 3") {
  const auto file = ex06::regression_trace_file();
  INFO("trace file: " << file.string());
  REQUIRE(std::filesystem::exists(file));
  const level3::Trace trace = ex06::load_regression(file);
  CHECK(trace.spec.variant == level3::Variant::first_release);
  CHECK(trace.end.kinds != std::vector<std::string>{"ok"});
  // The flaw of rule V4 loses an acknowledged increment: the regression must show that.
  CHECK(contains(trace.end.kinds, "LOST"));
  CHECK_FALSE(trace.events.empty());
}

TEST_CASE("part 1: load_regression refuses a trace that guards nothing") {
  // The same schedule under the fixed protocol: a clean run of the fixed variant.
  level3::SimSpec spec = ex06::load_regression(ex06::regression_trace_file()).spec;
  spec.variant = level3::Variant::fixed;
  const level3::Trace clean = level3::record_trace(spec);
  REQUIRE(clean.end.kinds == std::vector<std::string>{"ok"});
  CHECK_THROWS_AS(ex06::load_regression(saved(clean, "fixed")), std::invalid_argument);

  // A first-release run that happened to pass is no regression either.
  level3::Trace passing = clean;
  passing.spec.variant = level3::Variant::first_release;
  CHECK_THROWS_WITH(ex06::load_regression(saved(passing, "passing")),
                    Catch::Contains("ladder-ex06-passing.jsonl") && Catch::Contains("ok"));

  CHECK_THROWS_AS(ex06::load_regression("no-such-trace.jsonl"), level3::TraceError);
}

TEST_CASE("part 2: replaying the trace gives the recorded digest and the same violation") {
  const level3::Trace trace = level3::load_trace(ex06::regression_trace_file());
  const ex06::Replayed replayed = ex06::check_regression(trace);
  CHECK(replayed.same);
  CHECK(replayed.recorded_digest == trace.end.digest);
  CHECK(replayed.replayed_digest == trace.end.digest);
  CHECK(replayed.kinds == trace.end.kinds);
  CHECK(contains(replayed.kinds, "LOST"));
  CHECK(replayed.culprit == trace.end.culprit);
}

TEST_CASE("part 2: a replay reports the run it made, not the file's claims") {
  // A trace whose last line was edited: the run is the same, the recorded digest is not.
  level3::Trace trace = level3::load_trace(ex06::regression_trace_file());
  const std::uint64_t true_digest = trace.end.digest;
  trace.end.digest ^= 1;
  const ex06::Replayed replayed = ex06::check_regression(trace);
  CHECK_FALSE(replayed.same);
  CHECK(replayed.recorded_digest == (true_digest ^ 1));
  CHECK(replayed.replayed_digest == true_digest);
  CHECK(contains(replayed.kinds, "LOST"));
}

TEST_CASE("part 3: the fixed variant passes the same schedule") {
  const level3::Trace trace = level3::load_trace(ex06::regression_trace_file());
  const spec::Verdict verdict = ex06::check_fixed(trace);
  INFO("fixed variant: " << verdict.summary());
  CHECK(verdict.ok());
  // The trace itself is not touched: it still names the variant that failed.
  CHECK(trace.spec.variant == level3::Variant::first_release);
}
