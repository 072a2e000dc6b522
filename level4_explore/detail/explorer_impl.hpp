#pragma once
/// \file
/// The explorer's templates (included by explorer.hpp; not a public header).
///
/// One Search object per call of explore(): it owns the store, the parent of every state (to
/// rebuild paths), the non-fault edges (for liveness) and the bits it needs per state. The hot
/// loop reuses one successor vector and one byte buffer, so the only allocations per state are
/// the model's own (copying a State) and the store's amortised growth.

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "level4_explore/detail/state_store.hpp"

namespace ladder::level4 {

namespace detail {

/// A non-fault edge kept for the liveness check.
struct Edge {
  std::uint32_t from = 0;  ///< its source state
  std::uint32_t to = 0;    ///< its target state
};

/// The states from which a "good" state is reachable backwards over `edges`: a backward
/// breadth-first search seeded with every state whose `good` bit is set. Returns the bits.
std::vector<bool> reach_backwards(std::uint64_t states, const std::vector<Edge>& edges,
                                  std::vector<bool> good);

/// One search over model M, storing states in Store.
template <class M, class Store>
class Search {
 public:
  using State = typename M::State;
  using Event = typename M::Event;

  Search(const M& model, const Options& options)
      : model_(model), options_(options), record_edges_(options.liveness) {
    result_.summary.mode = options.mode;
  }

  Result<M> run() {
    started_ = std::chrono::steady_clock::now();
    last_progress_ = started_;
    State initial = model_.initial();
    bytes_.clear();
    model_.encode(initial, bytes_);
    const auto [index, fresh] = store_.insert(bytes_);
    assert(index == 0 && fresh);
    (void)fresh;
    note_new_state(index, index, 0, initial);
    const bool initial_ok = !is_violating(index);
    if (initial_ok) {
      if (options_.mode == Mode::dfs) {
        run_dfs(std::move(initial));
      } else {
        run_bfs(std::move(initial));
      }
    }
    if (options_.liveness && !result_.violation) check_liveness();
    finish();
    return std::move(result_);
  }

 private:
  bool is_violating(std::uint32_t index) const { return violating_[index]; }

  // Bookkeeping for a state seen for the first time: its parent, depth, done bit and invariant.
  void note_new_state(std::uint32_t index, std::uint32_t parent, std::uint32_t depth,
                      const State& state) {
    assert(index == parents_.size());
    parents_.push_back(parent);
    if (options_.mode == Mode::dfs) depths_.push_back(depth);
    expanded_.push_back(false);
    done_.push_back(options_.liveness && (model_.done(state) || cut_by_bounds(state)));
    result_.summary.max_depth = std::max(result_.summary.max_depth, depth);
    std::optional<std::string> message = model_.violation(state);
    violating_.push_back(message.has_value());
    if (message) {
      ++result_.summary.violating_states;
      if (!result_.violation)
        result_.violation = violation_at(index, ViolationKind::safety, *message);
      if (options_.stop_at_first_violation) result_.summary.stopped_at_violation = true;
    }
    if ((index & 1023U) == 0) tick(depth);
  }

  // Liveness trusts a state whose successors the model's own bounds withheld, as it trusts one
  // that max_depth left unexpanded: what lies beyond a bound is unknown.
  bool cut_by_bounds(const State& state) const {
    if constexpr (HasBoundsCut<M>) {
      return model_.cut_by_bounds(state);
    } else {
      (void)state;
      return false;
    }
  }

  bool should_stop() const {
    return result_.summary.stopped_at_violation || result_.summary.state_bound_hit;
  }

  // Expands `state` (stored as `index`, at `depth`): every successor is stored (if new) and,
  // when new and not violating, handed to `visit(index, state)`. Returns false when the search
  // must stop. The state counts as expanded only if every successor was looked at.
  template <class Visit>
  bool expand(const State& state, std::uint32_t index, std::uint32_t depth, Visit&& visit) {
    out_.clear();
    model_.successors(state, out_);
    result_.summary.transitions += out_.size();
    for (auto& [event, next] : out_) {
      if (!look_at(index, depth + 1, event, next, visit)) return false;
    }
    expanded_[index] = true;
    return true;
  }

