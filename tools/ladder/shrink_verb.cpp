/// \file
/// `ladder shrink FILE`: the smallest run that still fails the way FILE's run fails.

#include <algorithm>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "level3_pure/sim/shrink.hpp"
#include "level3_pure/sim/sim.hpp"
#include "level3_pure/sim/trace_file.hpp"
#include "tools/ladder/command_line.hpp"
#include "tools/ladder/trace_input.hpp"
#include "tools/ladder/usage_error.hpp"
#include "tools/ladder/verbs.hpp"

namespace ladder::tools {

namespace {

// Events printed after the last one that names the culprit request.
constexpr std::size_t kAfterCulprit = 12;

std::string size_line(const level3::RunSize& size) {
  return fmt::format("{} random faults, {} timeline events, {} operations, {} events", size.faults,
                     size.timeline, size.ops, size.events);
}

// FILE.jsonl -> FILE.shrunk.jsonl
std::filesystem::path default_output(const std::filesystem::path& trace) {
  std::filesystem::path out = trace;
  out.replace_extension();
  return out.string() + ".shrunk.jsonl";
}

}  // namespace

int run_shrink(const ShrinkOptions& options) {
  const level3::Trace trace = read_trace_argument(options.trace);
  const Painter painter(use_color(options.color, stdout));
  fmt::print("{}\n", painter.paint(
                         fmt::format("shrinking {}: {}", options.trace.string(), trace.end.summary),
                         styles::heading));
  level3::ShrinkOptions shrink_options;
  shrink_options.max_runs = options.max_runs;
  shrink_options.progress = [](const std::string& step) { fmt::print("  {}\n", step); };
  level3::ShrinkReport report;
  try {
    report = level3::shrink(trace, shrink_options);
  } catch (const level3::NothingToShrink& error) {
    throw UsageError(fmt::format("{}: {}", options.trace.string(), error.what()));
  }
  const std::filesystem::path output = options.output.value_or(default_output(options.trace));
  level3::save_trace(output, report.trace);
  fmt::print("\nbefore: {}\nafter:  {}\n", size_line(report.before), size_line(report.after));
  fmt::print("{} candidate runs; the shrunk run still fails: {}\n", report.runs,
             painter.paint(report.trace.end.summary, styles::bad));
  fmt::print("\n{}\n", painter.paint("the shrunk run", styles::heading));
  fmt::print("{}", level3::describe_parameters(report.trace.spec));
  // The story ends a few events after the culprit's last appearance; the file has the rest.
  const auto& events = report.trace.events;
  std::size_t shown = events.size();
  for (std::size_t i = events.size(); i-- > 0;) {
    if (events[i].value("culprit", false)) {
      shown = std::min(events.size(), i + kAfterCulprit);
      break;
    }
  }
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& event = events[i];
    if (event["e"] == "timer") continue;  // heartbeats: the diagram has them with --timers
    const bool culprit = event.value("culprit", false);
    std::string line = fmt::format("{:>6} ms  {:<9}", event["t"].get<std::int64_t>(),
                                   event["e"].get<std::string>());
    if (event.contains("msg")) {
      line += fmt::format(" {} -> {}  {}", event["from"].get<std::string>(),
                          event["to"].get<std::string>(), event["msg"].get<std::string>());
      if (event.contains("why"))
        line += fmt::format("  (lost: {})", event["why"].get<std::string>());
    } else if (event.contains("text")) {
      line += fmt::format(" {}  {}", event["node"].get<std::string>(),
                          event["text"].get<std::string>());
    } else if (event.contains("node")) {
      line += " " + event["node"].get<std::string>();
    } else if (event.contains("detail")) {
      line += " " + event["detail"].get<std::string>();
    }
    fmt::print("{}\n", culprit ? painter.paint(line, styles::bad) : line);
  }
  if (shown < events.size()) {
    fmt::print("... and {} more events (the heartbeats and the liveness phase) in the file\n",
               events.size() - shown);
  }
  fmt::print(
      "\nwrote {}\n  replay it: ./run replay {}\n  draw it:   ./run diagram trace {} -o {}\n",
      output.string(), output.string(), output.string(),
      std::filesystem::path(output).replace_extension(".svg").string());
  return kExitOk;
}

namespace {

// `ladder shrink`'s command line as CLI11 fills it, until the verb runs.
struct ShrinkCommandLine {
  ShrinkOptions options;
  std::string file;
  std::string output;
  std::string color = "auto";
};

ShrinkOptions shrink_options(const ShrinkCommandLine& line) {
  ShrinkOptions options = line.options;
  options.trace = line.file;
  if (!line.output.empty()) options.output = line.output;
  options.color = color_mode(line.color);
  return options;
}

}  // namespace

void add_shrink_verb(CommandLine& cli) {
  auto line = std::make_shared<ShrinkCommandLine>();
  CLI::App* verb = cli.app().add_subcommand(
      "shrink", "shrink a failing level 3 trace to a small run that fails the same way");
  verb->add_option("FILE", line->file, "the failing run's trace file")
      ->required()
      ->check(CLI::ExistingFile);
  verb->add_option("-o,--output", line->output, "where to write the shrunk trace")
      ->type_name("FILE");
  verb->add_option("--max-runs", line->options.max_runs, "the most candidate runs to try")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  add_color_option(*verb, line->color);
  cli.on_run(*verb, [line] { return run_shrink(shrink_options(*line)); });
}

}  // namespace ladder::tools
