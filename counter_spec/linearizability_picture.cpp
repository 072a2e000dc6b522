// The history picture: lanes, bars, numbers, and the blocking call in red.

#include "counter_spec/linearizability_picture.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace ladder::spec {
namespace {

constexpr double kLaneHeight = 34;
constexpr double kBarHeight = 18;
constexpr double kLeft = 60;  // room for the lane names
constexpr double kTop = 30;   // room for the time axis
constexpr double kMinWidth = 800;
constexpr double kPixelsPerCall = 24;  // so that a long history stays legible when scrolled

std::string escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string linearizability_html(const std::vector<Call>& calls,
                                 const LinearizabilityResult& result,
                                 const std::string& model_name) {
  Time first = 0;
  Time last = 1;
  if (!calls.empty()) {
    first = calls.front().invoked;
    last = first + 1;
    for (const Call& call : calls) {
      first = std::min(first, call.invoked);
      last = std::max(last, call.returned.value_or(call.invoked));
    }
  }
  // Lanes in client order; unknown calls run to a margin past the last time.
  std::map<ClientId, std::size_t> lane;
  for (const Call& call : calls)
    lane.emplace(call.client, 0);
  std::size_t next_lane = 0;
  for (auto& [client, number] : lane)
    number = next_lane++;
  std::map<std::size_t, std::size_t> position;  // call -> 1-based place in the order
  for (std::size_t i = 0; i < result.order.size(); ++i)
    position[result.order[i]] = i + 1;

  const double plot_width =
      std::max(kMinWidth, kPixelsPerCall * static_cast<double>(calls.size()) / 2);
  const double span = static_cast<double>(last - first);
  const auto x_of = [&](Time t) {
    return kLeft + plot_width * static_cast<double>(t - first) / span;
  };
  const double right_edge = kLeft + plot_width + 30;
  const double width = right_edge + 20;
  const double height = kTop + kLaneHeight * static_cast<double>(lane.size()) + 10;

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" "
      "font-family=\"monospace\" font-size=\"11\">\n",
      width, height);
  svg += fmt::format(
      "<text x=\"{:.1f}\" y=\"14\">{} ms</text><text x=\"{:.1f}\" y=\"14\" "
      "text-anchor=\"end\">{} ms</text>\n",
      kLeft, first, kLeft + plot_width, last);
  for (const auto& [client, number] : lane) {
    const double y = kTop + kLaneHeight * static_cast<double>(number);
    svg += fmt::format("<text x=\"4\" y=\"{:.1f}\">c{}</text>\n", y + kBarHeight - 5, client);
    svg += fmt::format(
        "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" "
        "stroke=\"#ddd\"/>\n",
        kLeft, right_edge, y + kBarHeight / 2, y + kBarHeight / 2);
  }
  for (const Call& call : calls) {
    const double y = kTop + kLaneHeight * static_cast<double>(lane.at(call.client));
    const double x0 = x_of(call.invoked);
    const double x1 = call.returned ? std::max(x_of(*call.returned), x0 + 3) : right_edge;
    const bool blocking = result.blocking == call.index;
    const auto placed = position.find(call.index);
    const char* fill = blocking ? "#e53935" : placed != position.end() ? "#90caf9" : "#eeeeee";
    svg += fmt::format(
        "<g><title>{}</title><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.0f}\" "
        "rx=\"3\" fill=\"{}\" stroke=\"#333\"{}/>",
        escape(call.describe()), x0, y, x1 - x0, kBarHeight, fill,
        call.returned ? "" : " stroke-dasharray=\"4 3\"");
    std::string label = placed != position.end() ? fmt::format("{}", placed->second) : "";
    if (blocking) label = "cannot be placed";
    if (!label.empty()) {
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>", x0 + 3, y + kBarHeight - 5,
                         label);
    }
    svg += "</g>\n";
  }
  svg += "</svg>\n";

  const std::string verdict = escape(explain(result, calls));
  return fmt::format(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>linearizability: {}</title>"
      "<style>body{{font-family:sans-serif;margin:1em}} .bad{{color:#c62828}} "
      ".scroll{{overflow-x:auto;border:1px solid #ccc}}</style></head><body>\n"
      "<h1>{} history, {} calls: {}</h1>\n<p class=\"{}\">{}</p>\n"
      "<p>Each bar runs from a call's invoke to its return (dashed: unknown outcome, it may take "
      "effect at any time after its invoke, or never). Numbers give the {}; hover a bar for the "
      "call.</p>\n<div class=\"scroll\">{}</div>\n</body></html>\n",
      model_name, model_name, calls.size(),
      result.linearizable ? "linearizable" : "not linearizable", result.linearizable ? "ok" : "bad",
      verdict,
      result.linearizable ? "linearization"
                          : "longest partial linearization; red: the call that "
                            "cannot be placed after it",
      svg);
}

}  // namespace ladder::spec
