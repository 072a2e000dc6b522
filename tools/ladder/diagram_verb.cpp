/// \file
/// `ladder diagram trace FILE -o OUT` and `ladder diagram roles -o OUT`: Graphviz pictures of a
/// level 3 run and of level 3's role table.

#include <fmt/format.h>

#include "level3_pure/diagram.hpp"
#include "level3_pure/trace_file.hpp"
#include "tools/ladder/trace_input.hpp"
#include "tools/ladder/usage_error.hpp"
#include "tools/ladder/verbs.hpp"

namespace ladder::tools {

int run_diagram(const DiagramOptions& options) {
  if (options.what == "roles") {
    level3::render_diagram(level3::roles_diagram(), level3::Layout::ranked, options.output);
    fmt::print("wrote {}: the roles of level 3's replica, drawn from its role table\n",
               options.output.string());
    return kExitOk;
  }
  if (options.what != "trace" || !options.trace) {
    throw UsageError("diagram: say `trace FILE` or `roles`");
  }
  const level3::Trace trace = read_trace_argument(*options.trace);
  level3::DiagramOptions diagram;
  diagram.max_events = options.max_events;
  diagram.timers = options.timers;
  level3::render_diagram(level3::trace_diagram(trace, diagram), level3::Layout::pinned,
                         options.output);
  fmt::print("wrote {}: {} events of seed {} ({}), {}\n", options.output.string(),
             std::min(trace.events.size(), options.max_events), trace.spec.seed,
             level3::to_string(trace.spec.variant), trace.end.summary);
  return kExitOk;
}

}  // namespace ladder::tools
