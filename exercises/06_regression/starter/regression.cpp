#include "regression.hpp"

#include "exercises/06_regression/given/your_code_here.hpp"

namespace ladder::ex06 {

//! [trace-file]
// Run `./run monkey 3 --variant first-release --runs 1000`, shrink the first failing seed's trace
// with `./run shrink`, and copy the shrunk file next to this one (runs/ is git-ignored; a
// regression test keeps its input in the repository). Return its path here, built from
// LADDER_SOURCE_DIR (the repository's root) so the test finds it from any working directory.
std::filesystem::path regression_trace_file() {
  your_code_here("part 1: regression_trace_file must name the trace file you saved");
}
//! [trace-file]

//! [load]
// Read the file with level3::load_trace, then refuse a trace that guards nothing: one that ran the
// fixed variant, or whose recorded verdict is ok (trace.end.kinds == {"ok"}).
level3::Trace load_regression([[maybe_unused]] const std::filesystem::path& file) {
  your_code_here("part 1: load_regression must read the trace and refuse one that found nothing");
}
//! [load]

//! [replay]
// level3::replay (level3_pure/sim/replay.hpp) runs the trace's spec again; report its digest and
// the replayed run's verdict kinds and culprit (its `replayed` trace's end line holds them).
Replayed check_regression([[maybe_unused]] const level3::Trace& trace) {
  your_code_here("part 2: check_regression must replay the trace and report what the run did");
}
//! [replay]

//! [fixed]
// Copy the trace's spec, change only the variant, and run it with level3::run_sim (sim.hpp).
spec::Verdict check_fixed([[maybe_unused]] const level3::Trace& trace) {
  your_code_here("part 3: check_fixed must run the same schedule with the fixed variant");
}
//! [fixed]

}  // namespace ladder::ex06
