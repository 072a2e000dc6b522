#include "level3_pure/sim/diagram.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "level3_pure/core/roles.hpp"

namespace ladder::level3 {
namespace {

using nlohmann::json;

// Geometry, in points (Graphviz's unit with -n2).
constexpr int kLaneWidth = 190;
constexpr int kRowHeight = 24;
constexpr int kLeft = 60;
constexpr std::size_t kAfterCulprit = 40;  // events drawn after the culprit's last mention

const char* const kCulpritColor = "#d62728";
const char* const kLostColor = "#b0b0b0";
const char* const kCopyColor = "#ff7f0e";

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string text_of(const json& event, const char* field) {
  return event.contains(field) ? event[field].get<std::string>() : std::string();
}

/// Builds the dot text: nodes pinned to (lane, row), edges between them.
class LamportDiagram {
 public:
  LamportDiagram(const Trace& trace, const DiagramOptions& options)
      : trace_(trace), options_(options), topology_(trace.spec.scenario.topology()) {}

  std::string build() {
    const auto [begin, end] = window();
    for (std::size_t i = begin; i < end; ++i)
      draw(trace_.events[i]);
    return assemble(begin, end);
  }

 private:
  struct SendNode {
    std::string node;
    int lane = 0;
    int row = 0;
    int deliveries = 0;
  };

  [[nodiscard]] std::pair<std::size_t, std::size_t> window() const {
    const auto& events = trace_.events;
    if (events.size() <= options_.max_events) return {0, events.size()};
    std::size_t last = events.size();
    for (std::size_t i = events.size(); i-- > 0;) {
      if (events[i].value("culprit", false)) {
        last = std::min(events.size(), i + kAfterCulprit);
        break;
      }
    }
    return {last - std::min(last, options_.max_events), last};
  }

  [[nodiscard]] int lane_of(const std::string& name) const {
    const auto id = topology_.parse(name);
    return id ? static_cast<int>(*id) : 0;
  }
  [[nodiscard]] static int x_of(int lane) { return kLeft + lane * kLaneWidth; }
  [[nodiscard]] int y_of(int row) const { return (rows_ + 2 - row) * kRowHeight; }

  /// A node at (x, row); its position is resolved once the number of rows is known.
  std::string node(int x, int row, const std::string& attributes) {
    const std::string name = fmt::format("n{}", nodes_.size());
    nodes_.push_back(Node{name, x, row, attributes});
    return name;
  }

  void edge(const std::string& from, const std::string& to, const std::string& attributes) {
    edges_.push_back(fmt::format("  {} -> {} [{}];", from, to, attributes));
  }

  static std::string emphasis(bool culprit) {
    return culprit ? fmt::format(", color=\"{0}\", fontcolor=\"{0}\", penwidth=2.5", kCulpritColor)
                   : std::string();
  }

  void draw(const json& event) {
    const std::string kind = event["e"].get<std::string>();
    const bool culprit = event.value("culprit", false);
    if (kind == "send") return draw_send(event);
    if (kind == "deliver") return draw_deliver(event, culprit);
    if (kind == "drop") return draw_drop(event, culprit);
    if (kind == "duplicate") return;  // the second delivery draws the copy
    const int row = ++rows_;
    const std::string time = fmt::format("{} ms", event["t"].get<std::int64_t>());
    if (kind == "note") {
      const int lane = lane_of(text_of(event, "node"));
      node(x_of(lane), row,
           fmt::format("shape=plaintext, fontsize=9, label={}{}", quoted(text_of(event, "text")),
                       emphasis(culprit)));
    } else if (kind == "crash" || kind == "restart") {
      const int lane = lane_of(text_of(event, "node"));
      node(x_of(lane), row,
           fmt::format("shape=box, style=filled, fontsize=9, fillcolor=\"{}\", label={}",
                       kind == "crash" ? "#f4b6b6" : "#c7e9c0", quoted(kind + " at " + time)));
    } else if (kind == "partition" || kind == "heal") {
      const int middle = x_of(topology_.size() - 1) / 2 + kLeft / 2;
      node(middle, row,
           fmt::format("shape=box, style=\"dashed,filled\", fillcolor=\"#fff3c4\", fontsize=9, "
                       "label={}",
                       quoted(fmt::format("{} {} at {}", kind, text_of(event, "detail"), time))));
    } else if (kind == "timer") {
      if (!options_.timers) {
        --rows_;
        return;
      }
      node(x_of(lane_of(text_of(event, "node"))), row,
           fmt::format("shape=plaintext, fontsize=8, fontcolor=gray40, label={}",
                       quoted("timer " + text_of(event, "timer"))));
    }
  }

  void draw_send(const json& event) {
    const int lane = lane_of(text_of(event, "from"));
    const int row = ++rows_;
    const std::string name = node(x_of(lane), row, "shape=point, width=0.06");
    if (event.contains("send"))
      sends_[event["send"].get<std::uint64_t>()] = SendNode{name, lane, row, 0};
  }