  template <class Visit>
  bool look_at(std::uint32_t parent, std::uint32_t depth, const Event& event, State& next,
               Visit& visit) {
    bytes_.clear();
    model_.encode(next, bytes_);
    if (store_.size() >= options_.max_states && !store_.find(bytes_)) {
      result_.summary.state_bound_hit = true;
      return false;
    }
    const auto [child, fresh] = store_.insert(bytes_);
    if (record_edges_ && !model_.is_fault(event)) edges_.push_back({parent, child});
    if (fresh) {
      note_new_state(child, parent, depth, next);
      if (should_stop()) return false;
      if (!is_violating(child)) visit(child, next, true);
    } else if (options_.mode == Mode::dfs && depth < depths_[child]) {
      // Reached again by a shorter path: explore it again, so that a depth bound cuts the same
      // states as in breadth-first order.
      depths_[child] = depth;
      parents_[child] = parent;
      if (!is_violating(child)) visit(child, next, false);
    }
    return true;
  }

  void run_bfs(State initial) {
    if constexpr (HasDecode<M>) {
      run_bfs_encoded();
    } else {
      run_bfs_states(std::move(initial));
    }
  }

  // Breadth first with the frontier as States: for models that cannot decode.
  void run_bfs_states(State initial) {
    std::vector<State> frontier;
    std::vector<std::uint32_t> frontier_index;
    std::vector<State> next;
    std::vector<std::uint32_t> next_index;
    frontier.push_back(std::move(initial));
    frontier_index.push_back(0);
    auto visit = [&](std::uint32_t child, State& state, bool) {
      next.push_back(std::move(state));
      next_index.push_back(child);
    };
    for (std::uint32_t depth = 0; !frontier.empty(); ++depth) {
      if (depth >= options_.max_depth) {
        note_depth_bound(frontier.size(),
                         [&](std::size_t i) -> const State& { return frontier[i]; });
        return;
      }
      for (std::size_t i = 0; i < frontier.size(); ++i) {
        if (!expand(frontier[i], frontier_index[i], depth, visit)) return;
      }
      frontier.swap(next);
      frontier_index.swap(next_index);
      next.clear();
      next_index.clear();
    }
  }

  // Breadth first with the frontier as encodings, decoded one at a time: the exact store
  // already holds them (by index); in fingerprint mode they wait in a byte arena per level.
  void run_bfs_encoded() {
    constexpr bool exact = std::is_same_v<Store, ExactStore>;
    std::vector<std::uint32_t> frontier{0};
    std::vector<std::uint32_t> next;
    std::string arena;  // fingerprint mode: the frontier's encodings back to back
    std::vector<std::size_t> offsets{0};
    std::string next_arena;
    std::vector<std::size_t> next_offsets{0};
    if constexpr (!exact) {
      bytes_.clear();
      model_.encode(model_.initial(), bytes_);
      arena = bytes_;
      offsets.push_back(arena.size());
    }
    auto encoding = [&](std::size_t i) -> std::string_view {
      if constexpr (exact) {
        return store_.bytes(frontier[i]);
      } else {
        return std::string_view(arena).substr(offsets[i], offsets[i + 1] - offsets[i]);
      }
    };
    auto visit = [&](std::uint32_t child, State&, bool) {
      next.push_back(child);
      if constexpr (!exact) {
        next_arena += bytes_;  // look_at encoded the child into bytes_ just before
        next_offsets.push_back(next_arena.size());
      }
    };
    for (std::uint32_t depth = 0; !frontier.empty(); ++depth) {
      if (depth >= options_.max_depth) {
        note_depth_bound(frontier.size(),
                         [&](std::size_t i) { return model_.decode(encoding(i)); });
        return;
      }
      for (std::size_t i = 0; i < frontier.size(); ++i) {
        const State state = model_.decode(encoding(i));
        if (!expand(state, frontier[i], depth, visit)) return;
      }
      frontier.swap(next);
      next.clear();
      arena.swap(next_arena);
      offsets.swap(next_offsets);
      next_arena.clear();
      next_offsets.assign(1, 0);
    }
  }

