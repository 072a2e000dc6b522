#pragma once
/// \file
/// Diagrams of level 3, as Graphviz text: the Lamport diagram of a recorded run (a lane per
/// replica and client, an arrow per delivered message, dropped and duplicated messages marked, the
/// violating request highlighted) and the role diagram generated from the core's role table.

#include <cstddef>
#include <filesystem>
#include <string>

#include "level3_pure/sim/trace_file.hpp"

namespace ladder::level3 {

/// What a Lamport diagram shows.
struct DiagramOptions {
  /// The most trace events drawn. A longer trace is drawn as a window that ends a little after the
  /// last event naming the culprit request (or at the trace's end).
  std::size_t max_events = 600;
  /// Also draw timers firing (a primary's heartbeat fires every 50 ms: many dots).
  bool timers = false;
};

/// The Lamport diagram of `trace` as Graphviz text with every node's position fixed (time runs
/// down, one row per event): render it with `dot -Kneato -n2`, as render_diagram does.
std::string trace_diagram(const Trace& trace, const DiagramOptions& options = {});

/// The role diagram drawn from the core's role table (roles.hpp): render it with plain `dot`.
std::string roles_diagram();

/// How a diagram's Graphviz text is laid out.
enum class Layout {
  pinned,  ///< positions given (trace_diagram): `dot -Kneato -n2`
  ranked,  ///< positions computed (roles_diagram): `dot`
};

/// Writes `dot_text` to `output`: as it is for a `.dot` file, else rendered by Graphviz in the
/// format of the file's extension (`.svg`, `.png`, `.pdf`). Throws std::runtime_error naming the
/// command when Graphviz is missing or fails.
void render_diagram(const std::string& dot_text, Layout layout,
                    const std::filesystem::path& output);

}  // namespace ladder::level3
