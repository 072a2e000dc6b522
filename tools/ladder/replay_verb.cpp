/// \file
/// `ladder replay FILE`: a level 3 trace file runs again, and must be the same run bit for bit.

#include <fmt/format.h>

#include "level3_pure/replay.hpp"
#include "level3_pure/sim.hpp"
#include "level3_pure/trace_file.hpp"
#include "level4_explore/level3_trace.hpp"
#include "tools/ladder/explore_verb.hpp"
#include "tools/ladder/trace_input.hpp"
#include "tools/ladder/trace_log.hpp"
#include "tools/ladder/usage_error.hpp"
#include "tools/ladder/verbs.hpp"

namespace ladder::tools {

int run_replay(const ReplayOptions& options) {
  // A level-4 trace is a schedule, not a seed: it replays through the explorer's model.
  if (level4::is_schedule_trace_file(options.trace)) {
    return run_schedule_replay(options.trace, options.print, options.color);
  }
  const level3::Trace trace = read_trace_argument(options.trace);
  const Painter painter(use_color(options.color, stdout));
  fmt::print("{}\n",
             painter.paint(fmt::format("replaying {}", options.trace.string()), styles::heading));
  fmt::print("{}", level3::describe_parameters(trace.spec));
  const level3::ReplayReport report = level3::replay(trace);
  if (options.print) {
    // The log of the run just made: the file's events, rendered as the demo renders them.
    for (const auto& event : report.replayed.events)
      fmt::print("  {}\n", event.dump());
  }
  fmt::print("\nrecorded: {:016x}  {}\n", report.recorded_digest, trace.end.summary);
  fmt::print("replayed: {:016x}  {}\n", report.replayed_digest, report.replayed.end.summary);
  if (report.same) {
    fmt::print("{}: the digest and all {} events are identical\n",
               painter.paint("same run", styles::good), report.replayed.events.size());
    return kExitOk;
  }
  fmt::print("{}\n", painter.paint("the run differs", styles::bad));
  if (report.first_difference) {
    // Line numbers count the header as line 1.
    fmt::print("  first difference at event {} (line {}):\n    recorded: {}\n    replayed: {}\n",
               *report.first_difference, *report.first_difference + 2,
               report.recorded_event.empty() ? "(the file ends here)" : report.recorded_event,
               report.replayed_event.empty() ? "(the run ends here)" : report.replayed_event);
  }
  return kExitFailure;
}

}  // namespace ladder::tools
