#include "regression.hpp"

#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "level3_pure/sim/replay.hpp"
#include "level3_pure/sim/sim.hpp"

namespace ladder::ex06 {

//! [trace-file]
// `ladder monkey 3 --variant first-release` found seed 27; `ladder shrink` cut its trace from 4,158
// events to 1,222 and its workload from 20 operations to 7. The file lives beside the grading
// tests.
std::filesystem::path regression_trace_file() {
  return std::filesystem::path(LADDER_SOURCE_DIR) / "exercises" / "06_regression" / "tests" /
         "monkey-27-shrunk.jsonl";
}
//! [trace-file]

//! [load]
level3::Trace load_regression(const std::filesystem::path& file) {
  level3::Trace trace = level3::load_trace(file);  // throws TraceError naming the line and field
  // A regression test that keeps a passing run, or a run of the fixed protocol, guards nothing:
  // refuse it now rather than let the test pass for the wrong reason.
  if (trace.spec.variant != level3::Variant::first_release) {
    throw std::invalid_argument(
        fmt::format("{}: the trace ran variant {}, not first-release: it cannot show the flaw",
                    file.string(), level3::to_string(trace.spec.variant)));
  }
  if (trace.end.kinds == std::vector<std::string>{"ok"}) {
    throw std::invalid_argument(
        fmt::format("{}: the recorded verdict is ok: this run found no failure", file.string()));
  }
  return trace;
}
//! [load]

//! [replay]
Replayed check_regression(const level3::Trace& trace) {
  const level3::ReplayReport report = level3::replay(trace);
  return Replayed{report.same, report.recorded_digest, report.replayed_digest,
                  report.replayed.end.kinds, report.replayed.end.culprit};
}
//! [replay]

//! [fixed]
spec::Verdict check_fixed(const level3::Trace& trace) {
  // The same spec in every field but one: the schedule stays, rule V4 changes.
  level3::SimSpec spec = trace.spec;
  spec.variant = level3::Variant::fixed;
  return level3::run_sim(spec).verdict;
}
//! [fixed]

}  // namespace ladder::ex06
