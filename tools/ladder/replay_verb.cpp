/// \file
/// `ladder replay FILE`: a level 3 trace file runs again, and must be the same run bit for bit.

#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "level3_pure/sim/replay.hpp"
#include "level3_pure/sim/sim.hpp"
#include "level3_pure/sim/trace_file.hpp"
#include "level4_explore/level3_trace.hpp"
#include "tools/ladder/command_line.hpp"
#include "tools/ladder/terminal.hpp"
#include "tools/ladder/trace_input.hpp"
#include "tools/ladder/trace_log.hpp"
#include "tools/ladder/usage_error.hpp"
#include "tools/ladder/verbs.hpp"

namespace ladder::tools {

namespace {

// The end of every replay, level 3's (a seed run again) or level 4's (a schedule run again): the
// events if asked for, both digests, and where the runs part. Both reports name their fields alike.
template <class Report>
int print_outcome(const Painter& painter, const Report& report, const std::string& recorded_summary,
                  bool print) {
  if (print) {
    // The log of the run just made: the file's events, rendered as the demo renders them.
    for (const auto& event : report.replayed.events)
      fmt::print("  {}\n", event.dump());
  }
  fmt::print("\nrecorded: {:016x}  {}\n", report.recorded_digest, recorded_summary);
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

// A level-4 trace is a schedule, not a seed: it replays through the explorer's model.
int run_schedule_replay(const std::filesystem::path& trace, bool print, ColorMode color) {
  level4::ScheduleTrace recorded;
  try {
    recorded = level4::load_schedule_trace(trace);
  } catch (const level3::TraceError& error) {
    throw UsageError(error.what());
  }
  const Painter painter(use_color(color, stdout));
  fmt::print("{}\n", painter.paint(fmt::format("replaying {}", trace.string()), styles::heading));
  fmt::print("level 4 schedule of {} steps; {}\n", recorded.schedule.size(),
             recorded.config.describe());
  const level4::ScheduleReplayReport report = level4::replay_schedule(recorded);
  if (!report.problem.empty()) {
    fmt::print("{}: {}\n", painter.paint("the schedule cannot run", styles::bad), report.problem);
    return kExitFailure;
  }
  return print_outcome(painter, report, recorded.end.summary, print);
}

}  // namespace

int run_replay(const ReplayOptions& options) {
  if (level4::is_schedule_trace_file(options.trace)) {
    return run_schedule_replay(options.trace, options.print, options.color);
  }
  const level3::Trace trace = read_trace_argument(options.trace);
  const Painter painter(use_color(options.color, stdout));
  fmt::print("{}\n",
             painter.paint(fmt::format("replaying {}", options.trace.string()), styles::heading));
  fmt::print("{}", level3::describe_parameters(trace.spec));
  return print_outcome(painter, level3::replay(trace), trace.end.summary, options.print);
}

namespace {

// `ladder replay`'s command line as CLI11 fills it, until the verb runs.
struct ReplayCommandLine {
  ReplayOptions options;
  std::string file;
  std::string color = "auto";
};

ReplayOptions replay_options(const ReplayCommandLine& line) {
  ReplayOptions options = line.options;
  options.trace = line.file;
  options.color = color_mode(line.color);
  return options;
}

}  // namespace

void add_replay_verb(CommandLine& cli) {
  auto line = std::make_shared<ReplayCommandLine>();
  CLI::App* verb = cli.app().add_subcommand(
      "replay", "run a level 3 trace file again and check that the run is the same, bit for bit");
  verb->add_option("FILE", line->file, "the trace file (trace.jsonl of a results folder)")
      ->required()
      ->check(CLI::ExistingFile);
  verb->add_flag("--print", line->options.print, "also print the replayed run's events");
  add_color_option(*verb, line->color);
  cli.on_run(*verb, [line] { return run_replay(replay_options(*line)); });
}

}  // namespace ladder::tools