  // The states at max_depth are not expanded; the bound cut something if any has a successor.
  template <class StateAt>
  void note_depth_bound(std::size_t count, StateAt state_at) {
    for (std::size_t i = 0; i < count; ++i) {
      out_.clear();
      model_.successors(state_at(i), out_);
      if (!out_.empty()) {
        result_.summary.depth_bound_hit = true;
        return;
      }
    }
  }

  struct Frame {
    State state;
    std::uint32_t index = 0;
    std::uint32_t depth = 0;
    std::vector<std::pair<Event, State>> successors;
    std::size_t next = 0;
  };

  void run_dfs(State initial) {
    std::vector<Frame> stack(1);
    std::size_t top = 0;
    auto push = [&](std::uint32_t index, State& state, std::uint32_t depth) {
      if (top == stack.size()) stack.emplace_back();
      Frame& frame = stack[top];
      frame.state = std::move(state);
      frame.index = index;
      frame.depth = depth;
      frame.successors.clear();
      model_.successors(frame.state, frame.successors);
      frame.next = 0;
      if (depth >= options_.max_depth) {
        if (!frame.successors.empty()) result_.summary.depth_bound_hit = true;
        return;
      }
      result_.summary.transitions += frame.successors.size();
      ++top;
    };
    push(0, initial, 0);
    while (top > 0) {
      Frame& frame = stack[top - 1];
      if (frame.next == frame.successors.size()) {
        expanded_[frame.index] = true;
        --top;
        continue;
      }
      auto& [event, next] = frame.successors[frame.next++];
      const std::uint32_t parent = frame.index;
      const std::uint32_t depth = frame.depth + 1;
      std::optional<std::pair<std::uint32_t, State>> to_push;
      auto visit = [&](std::uint32_t child, State& state, bool) {
        to_push.emplace(child, std::move(state));
      };
      // A state explored again (reached by a shorter path) has its edges recorded already.
      record_edges_ = options_.liveness && !expanded_[parent];
      if (!look_at(parent, depth, event, next, visit)) return;
      if (to_push) push(to_push->first, to_push->second, depth);
    }
  }

  Violation<M> violation_at(std::uint32_t index, ViolationKind kind, std::string message) const {
    Violation<M> violation;
    violation.kind = kind;
    violation.message = std::move(message);
    std::vector<std::uint32_t> chain{index};
    while (chain.back() != 0)
      chain.push_back(parents_[chain.back()]);
    std::reverse(chain.begin(), chain.end());
    violation.states.push_back(model_.initial());
    std::vector<std::pair<Event, State>> out;
    std::string bytes;
    for (std::size_t i = 1; i < chain.size(); ++i) {
      out.clear();
      model_.successors(violation.states.back(), out);
      bool found = false;
      for (auto& [event, next] : out) {
        bytes.clear();
        model_.encode(next, bytes);
        if (store_.find(bytes) == chain[i]) {
          violation.events.push_back(event);
          violation.states.push_back(std::move(next));
          found = true;
          break;
        }
      }
      assert(found && "the model is not pure: a stored edge is gone");
      (void)found;
    }
    return violation;
  }

  void check_liveness() {
    const std::uint64_t states = store_.size();
    std::vector<bool> good(states);
    for (std::uint64_t i = 0; i < states; ++i)
      good[i] = done_[i] || !expanded_[i];
    good = reach_backwards(states, edges_, std::move(good));
    result_.summary.liveness_checked = true;
    std::optional<std::uint32_t> first;
    for (std::uint64_t i = 0; i < states; ++i) {
      if (good[i]) continue;
      ++result_.summary.liveness_violating_states;
      if (!first) first = static_cast<std::uint32_t>(i);
    }
    if (!first) return;
    result_.liveness =
        violation_at(*first, ViolationKind::liveness,
                     "liveness: from this state no done state can be reached without faults (" +
                         std::to_string(result_.summary.liveness_violating_states) +
                         " reachable states are like it)");
  }

