// The explorer on toy models whose state spaces are known by hand: exact counts, shortest paths,
// the three modes agreeing, depth bounds, and the liveness check finding a deadlock.

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "level4_explore/explorer.hpp"

namespace {

using ladder::level4::explore;
using ladder::level4::Mode;
using ladder::level4::Options;

// Two counters x and y, each incremented up to `limit`: (limit + 1)² states, 2·limit·(limit + 1)
// transitions, the farthest state 2·limit events away. Optionally (x, y) == bad violates.
struct Grid {
  struct State {
    int x = 0;
    int y = 0;
    friend bool operator==(const State&, const State&) = default;
  };
  enum class Event { inc_x, inc_y };

  int limit = 3;
  std::optional<std::pair<int, int>> bad;

  State initial() const { return {}; }
  void successors(const State& s, std::vector<std::pair<Event, State>>& out) const {
    if (s.x < limit) out.push_back({Event::inc_x, {s.x + 1, s.y}});
    if (s.y < limit) out.push_back({Event::inc_y, {s.x, s.y + 1}});
  }
  std::optional<std::string> violation(const State& s) const {
    if (bad && s.x == bad->first && s.y == bad->second) return "reached the bad corner";
    return std::nullopt;
  }
  void encode(const State& s, std::string& bytes) const {
    bytes.push_back(static_cast<char>(s.x));
    bytes.push_back(static_cast<char>(s.y));
  }
  // With decode, breadth-first searches keep their frontier as bytes (Locks below has none).
  State decode(std::string_view bytes) const { return {bytes[0], bytes[1]}; }
  std::string describe(const State& s) const {
    return std::to_string(s.x) + "," + std::to_string(s.y);
  }
  std::string describe(const Event& e) const { return e == Event::inc_x ? "x++" : "y++"; }
  bool is_fault(const Event&) const { return false; }
  bool done(const State& s) const { return s.x == limit && s.y == limit; }
};

static_assert(ladder::level4::Model<Grid>);
static_assert(ladder::level4::HasDecode<Grid>);

TEST_CASE("bfs counts every state of a grid exactly once", "[explorer]") {
  const Grid grid{.limit = 3, .bad = std::nullopt};
  const auto result = explore(grid);
  CHECK(result.holds());
  CHECK(result.summary.states == 16);
  CHECK(result.summary.transitions == 24);
  CHECK(result.summary.max_depth == 6);
  CHECK(result.summary.complete());
  CHECK(result.summary.encoded_bytes == 32);
  CHECK(result.summary.bytes_per_state() > 2.0);
}

TEST_CASE("the three modes find the same states", "[explorer]") {
  const Grid grid{.limit = 40, .bad = std::nullopt};
  for (const Mode mode : {Mode::bfs, Mode::dfs, Mode::fingerprint}) {
    INFO(ladder::level4::to_string(mode));
    const auto result = explore(grid, {.mode = mode});
    CHECK(result.summary.states == 41 * 41);
    CHECK(result.summary.max_depth == 80);
    CHECK(result.holds());
  }
  // Fingerprints store less than the exact arena and its table.
  const auto exact = explore(grid, {.mode = Mode::bfs});
  const auto fingerprints = explore(grid, {.mode = Mode::fingerprint});
  CHECK(fingerprints.summary.store_bytes < exact.summary.store_bytes);
}

TEST_CASE("a depth bound cuts the same states in bfs and dfs", "[explorer]") {
  // Within 3 events of (0,0): the 10 states with x + y <= 3. dfs reaches (1,1) first at depth 2
  // along x++, y++ too, but it must also count states reached late by a longer path again.
  const Grid grid{.limit = 5, .bad = std::nullopt};
  for (const Mode mode : {Mode::bfs, Mode::dfs, Mode::fingerprint}) {
    INFO(ladder::level4::to_string(mode));
    const auto result = explore(grid, {.mode = mode, .max_depth = 3});
    CHECK(result.summary.states == 10);
    CHECK(result.summary.max_depth == 3);
    CHECK(result.summary.depth_bound_hit);
    CHECK_FALSE(result.summary.complete());
  }
  const auto whole = explore(grid, {.max_depth = 10});
  CHECK(whole.summary.states == 36);
  CHECK_FALSE(whole.summary.depth_bound_hit);
}

TEST_CASE("a state bound stops the search and says so", "[explorer]") {
  const auto result = explore(Grid{.limit = 10, .bad = std::nullopt}, {.max_states = 20});
  CHECK(result.summary.states == 20);
  CHECK(result.summary.state_bound_hit);
  CHECK_FALSE(result.summary.complete());
}

TEST_CASE("bfs reports the shortest path to a violation", "[explorer]") {
  const Grid grid{.limit = 4, .bad = std::pair{2, 1}};
  const auto result = explore(grid);
  REQUIRE(result.violation);
  CHECK(result.violation->message == "reached the bad corner");
  CHECK(result.violation->kind == ladder::level4::ViolationKind::safety);
  REQUIRE(result.violation->events.size() == 3);
  REQUIRE(result.violation->states.size() == 4);
  CHECK(result.violation->states.front() == Grid::State{0, 0});
  CHECK(result.violation->states.back() == Grid::State{2, 1});
  int xs = 0;
  for (const auto event : result.violation->events)
    xs += event == Grid::Event::inc_x ? 1 : 0;
  CHECK(xs == 2);
  CHECK(result.summary.stopped_at_violation);
  CHECK(result.summary.violating_states == 1);
}

TEST_CASE("dfs finds the violation too, by some path", "[explorer]") {
  const auto result = explore(Grid{.limit = 4, .bad = std::pair{2, 1}}, {.mode = Mode::dfs});
  REQUIRE(result.violation);
  CHECK(result.violation->states.back() == Grid::State{2, 1});
  CHECK(result.violation->events.size() == 3);  // every path to (2,1) has 3 events
}

TEST_CASE("without stopping, every violating state is counted and none is expanded", "[explorer]") {
  // (1,1) violates: (1,2), (2,1), ... are still reached around it, only (1,1) is not expanded.
  const auto result =
      explore(Grid{.limit = 2, .bad = std::pair{1, 1}}, {.stop_at_first_violation = false});
  CHECK(result.summary.states == 9);
  CHECK(result.summary.violating_states == 1);
  CHECK(result.summary.transitions == 12 - 2);
  CHECK_FALSE(result.summary.stopped_at_violation);
}

// Two processes take two locks, A then B and B then A: the classic deadlock. Each process is at
// 0 (holds nothing), 1 (holds its first lock), 2 (holds both), 3 (released both: finished).
// A "crash" fault resets both processes and frees the locks: the only way out of the deadlock.
struct Locks {
  struct State {
    int p = 0;
    int q = 0;
    friend bool operator==(const State&, const State&) = default;
  };
  enum class Event { p_step, q_step, reset };

