#include "level4_explore/state_graph.hpp"

#include <cassert>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace ladder::level4 {

namespace {

// A Graphviz double-quoted string's content: quotes and backslashes escaped, newlines as \n.
std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// A describe() label, one part per line: models separate the parts of a state with " | ".
std::string compact(std::string_view label) {
  std::string out;
  std::size_t from = 0;
  for (;;) {
    const std::size_t bar = label.find(" | ", from);
    out += label.substr(from, bar == std::string_view::npos ? bar : bar - from);
    if (bar == std::string_view::npos) return out;
    out += '\n';
    from = bar + 3;
  }
}

std::string node_line(const StateGraph& graph, std::uint32_t index, bool on_path) {
  const StateGraph::Node& node = graph.states[index];
  std::string attributes = fmt::format("label=\"{}\"", quoted(compact(node.label)));
  if (index == 0) attributes += ", style=\"rounded,filled\", fillcolor=\"#e8f0ff\"";
  if (node.violation) {
    attributes += fmt::format(
        ", color=red, fontcolor=red, style=\"rounded,filled\", fillcolor=\"#ffe8e8\", "
        "tooltip=\"{}\"",
        quoted(*node.violation));
  }
  if (node.done) attributes += ", peripheries=2";
  if (on_path) attributes += ", penwidth=2.5";
  return fmt::format("  s{} [{}];\n", index, attributes);
}

}  // namespace

std::string state_graph_dot(const StateGraph& graph, std::string_view title) {
  assert(!graph.states.empty() && "a state graph has its initial state");
  const std::set<std::uint32_t> path_states(graph.counterexample.begin(),
                                            graph.counterexample.end());
  // The bold edges: for each step of the counterexample, the first edge between its two states.
  std::set<std::pair<std::uint32_t, std::uint32_t>> path_steps;
  for (std::size_t i = 0; i + 1 < graph.counterexample.size(); ++i)
    path_steps.emplace(graph.counterexample[i], graph.counterexample[i + 1]);

  std::string dot = "digraph states {\n";
  dot += fmt::format("  label=\"{}\";\n  labelloc=t;\n", quoted(title));
  dot += "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=9];\n";
  dot += "  edge [fontname=\"Helvetica\", fontsize=8];\n";
  for (std::uint32_t i = 0; i < graph.states.size(); ++i)
    dot += node_line(graph, i, path_states.contains(i));
  for (const StateGraph::Edge& edge : graph.edges) {
    assert(edge.from < graph.states.size() && edge.to < graph.states.size());
    std::string attributes = fmt::format("label=\"{}\"", quoted(edge.label));
    if (edge.fault) attributes += ", style=dashed";
    if (path_steps.erase({edge.from, edge.to}) == 1) attributes += ", penwidth=2.5";
    dot += fmt::format("  s{} -> s{} [{}];\n", edge.from, edge.to, attributes);
  }
  dot += "}\n";
  return dot;
}

std::string bound_flags(const std::vector<Bound>& bounds) {
  std::string flags;
  for (const Bound& bound : bounds) {
    assert(bound.value != nullptr && "a bound points at its value");
    flags += fmt::format("{}{} {}", flags.empty() ? "" : " ", bound.flag, *bound.value);
  }
  return flags;
}

std::string too_large_message(std::string_view what, std::uint64_t limit) {
  return fmt::format(
      "the reachable state graph of {} has more than {} states: too many to draw (a picture of "
      "that many boxes is a grey blur). Use smaller bounds, or `ladder explore` to count and "
      "check them.",
      what, limit);
}

}  // namespace ladder::level4
