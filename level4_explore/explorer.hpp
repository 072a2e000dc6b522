#pragma once
/// \file
/// Level 4's explorer: every interleaving of a pure model, up to a bound.
///
/// A *model* (the concept Model below) is a pure transition system: an initial global state, a
/// function that lists every successor of a state with the event that leads there, an invariant,
/// and a canonical byte encoding. The explorer enumerates every state reachable from the initial
/// one and checks the invariant in each. Because the model is pure, "every interleaving" is a
/// finite graph once the model bounds its own faults, and a violation comes with the shortest
/// path of events that reaches it.
///
/// \code
/// struct Toy {                                     // any type with these members is a Model
///   using State = ...;  using Event = ...;
///   State initial() const;
///   void successors(const State&, std::vector<std::pair<Event, State>>& out) const;  // appends
///   std::optional<std::string> violation(const State&) const;
///   void encode(const State&, std::string& bytes) const;                              // appends
///   std::string describe(const State&) const;   std::string describe(const Event&) const;
///   bool is_fault(const Event&) const;          bool done(const State&) const;
/// };
/// auto result = ladder::level4::explore(Toy{}, {.mode = Mode::bfs, .liveness = true});
/// if (result.violation) print(result.violation->events);                // the shortest path
/// \endcode
///
/// ## The modes
///
/// - **bfs** (default): breadth first, exact deduplication. Every state's encoding is stored in
///   one byte arena, found again through an open-addressing table: sound (no state is ever
///   confused with another) and the first violation found is at the smallest depth.
/// - **fingerprint**: breadth first, but only a 64-bit hash of each state is stored (hash
///   compaction). Less memory per state; two distinct states with the same hash are taken for one,
///   so the search **may miss states** (and the violations behind them). With n states the chance
///   of any collision is about n²/2⁶⁵: 10⁻⁷ at 10⁶ states, but never zero. The output says so.
/// - **dfs**: depth first, exact deduplication. Same states as bfs (a state reached again by a
///   shorter path is explored again, so a depth bound cuts the same states), but the path to a
///   violation is the one the search happened to take, not the shortest. Its stack holds one path,
///   so its frontier memory is the depth, not the width.
///
/// ## What a result proves
///
/// "No violation" means: in every state reachable within the bounds (the model's own, plus
/// max_depth and max_states here), the invariant holds. Nothing beyond the bounds; nothing when
/// Summary::complete() is false in a way that matters to you; with some tiny probability not
/// even that in fingerprint mode.
///
/// ## Liveness (Options::liveness)
///
/// On the reachable graph, from every state a `done` state must be reachable over **non-fault**
/// events (EF done, with faults stopped): the explorer keeps every non-fault edge, then searches
/// backwards from the done states. A state that cannot reach one is a liveness violation,
/// reported with the path to the shallowest such state. States the bounds left unexpanded are
/// given the benefit of the doubt (their successors are unknown), so a bound never produces a
/// false liveness violation, but it can hide a real one.
///
/// A model may also have the optional member `bool cut_by_bounds(const State&) const`: true when
/// its own bounds withheld a non-fault successor of the state (a timer that may not fire because
/// the budget is spent). Liveness gives such states the same benefit of the doubt
/// (HasBoundsCut below).

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ladder::level4 {

/// A pure transition system the explorer can enumerate. Every member is const and pure: the same
/// argument gives the same answer on every call (the explorer calls them again to rebuild paths).
template <class M>
concept Model = std::copyable<typename M::State> && std::copyable<typename M::Event> &&
    requires(const M& m, const typename M::State& s, const typename M::Event& e,
             std::vector<std::pair<typename M::Event, typename M::State>>& out,
             std::string& bytes) {
  /// The global state before anything happened.
  { m.initial() } -> std::same_as<typename M::State>;
  /// Appends every (event, next state) possible from `s`, within the model's own bounds.
  /// An empty list: nothing can happen (a final state, or a deadlock).
  m.successors(s, out);
  /// The invariant: nullopt when `s` is fine, else a message that names the evidence.
  { m.violation(s) } -> std::same_as<std::optional<std::string>>;
  /// Appends `s`'s canonical encoding: equal states, equal bytes; different states, different
  /// bytes. Compact, because bfs stores exactly these bytes for every state.
  m.encode(s, bytes);
  /// Short labels for outputs and diagrams.
  { m.describe(s) } -> std::convertible_to<std::string>;
  { m.describe(e) } -> std::convertible_to<std::string>;
  /// True for events that are faults (drop, duplicate, crash): excluded by the liveness check.
  { m.is_fault(e) } -> std::same_as<bool>;
  /// True when `s` is a state the system should always be able to reach (the work is done).
  { m.done(s) } -> std::same_as<bool>;
};

/// True when model M says which states its own bounds cut (the optional `cut_by_bounds`).
template <class M>
concept HasBoundsCut = requires(const M& m, const typename M::State& s) {
  { m.cut_by_bounds(s) } -> std::same_as<bool>;
};

/// True when model M can rebuild a state from its encoding (the optional
/// `State decode(std::string_view bytes) const`, the inverse of encode). Breadth-first searches
/// then keep the frontier as encodings instead of States: a few hundred bytes per waiting state
/// instead of every State's heap blocks.
template <class M>
concept HasDecode = requires(const M& m, std::string_view bytes) {
  { m.decode(bytes) } -> std::same_as<typename M::State>;
};

/// How to search.
enum class Mode {
  bfs,          ///< breadth first, every state stored exactly (sound; shortest counterexample)
  dfs,          ///< depth first, every state stored exactly (memory: one path)
  fingerprint,  ///< breadth first, a 64-bit hash stored per state (less memory; may miss states)
};

/// "bfs", "dfs", "fingerprint".
const char* to_string(Mode mode);
/// The mode named `text`, or nullopt.
std::optional<Mode> parse_mode(const std::string& text);

/// A snapshot of a running search, for a progress line.
struct Progress {
  std::uint64_t states = 0;       ///< distinct states stored so far
  std::uint64_t transitions = 0;  ///< successors generated so far (each edge once per expansion)
  std::uint32_t depth = 0;        ///< the depth being explored (bfs) or the deepest so far (dfs)
  double seconds = 0;             ///< since the search started
  std::uint64_t store_bytes = 0;  ///< bytes of the state store (arena, table, parents)
  std::uint64_t rss_bytes = 0;    ///< the process's resident memory, 0 when unknown
  /// States per second so far.
  double states_per_second() const {
    return seconds > 0 ? static_cast<double>(states) / seconds : 0;
  }
};

/// One line: "explore: 1,234,567 states, depth 23, 812,000 states/s, 96 MB".
std::string format_progress(const Progress& progress);

/// A progress callback that prints format_progress on stderr, overwriting its line (a carriage
/// return, no newline).
std::function<void(const Progress&)> stderr_progress();

/// How far to search and what to report.
struct Options {
  Mode mode = Mode::bfs;  ///< the search
  /// States at this depth (events from the initial state) are not expanded.
  std::uint32_t max_depth = std::numeric_limits<std::uint32_t>::max();
  /// The search stops once this many distinct states are stored. At most 2³² − 2.
  std::uint64_t max_states = 100'000'000;
  /// Stop at the first violating state (else: count them all, report the first).
  bool stop_at_first_violation = true;
  /// Also check liveness (EF done over non-fault events); keeps 8 bytes per non-fault edge.
  bool liveness = false;
  /// Called at most every progress_interval while the search runs (and not at all when empty).
  std::function<void(const Progress&)> progress{};
  /// The least time between two progress calls.
  std::chrono::milliseconds progress_interval{1000};
};

/// The model-independent figures of a search.
struct Summary {
  Mode mode = Mode::bfs;               ///< how it searched
  std::uint64_t states = 0;            ///< distinct states stored (reached)
  std::uint64_t transitions = 0;       ///< successors generated, stored or not
  std::uint32_t max_depth = 0;         ///< the deepest state reached
  bool depth_bound_hit = false;        ///< some state at max_depth had successors left unexplored
  bool state_bound_hit = false;        ///< max_states stopped the search
  bool stopped_at_violation = false;   ///< stop_at_first_violation ended the search early
  std::uint64_t violating_states = 0;  ///< states whose invariant failed (not expanded further)
  bool liveness_checked = false;       ///< the liveness check ran (on the whole search)
  std::uint64_t liveness_violating_states = 0;  ///< states that cannot reach done without faults
  double seconds = 0;                           ///< wall time of the search (and liveness)
  std::uint64_t store_bytes = 0;  ///< bytes the state store held at the end (arena, table, parents)
  std::uint64_t edge_bytes = 0;   ///< bytes of the edges kept for liveness
  std::uint64_t encoded_bytes = 0;  ///< total length of the states' encodings (exact modes)

  /// True when neither bound of Options cut the search (the model's own bounds always apply).
  bool complete() const { return !depth_bound_hit && !state_bound_hit && !stopped_at_violation; }
  /// States per second over the whole search.
  double states_per_second() const {
    return seconds > 0 ? static_cast<double>(states) / seconds : 0;
  }
  /// Store bytes per stored state (the figure the benchmark reports).
  double bytes_per_state() const {
    return states > 0 ? static_cast<double>(store_bytes) / static_cast<double>(states) : 0;
  }
};

/// Several lines for a terminal: states, transitions, depth, states/s, bytes/state, time, bounds
/// cut or not, and in fingerprint mode the warning that states may have been missed.
std::string format_summary(const Summary& summary);

/// What kind of property failed.
enum class ViolationKind {
  safety,    ///< the model's violation() returned a message in some state
  liveness,  ///< from some state, no done state is reachable without faults
};

/// A property that failed, with the path that shows it.
template <class M>
struct Violation {
  ViolationKind kind = ViolationKind::safety;  ///< which property
  std::string message;                         ///< violation()'s message, or the liveness check's
  /// The events from the initial state to the violating state, in order. Shortest possible in
  /// bfs and fingerprint mode (for liveness: a shortest path to the shallowest bad state).
  std::vector<typename M::Event> events;
  /// states[0] is the initial state, states[i + 1] the state after events[i]; states.back()
  /// violates.
  std::vector<typename M::State> states;
};

/// Everything a search found.
template <class M>
struct Result {
  Summary summary;                        ///< the figures
  std::optional<Violation<M>> violation;  ///< the first safety violation, else nullopt
  std::optional<Violation<M>> liveness;   ///< the first liveness violation, else nullopt
  /// True when no property failed (within the bounds: read summary.complete()).
  bool holds() const { return !violation && !liveness; }
};

/// Explores `model` from its initial state as `options` says.
template <Model M>
Result<M> explore(const M& model, const Options& options = {});

/// A small reachable graph, for drawing (`ladder diagram states`).
struct StateGraph {
  /// One edge: the event from state `from` to state `to`.
  struct Edge {
    std::uint32_t from = 0;  ///< index into states
    std::uint32_t to = 0;    ///< index into states
    std::string label;       ///< describe(event)
    bool fault = false;      ///< is_fault(event)
  };
  /// One state.
  struct Node {
    std::string label;                     ///< describe(state)
    std::optional<std::string> violation;  ///< violation(state)
    bool done = false;                     ///< done(state)
    std::uint32_t depth = 0;               ///< its distance from the initial state
  };
  std::vector<Node> states;  ///< states[0] is the initial state; breadth-first order
  std::vector<Edge> edges;   ///< every transition between stored states (violating ones: none out)
  /// The states along the shortest path to the first violating state (0 first), or empty.
  std::vector<std::uint32_t> counterexample;
  bool complete = true;  ///< false when max_states or max_depth stopped it: the graph is partial
};

/// The reachable graph of `model` breadth first, up to `max_states` states (complete = false
/// when there are more) and `max_depth`. Violating states are kept but not expanded. Meant for
/// small graphs: it keeps labels and edges in memory.
template <Model M>
StateGraph state_graph(const M& model, std::uint64_t max_states,
                       std::uint32_t max_depth = std::numeric_limits<std::uint32_t>::max());

}  // namespace ladder::level4

#include "level4_explore/detail/explorer_impl.hpp"  // IWYU pragma: export