  bool with_reset = false;

  // Lock A is held by p at 1 and 2, by q at 2; lock B by q at 1 and 2, by p at 2.
  static bool a_held(const State& s) { return s.p == 1 || s.p == 2 || s.q == 2; }
  static bool b_held(const State& s) { return s.q == 1 || s.q == 2 || s.p == 2; }

  State initial() const { return {}; }
  void successors(const State& s, std::vector<std::pair<Event, State>>& out) const {
    if ((s.p == 0 && !a_held(s)) || (s.p == 1 && !b_held(s)) || s.p == 2) {
      out.push_back({Event::p_step, {s.p + 1, s.q}});
    }
    if ((s.q == 0 && !b_held(s)) || (s.q == 1 && !a_held(s)) || s.q == 2) {
      out.push_back({Event::q_step, {s.p, s.q + 1}});
    }
    if (with_reset && s != State{} && !done(s)) out.push_back({Event::reset, {}});
  }
  std::optional<std::string> violation(const State&) const { return std::nullopt; }
  void encode(const State& s, std::string& bytes) const {
    bytes.push_back(static_cast<char>(s.p * 4 + s.q));
  }
  std::string describe(const State& s) const {
    return "p" + std::to_string(s.p) + " q" + std::to_string(s.q);
  }
  std::string describe(const Event& e) const {
    return e == Event::p_step ? "p" : e == Event::q_step ? "q" : "reset";
  }
  bool is_fault(const Event& e) const { return e == Event::reset; }
  bool done(const State& s) const { return s.p == 3 && s.q == 3; }
};

TEST_CASE("liveness finds the deadlock, with the shortest path to it", "[explorer][liveness]") {
  for (const Mode mode : {Mode::bfs, Mode::dfs, Mode::fingerprint}) {
    INFO(ladder::level4::to_string(mode));
    const auto result = explore(Locks{}, {.mode = mode, .liveness = true});
    CHECK_FALSE(result.violation);
    REQUIRE(result.liveness);
    CHECK(result.liveness->kind == ladder::level4::ViolationKind::liveness);
    CHECK(result.summary.liveness_checked);
    // Only the deadlock (p1 q1) is stuck: every other state can still finish.
    CHECK(result.summary.liveness_violating_states == 1);
    CHECK(result.liveness->states.back() == Locks::State{1, 1});
    CHECK(result.liveness->events.size() == 2);
  }
}

TEST_CASE("liveness excludes faults: a reset does not rescue the deadlock",
          "[explorer][liveness]") {
  const auto result = explore(Locks{.with_reset = true}, {.liveness = true});
  REQUIRE(result.liveness);
  CHECK(result.liveness->states.back() == Locks::State{1, 1});
  CHECK(result.summary.liveness_violating_states == 1);
}

TEST_CASE("liveness holds where every state can finish", "[explorer][liveness]") {
  const auto result = explore(Grid{.limit = 3, .bad = std::nullopt}, {.liveness = true});
  CHECK(result.holds());
  CHECK(result.summary.liveness_checked);
  CHECK(result.summary.liveness_violating_states == 0);
  // A depth bound leaves the far states unexpanded: they get the benefit of the doubt.
  const auto cut =
      explore(Grid{.limit = 3, .bad = std::nullopt}, {.max_depth = 2, .liveness = true});
  CHECK(cut.holds());
  CHECK(cut.summary.liveness_violating_states == 0);
}

// A counter that needs `target` ticks to finish, with a budget of `budget` ticks: when the budget
// is smaller, the last state reached cannot finish. With `says_cut`, the model admits that its
// budget withheld the tick, and liveness gives that state the benefit of the doubt.
struct Budget {
  using State = int;
  enum class Event { tick };
  int target = 3;
  int budget = 2;
  State initial() const { return 0; }
  void successors(const State& s, std::vector<std::pair<Event, State>>& out) const {
    if (s < target && s < budget) out.push_back({Event::tick, s + 1});
  }
  std::optional<std::string> violation(const State&) const { return std::nullopt; }
  void encode(const State& s, std::string& bytes) const { bytes.push_back(static_cast<char>(s)); }
  std::string describe(const State& s) const { return std::to_string(s); }
  std::string describe(const Event&) const { return "tick"; }
  bool is_fault(const Event&) const { return false; }
  bool done(const State& s) const { return s == target; }
};

struct HonestBudget : Budget {
  bool cut_by_bounds(const State& s) const { return s < target && s == budget; }
};

static_assert(!ladder::level4::HasBoundsCut<Budget>);
static_assert(ladder::level4::HasBoundsCut<HonestBudget>);

TEST_CASE("liveness trusts a state the model's own bounds cut, and only that",
          "[explorer][liveness]") {
  // Without the hook, the budget's last state looks stuck: a false alarm the hook removes.
  const auto silent = explore(Budget{}, {.liveness = true});
  REQUIRE(silent.liveness);
  CHECK(silent.liveness->states.back() == 0);  // the shallowest of the three stuck states
  CHECK(silent.summary.liveness_violating_states == 3);
  const auto honest = explore(HonestBudget{}, {.liveness = true});
  CHECK(honest.holds());
  CHECK(honest.summary.liveness_violating_states == 0);
}

TEST_CASE("state_graph lists states, edges and the counterexample", "[explorer][graph]") {
  const auto graph = ladder::level4::state_graph(Grid{.limit = 2, .bad = std::pair{1, 1}}, 100);
  CHECK(graph.complete);
  REQUIRE(graph.states.size() == 9);
  CHECK(graph.states[0].label == "0,0");
  CHECK(graph.states[0].depth == 0);
  CHECK(graph.states[8].label == "2,2");
  CHECK(graph.states[8].done);
  CHECK(graph.edges.size() == 12 - 2);  // (1,1) violates and is not expanded
  REQUIRE(graph.counterexample.size() == 3);
  CHECK(graph.counterexample.front() == 0);
  CHECK(graph.states[graph.counterexample.back()].violation == "reached the bad corner");
  const auto small = ladder::level4::state_graph(Grid{.limit = 2, .bad = std::nullopt}, 4);
  CHECK_FALSE(small.complete);
  CHECK(small.states.size() == 4);
}

TEST_CASE("modes parse and print", "[explorer]") {
  CHECK(ladder::level4::parse_mode("fingerprint") == Mode::fingerprint);
  CHECK_FALSE(ladder::level4::parse_mode("random"));
  CHECK(std::string(ladder::level4::to_string(Mode::dfs)) == "dfs");
}

}  // namespace