  void tick(std::uint32_t depth) {
    if (!options_.progress) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_progress_ < options_.progress_interval) return;
    last_progress_ = now;
    Progress progress;
    progress.states = store_.size();
    progress.transitions = result_.summary.transitions;
    progress.depth = depth;
    progress.seconds = std::chrono::duration<double>(now - started_).count();
    progress.store_bytes = store_bytes();
    progress.rss_bytes = resident_bytes();
    options_.progress(progress);
  }

  std::uint64_t store_bytes() const {
    return store_.memory_bytes() + parents_.capacity() * sizeof(std::uint32_t) +
           depths_.capacity() * sizeof(std::uint32_t) + expanded_.capacity() / 8 +
           done_.capacity() / 8 + violating_.capacity() / 8;
  }

  void finish() {
    Summary& summary = result_.summary;
    summary.states = store_.size();
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    summary.store_bytes = store_bytes();
    summary.edge_bytes = edges_.capacity() * sizeof(Edge);
    summary.encoded_bytes = store_.encoded_bytes();
  }

  const M& model_;
  Options options_;
  bool record_edges_ = false;  // keep non-fault edges now (liveness, and not a re-expansion)
  Store store_;
  Result<M> result_;
  std::vector<std::uint32_t> parents_;
  std::vector<std::uint32_t> depths_;  // dfs only: the shortest depth each state was reached at
  std::vector<bool> expanded_;         // every successor was looked at
  std::vector<bool> done_;             // Model::done or cut_by_bounds (liveness only)
  std::vector<bool> violating_;        // Model::violation returned a message
  std::vector<Edge> edges_;            // non-fault edges (liveness only)
  std::vector<std::pair<Event, State>> out_;
  std::string bytes_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_progress_;
};

}  // namespace detail

template <Model M>
Result<M> explore(const M& model, const Options& options) {
  assert(options.max_states >= 1);
  Options bounded = options;
  bounded.max_states = std::min(options.max_states, detail::kMaxStoredStates);
  if (options.mode == Mode::fingerprint) {
    return detail::Search<M, detail::FingerprintStore>(model, bounded).run();
  }
  return detail::Search<M, detail::ExactStore>(model, bounded).run();
}

template <Model M>
StateGraph state_graph(const M& model, std::uint64_t max_states, std::uint32_t max_depth) {
  assert(max_states >= 1);
  StateGraph graph;
  detail::ExactStore store;
  std::vector<std::uint32_t> parents;
  std::vector<std::optional<typename M::State>> queue;  // queue[i]: state i until expanded
  std::vector<std::pair<typename M::Event, typename M::State>> out;
  std::string bytes;
  auto add = [&](typename M::State state, std::uint32_t parent,
                 std::uint32_t depth) -> std::optional<std::uint32_t> {
    bytes.clear();
    model.encode(state, bytes);
    if (auto known = store.find(bytes)) return known;
    if (store.size() >= max_states) {
      graph.complete = false;
      return std::nullopt;
    }
    const std::uint32_t index = store.insert(bytes).first;
    parents.push_back(index == 0 ? 0 : parent);
    StateGraph::Node node;
    node.label = model.describe(state);
    node.violation = model.violation(state);
    node.done = model.done(state);
    node.depth = depth;
    if (node.violation && graph.counterexample.empty()) {
      for (std::uint32_t at = index;; at = parents[at]) {
        graph.counterexample.push_back(at);
        if (at == 0) break;
      }
      std::reverse(graph.counterexample.begin(), graph.counterexample.end());
    }
    graph.states.push_back(std::move(node));
    queue.emplace_back(std::move(state));
    return index;
  };
  add(model.initial(), 0, 0);
  for (std::uint32_t at = 0; at < graph.states.size(); ++at) {
    if (graph.states[at].violation) continue;
    if (graph.states[at].depth >= max_depth) {
      out.clear();
      model.successors(*queue[at], out);
      if (!out.empty()) graph.complete = false;
      continue;
    }
    out.clear();
    model.successors(*queue[at], out);
    queue[at].reset();  // only the frontier is needed
    for (auto& [event, next] : out) {
      const auto target = add(std::move(next), at, graph.states[at].depth + 1);
      if (!target) continue;
      graph.edges.push_back({at, *target, model.describe(event), model.is_fault(event)});
    }
  }
  return graph;
}

}  // namespace ladder::level4
