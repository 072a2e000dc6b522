// Pictures of state graphs: the exact Graphviz text for a toy model (labels, the red violating
// state, the double-framed done state, the dashed fault, the bold counterexample), and the refusal
// of a graph too large to draw.

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "level4_explore/pn_model.hpp"
#include "level4_explore/state_graph.hpp"

namespace {

using namespace ladder::level4;

// A dimmer with levels 0 .. 2: "up" raises it, the fault "flicker" drops it back to 0. Level 1 is
// the goal (done); level 2 is too bright (a violation, so it is not expanded).
struct Dimmer {
  using State = int;
  enum class Event { up, flicker };

  State initial() const { return 0; }
  void successors(const State& s, std::vector<std::pair<Event, State>>& out) const {
    if (s < 2) out.emplace_back(Event::up, s + 1);
    if (s > 0) out.emplace_back(Event::flicker, 0);
  }
  std::optional<std::string> violation(const State& s) const {
    if (s == 2) return std::string("too \"bright\"");
    return std::nullopt;
  }
  void encode(const State& s, std::string& bytes) const { bytes.push_back(static_cast<char>(s)); }
  std::string describe(const State& s) const { return "level " + std::to_string(s) + " | lamp"; }
  std::string describe(const Event& e) const { return e == Event::up ? "up" : "flicker"; }
  bool is_fault(const Event& e) const { return e == Event::flicker; }
  bool done(const State& s) const { return s == 1; }
};

static_assert(Model<Dimmer>);

TEST_CASE("the dot text of a toy model's state graph is exact", "[level4][graph]") {
  const StateGraph graph = drawable_state_graph(Dimmer{}, "the dimmer");
  REQUIRE(graph.states.size() == 3);
  CHECK(state_graph_dot(graph, "the dimmer") ==
        R"(digraph states {
  label="the dimmer";
  labelloc=t;
  node [shape=box, style=rounded, fontname="Helvetica", fontsize=9];
  edge [fontname="Helvetica", fontsize=8];
  s0 [label="level 0\nlamp", style="rounded,filled", fillcolor="#e8f0ff", penwidth=2.5];
  s1 [label="level 1\nlamp", peripheries=2, penwidth=2.5];
  s2 [label="level 2\nlamp", color=red, fontcolor=red, style="rounded,filled", fillcolor="#ffe8e8", tooltip="too \"bright\"", penwidth=2.5];
  s0 -> s1 [label="up", penwidth=2.5];
  s1 -> s2 [label="up", penwidth=2.5];
  s1 -> s0 [label="flicker", style=dashed];
}
)");
}

TEST_CASE("a graph too large to draw is refused with a clear message", "[level4][graph]") {
  const pn::Model model(pn::Config{2, 2, 1, 1, 2});  // 3,328 states
  CHECK_THROWS_AS(drawable_state_graph(model, "the PN-counter"), GraphTooLarge);
  CHECK_THROWS_WITH(drawable_state_graph(model, "the PN-counter", 300),
                    Catch::Matchers::StartsWith(
                        "the reachable state graph of the PN-counter has more than 300 states: "
                        "too many to draw"));
  // The same model under a higher limit is drawn whole.
  const StateGraph whole = drawable_state_graph(model, "the PN-counter", 4'000);
  CHECK(whole.complete);
  CHECK(whole.states.size() == 3'328);
}

TEST_CASE("a refusal suggests a smaller configuration that fits, faults lowered first",
          "[level4][graph]") {
  int replicas = 2;
  int adds = 2;
  int drops = 1;
  int duplicates = 1;
  int in_flight = 2;
  const std::vector<Bound> bounds{{"--max-duplicates", &duplicates, 0, 1},
                                  {"--max-drops", &drops, 0, 1},
                                  {"--in-flight", &in_flight, 1, 1},
                                  {"--adds", &adds, 1, 1},
                                  {"--replicas", &replicas, 2, 1}};
  const auto make = [&] {
    return pn::Model(pn::Config{static_cast<std::uint8_t>(replicas),
                                static_cast<std::uint8_t>(adds), static_cast<std::uint8_t>(drops),
                                static_cast<std::uint8_t>(duplicates),
                                static_cast<std::uint8_t>(in_flight)});
  };
  // 3,328 states. No single bound one step lower fits in 300, so duplicates go to 0 for good;
  // then, of the single steps, 2 replicas x 1 add x 1 drop x 2 in flight is the first that fits.
  const auto smaller = suggest_smaller(bounds, make, 300);
  REQUIRE(smaller.has_value());
  CHECK(*smaller == "--max-duplicates 0 --max-drops 1 --in-flight 2 --adds 1 --replicas 2");
  CHECK(state_graph(pn::Model(pn::Config{2, 1, 1, 0, 2}), 300).complete);
  // The values are restored.
  CHECK(bound_flags(bounds) ==
        "--max-duplicates 1 --max-drops 1 --in-flight 2 --adds 2 --replicas 2");
  // Nothing fits a limit of one state: no suggestion.
  CHECK_FALSE(suggest_smaller(bounds, make, 1).has_value());
}

TEST_CASE("a tiny PN-counter's graph fits, and the wrong merge's path is bold", "[level4][graph]") {
  const pn::Model model(pn::Config{2, 1, 0, 0, 1}, &pn::merge_by_sum);
  const StateGraph graph = drawable_state_graph(model, "the PN-counter");
  REQUIRE(graph.counterexample.size() == 4);  // the initial state and three events
  const std::string dot = state_graph_dot(graph, "merge by sum");
  CHECK(dot.find("color=red") != std::string::npos);
  CHECK(dot.find("[label=\"deliver 0>1 p[1,0] n[0,0]\", penwidth=2.5]") != std::string::npos);
}

}  // namespace
