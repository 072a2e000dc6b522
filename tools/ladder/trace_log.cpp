#include "tools/ladder/trace_log.hpp"

#include <fmt/format.h>

namespace ladder::tools {

std::string explain_drop(std::string_view reason) {
  if (reason == "random") return "lost at random, and nobody is told";
  if (reason == "response lost") return "the request ran, but its reply was lost";
  if (reason == "cut") return "cut off by a partition";
  if (reason == "down") return "the receiver is down";
  return std::string(reason);
}

namespace {

// The network's line for the event, with the timer's name after its tag when the level knows it.
std::string format_line(const net::TraceEvent& event, const net::Topology& topology,
                        const std::function<std::string(std::string_view)>& describe,
                        const std::function<std::string(std::string_view)>& describe_timer) {
  if (event.kind != net::TraceKind::timer || !describe_timer) {
    return net::format_trace_event(event, topology, describe);
  }
  const std::string name = describe_timer(event.detail);
  if (name.empty()) return net::format_trace_event(event, topology, describe);
  const std::string detail = fmt::format("{} ({})", event.detail, name);
  net::TraceEvent named = event;
  named.detail = detail;
  return net::format_trace_event(named, topology, describe);
}

}  // namespace

std::string render_trace_line(const net::TraceEvent& event, const net::Topology& topology,
                              const Painter& painter,
                              const std::function<std::string(std::string_view)>& describe,
                              const std::function<std::string(std::string_view)>& describe_timer) {
  const std::string line = format_line(event, topology, describe, describe_timer);
  switch (event.kind) {
    case net::TraceKind::drop:
      return fmt::format(
          "x {}", painter.paint(fmt::format("{}  <- DROPPED: {}", line, explain_drop(event.detail)),
                                styles::bad));
    case net::TraceKind::crash:
    case net::TraceKind::restart:
    case net::TraceKind::partition:
    case net::TraceKind::heal:
      return fmt::format("! {}", painter.paint(line, styles::fault));
    case net::TraceKind::note:
      if (topology.is_replica(event.from)) {
        return fmt::format(". {}", painter.paint(line, styles::replica));
      }
      return fmt::format("> {}", painter.paint(line, styles::client));
    case net::TraceKind::send:
      return fmt::format("  {}", painter.paint(line, styles::quiet));
    case net::TraceKind::deliver:
    case net::TraceKind::duplicate:
    case net::TraceKind::timer:
      return fmt::format("  {}", line);
  }
  return fmt::format("? {}", line);
}

}  // namespace ladder::tools
