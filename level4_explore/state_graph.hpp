#pragma once
/// \file
/// The reachable state graph of a tiny configuration as a Graphviz picture (`ladder diagram
/// states`): one box per global state, labelled compactly, one arrow per event, violating states
/// red, states where the work is done doubly framed, faults dashed, and the shortest path to the
/// first violation bold.
///
/// Only tiny graphs are worth drawing: past a few hundred states the picture is a grey blur.
/// drawable_state_graph() refuses those with GraphTooLarge, and the caller suggests a smaller
/// bound.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "level4_explore/explorer.hpp"

namespace ladder::level4 {

/// The most states `ladder diagram states` draws by default.
inline constexpr std::uint64_t kMaxDrawnStates = 300;

/// The reachable graph has more states than the limit: too large to draw.
class GraphTooLarge : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Graphviz text (`dot`) for `graph`, titled `title`. States are named s0, s1, ... in the
/// graph's breadth-first order; a state's label is its describe() with " | " turned into line
/// breaks. Violating states are red with their message as a tooltip, done states have a double
/// frame, fault edges are dashed, and the counterexample's states and edges are bold
/// (penwidth 2.5). The same graph gives the same text, byte for byte.
std::string state_graph_dot(const StateGraph& graph, std::string_view title);

/// "more than 300 states" message for a graph of `what` cut at `limit` states.
std::string too_large_message(std::string_view what, std::uint64_t limit);

/// The whole reachable graph of `model`, or GraphTooLarge (too_large_message(what, limit)) when
/// it has more than `limit` states.
template <Model M>
StateGraph drawable_state_graph(const M& model, std::string_view what,
                                std::uint64_t limit = kMaxDrawnStates) {
  StateGraph graph = state_graph(model, limit);
  if (!graph.complete) throw GraphTooLarge(too_large_message(what, limit));
  return graph;
}

/// A bound a refusal may lower to find a configuration that fits: its command-line flag, where
/// its value lives, its least value and the step between valid values (level 3's replicas are
/// odd: step 2).
struct Bound {
  std::string flag;  ///< "--max-drops"
  int* value;        ///< the value, changed in place while searching (and restored)
  int least;         ///< never lowered below this
  int step;          ///< lowered by this much at a time
};

/// "--max-drops 1 --adds 2": each bound's flag and current value, in order.
std::string bound_flags(const std::vector<Bound>& bounds);

/// A smaller configuration whose reachable graph has at most `max_states` states, as its flags
/// (bound_flags), or nullopt when none is found. Greedy, in the order of `bounds`: the first
/// single bound one step lower that fits; if none does, the first bound that can be lowered is
/// lowered for good and the search goes on. `make()` builds the model from the bounds' current
/// values; a std::invalid_argument from it counts as "does not fit". Every value is restored
/// before returning.
template <class MakeModel>
std::optional<std::string> suggest_smaller(const std::vector<Bound>& bounds, const MakeModel& make,
                                           std::uint64_t max_states) {
  const auto fits = [&] {
    try {
      return state_graph(make(), max_states).complete;
    } catch (const std::invalid_argument&) {
      return false;
    }
  };
  std::vector<int> saved;
  for (const Bound& bound : bounds)
    saved.push_back(*bound.value);
  std::optional<std::string> found;
  for (int round = 0; round < 1000 && !found; ++round) {
    const Bound* first_lowerable = nullptr;
    for (const Bound& bound : bounds) {
      if (*bound.value - bound.step < bound.least) continue;
      if (first_lowerable == nullptr) first_lowerable = &bound;
      *bound.value -= bound.step;
      if (fits()) {
        found = bound_flags(bounds);
        break;
      }
      *bound.value += bound.step;
    }
    if (first_lowerable == nullptr) break;
    if (!found) *first_lowerable->value -= first_lowerable->step;
  }
  for (std::size_t i = 0; i < bounds.size(); ++i)
    *bounds[i].value = saved[i];
  return found;
}

}  // namespace ladder::level4