  void draw_deliver(const json& event, bool culprit) {
    const int lane = lane_of(text_of(event, "to"));
    const int row = ++rows_;
    const std::string to = node(x_of(lane), row, "shape=point, width=0.06");
    const auto found =
        event.contains("send") ? sends_.find(event["send"].get<std::uint64_t>()) : sends_.end();
    if (found == sends_.end()) return;  // sent before the window
    const bool copy = ++found->second.deliveries > 1;
    std::string attributes =
        fmt::format("fontsize=8, label={}", quoted((copy ? "copy: " : "") + text_of(event, "msg")));
    if (copy)
      attributes += fmt::format(", style=dashed, color=\"{0}\", fontcolor=\"{0}\"", kCopyColor);
    edge(found->second.node, to, attributes + emphasis(culprit));
  }

  void draw_drop(const json& event, bool culprit) {
    const std::string why = text_of(event, "why");
    const auto found =
        event.contains("send") ? sends_.find(event["send"].get<std::uint64_t>()) : sends_.end();
    const int to_lane = lane_of(text_of(event, "to"));
    const int row = ++rows_;
    // Lost on the way: the arrow stops short of the receiver's lane, at a cross.
    int x = x_of(to_lane);
    if (found != sends_.end()) x = (x_of(found->second.lane) * 2 + x_of(to_lane) * 3) / 5;
    const std::string cross = node(
        x, row,
        fmt::format("shape=plaintext, fontsize=14, fontcolor=\"{}\", label=\"x\"", kCulpritColor));
    if (found == sends_.end()) return;
    edge(found->second.node, cross,
         fmt::format("fontsize=8, style=dashed, color=\"{0}\", fontcolor=\"{0}\", label={1}{2}",
                     kLostColor, quoted(fmt::format("{} (lost: {})", text_of(event, "msg"), why)),
                     emphasis(culprit)));
  }

  std::string assemble(std::size_t begin, std::size_t end) const {
    std::string out = "digraph lamport {\n";
    out += fmt::format(
        "  graph [label={}, labelloc=t, fontname=\"Helvetica\", fontsize=12, splines=false];\n",
        quoted(fmt::format(
            "seed {}, variant {}: {}{}", trace_.spec.seed, to_string(trace_.spec.variant),
            trace_.end.summary,
            begin > 0 || end < trace_.events.size()
                ? fmt::format(" (events {}..{} of {})", begin, end, trace_.events.size())
                : std::string())));
    out += "  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", arrowsize=0.6];\n";
    // The lanes: a name on top, a dotted line down to the last row.
    for (int lane = 0; lane < topology_.size(); ++lane) {
      const auto id = static_cast<net::NodeId>(lane);
      out += fmt::format(
          "  lane{0} [shape=box, style=filled, fillcolor=\"{1}\", label={2}, pos=\"{3},{4}!\"];\n"
          "  end{0} [shape=point, width=0.01, pos=\"{3},{5}!\"];\n"
          "  lane{0} -> end{0} [style=dotted, color=gray60, arrowhead=none];\n",
          lane, topology_.is_replica(id) ? "#dbe9f6" : "#e5f5e0", quoted(topology_.name(id)),
          x_of(lane), y_of(0), y_of(rows_ + 1));
    }
    for (const Node& n : nodes_) {
      out += fmt::format("  {} [{}, pos=\"{},{}!\"];\n", n.name, n.attributes, n.x, y_of(n.row));
    }
    for (const std::string& e : edges_)
      out += e + "\n";
    return out + "}\n";
  }

  struct Node {
    std::string name;
    int x = 0;
    int row = 0;
    std::string attributes;
  };

  const Trace& trace_;
  DiagramOptions options_;
  net::Topology topology_;
  int rows_ = 0;
  std::vector<Node> nodes_;
  std::vector<std::string> edges_;
  std::map<std::uint64_t, SendNode> sends_;
};

}  // namespace

std::string trace_diagram(const Trace& trace, const DiagramOptions& options) {
  return LamportDiagram(trace, options).build();
}

std::string roles_diagram() {
  return roles_dot();
}

void render_diagram(const std::string& dot_text, Layout layout,
                    const std::filesystem::path& output) {
  const std::string format = output.extension().string();
  if (format == ".dot" || format == ".gv") {
    std::ofstream out(output, std::ios::binary);
    out << dot_text;
    out.close();
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", output.string()));
    return;
  }
  if (format != ".svg" && format != ".png" && format != ".pdf") {
    throw std::runtime_error(fmt::format(
        "{}: cannot tell the format; name the file .svg, .png, .pdf or .dot", output.string()));
  }
  // Graphviz reads the text from a file beside the output, kept: it is the diagram's source.
  std::filesystem::path source = output;
  source.replace_extension(".dot");
  render_diagram(dot_text, layout, source);
  const std::string command =
      fmt::format("dot {} -T{} {} -o {}", layout == Layout::pinned ? "-Kneato -n2" : "",
                  format.substr(1), quoted(source.string()), quoted(output.string()));
  if (std::system(command.c_str()) != 0) {
    throw std::runtime_error(
        fmt::format("Graphviz failed: {} (is graphviz installed? ./run installs it)", command));
  }
}

}  // namespace ladder::level3
