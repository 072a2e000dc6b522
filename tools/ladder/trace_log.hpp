#pragma once
/// \file
/// The demo's log: one readable line per trace event, marked and coloured by what it is.

#include <functional>
#include <string>
#include <string_view>

#include "network/sim_network.hpp"
#include "tools/ladder/terminal.hpp"

namespace ladder::tools {

/// Why a message was dropped, in words a reader can act on: "random" becomes "lost at random, and
/// nobody is told", "cut" becomes "cut off by a partition", ...; unknown reasons pass through.
[[nodiscard]] std::string explain_drop(std::string_view reason);

/// One line of the demo's log for `event`: the network's own line (net::format_trace_event) behind
/// a one-character mark, so that the eye finds the story in the margin:
///
///  - `x` a message was dropped, and why;
///  - `!` a fault: a crash, a restart, a partition, a heal;
///  - `>` a client's note: the operations it invokes and how they end;
///  - `.` a replica's note;
///  - blank: messages sent, delivered and duplicated, timers.
///
/// Colour (when `painter` is on) repeats the marks: red drops, yellow faults, cyan notes, faint
/// sends. `describe` renders payloads (empty: as they are); `describe_timer` names a timer from its
/// tag (empty, or an empty name: the tag alone).
[[nodiscard]] std::string render_trace_line(
    const net::TraceEvent& event, const net::Topology& topology, const Painter& painter,
    const std::function<std::string(std::string_view)>& describe = {},
    const std::function<std::string(std::string_view)>& describe_timer = {});

}  // namespace ladder::tools
