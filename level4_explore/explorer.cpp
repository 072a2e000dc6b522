/// \file
/// The explorer's model-independent parts: names, progress and summary lines, the backward search
/// of the liveness check.

#include "level4_explore/explorer.hpp"

#include <deque>
#include <iostream>

#include <fmt/format.h>

namespace ladder::level4 {

const char* to_string(Mode mode) {
  switch (mode) {
    case Mode::bfs:
      return "bfs";
    case Mode::dfs:
      return "dfs";
    case Mode::fingerprint:
      return "fingerprint";
  }
  return "?";
}

std::optional<Mode> parse_mode(const std::string& text) {
  for (const Mode mode : {Mode::bfs, Mode::dfs, Mode::fingerprint}) {
    if (text == to_string(mode)) return mode;
  }
  return std::nullopt;
}

namespace {

// 1234567 -> "1,234,567": state counts are read by people.
std::string grouped(std::uint64_t number) {
  std::string digits = std::to_string(number);
  for (auto at = static_cast<std::ptrdiff_t>(digits.size()) - 3; at > 0; at -= 3) {
    digits.insert(static_cast<std::size_t>(at), 1, ',');
  }
  return digits;
}

std::string megabytes(std::uint64_t bytes) {
  return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
}

}  // namespace

std::string format_progress(const Progress& progress) {
  return fmt::format("explore: {} states, {} transitions, depth {}, {} states/s, store {}, rss {}",
                     grouped(progress.states), grouped(progress.transitions), progress.depth,
                     grouped(static_cast<std::uint64_t>(progress.states_per_second())),
                     megabytes(progress.store_bytes), megabytes(progress.rss_bytes));
}

std::function<void(const Progress&)> stderr_progress() {
  return [](const Progress& progress) {
    std::cerr << '\r' << format_progress(progress) << std::flush;
  };
}

std::string format_summary(const Summary& summary) {
  std::string text;
  text += fmt::format("mode          {}\n", to_string(summary.mode));
  text += fmt::format("states        {}\n", grouped(summary.states));
  text += fmt::format("transitions   {}\n", grouped(summary.transitions));
  text += fmt::format("depth         {}\n", summary.max_depth);
  text += fmt::format("states/s      {}\n",
                      grouped(static_cast<std::uint64_t>(summary.states_per_second())));
  text += fmt::format("bytes/state   {:.1f} (store {}", summary.bytes_per_state(),
                      megabytes(summary.store_bytes));
  if (summary.encoded_bytes > 0) {
    text += fmt::format(", encodings {:.1f} bytes/state",
                        static_cast<double>(summary.encoded_bytes) /
                            static_cast<double>(std::max<std::uint64_t>(summary.states, 1)));
  }
  if (summary.edge_bytes > 0)
    text += fmt::format(", liveness edges {}", megabytes(summary.edge_bytes));
  text += ")\n";
  text += fmt::format("time          {:.2f} s\n", summary.seconds);
  std::string bounds;
  if (summary.depth_bound_hit) bounds += "max-depth cut the search; ";
  if (summary.state_bound_hit) bounds += "max-states cut the search; ";
  if (summary.stopped_at_violation) bounds += "stopped at the first violation; ";
  if (bounds.empty()) bounds = "complete within the model's bounds; ";
  bounds.resize(bounds.size() - 2);
  text += fmt::format("search        {}\n", bounds);
  if (summary.mode == Mode::fingerprint) {
    text +=
        "warning       fingerprint mode stores a 64-bit hash per state: two states with equal "
        "hashes count as one, so states (and violations) may have been missed\n";
  }
  if (summary.liveness_checked) {
    text += fmt::format("liveness      {} states cannot reach done without faults\n",
                        grouped(summary.liveness_violating_states));
  }
  return text;
}

namespace detail {

std::vector<bool> reach_backwards(std::uint64_t states, const std::vector<Edge>& edges,
                                  std::vector<bool> good) {
  assert(good.size() == states);
  // Reverse adjacency in compressed rows: sources_[first_[v] .. first_[v + 1]) reach v.
  std::vector<std::uint32_t> first(states + 1, 0);
  for (const Edge& edge : edges)
    ++first[edge.to + 1];
  for (std::uint64_t v = 0; v < states; ++v)
    first[v + 1] += first[v];
  std::vector<std::uint32_t> sources(edges.size());
  std::vector<std::uint32_t> fill(first.begin(), first.end() - 1);
  for (const Edge& edge : edges)
    sources[fill[edge.to]++] = edge.from;
  std::deque<std::uint32_t> queue;
  for (std::uint64_t v = 0; v < states; ++v) {
    if (good[v]) queue.push_back(static_cast<std::uint32_t>(v));
  }
  while (!queue.empty()) {
    const std::uint32_t v = queue.front();
    queue.pop_front();
    for (std::uint32_t at = first[v]; at < first[v + 1]; ++at) {
      if (good[sources[at]]) continue;
      good[sources[at]] = true;
      queue.push_back(sources[at]);
    }
  }
  return good;
}

}  // namespace detail

}  // namespace ladder::level4
