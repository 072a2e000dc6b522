// Diagrams: the Lamport diagram of a run and the role diagram of the core's table.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "level3_pure/sim/diagram.hpp"
#include "level3_pure/sim/tests/sim_helpers.hpp"

using namespace ladder;
using namespace ladder::level3;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

std::size_t count_events(const Trace& trace, const std::string& kind) {
  std::size_t n = 0;
  for (const auto& event : trace.events)
    n += event["e"] == kind ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("the Lamport diagram has a lane per node, an arrow per delivery, a cross per drop",
          "[diagram]") {
  const Trace trace = record_trace(make_spec(test::monkey(62), 62, Variant::first_release));
  DiagramOptions options;
  options.max_events = trace.events.size();
  const std::string dot = trace_diagram(trace, options);
  CHECK(dot.rfind("digraph lamport {", 0) == 0);
  for (const char* lane : {"\"r0\"", "\"r1\"", "\"r2\"", "\"c0\"", "\"c1\""}) {
    CHECK(count(dot, std::string("label=") + lane) == 1);
  }
  // Every delivered message is an edge labelled with the message; every lost one ends at a cross.
  CHECK(count(dot, "(lost: ") == count_events(trace, "drop"));
  CHECK(count(dot, "label=\"x\"") == count_events(trace, "drop"));
  // A duplicated message's second delivery is drawn as a copy.
  std::set<std::uint64_t> delivered;
  std::size_t copies = 0;
  for (const auto& event : trace.events) {
    if (event["e"] == "deliver" && !delivered.insert(event["send"].get<std::uint64_t>()).second) {
      ++copies;
    }
  }
  CHECK(copies > 0);
  CHECK(count(dot, "label=\"copy: ") == copies);
  const std::size_t edges = count(dot, " -> n");
  CHECK(edges == count_events(trace, "deliver") + count_events(trace, "drop"));
}

TEST_CASE("the Lamport diagram highlights the culprit request", "[diagram]") {
  const auto seed = test::first_failing_seed(spec::FindingKind::lost);
  REQUIRE(seed.has_value());
  const Trace trace = record_trace(make_spec(test::monkey(*seed), *seed, Variant::first_release));
  REQUIRE(trace.end.culprit.has_value());
  const std::string dot = trace_diagram(trace);
  CHECK(count(dot, "penwidth=2.5") >= 2);
  CHECK(dot.find("ok " + *trace.end.culprit) != std::string::npos);
}

TEST_CASE("Graphviz renders both diagrams to SVG", "[diagram]") {
  const Trace trace = record_trace(make_spec(test::monkey(62), 62, Variant::first_release));
  const auto dir = std::filesystem::temp_directory_path() / "ladder-diagram-test";
  std::filesystem::create_directories(dir);
  render_diagram(trace_diagram(trace), Layout::pinned, dir / "run.svg");
  render_diagram(roles_diagram(), Layout::ranked, dir / "roles.svg");
  for (const char* name : {"run.svg", "roles.svg", "run.dot", "roles.dot"}) {
    INFO(name);
    CHECK(std::filesystem::file_size(dir / name) > 500);
  }
  std::ifstream svg(dir / "run.svg");
  std::ostringstream text;
  text << svg.rdbuf();
  CHECK(text.str().find("<svg") != std::string::npos);
  std::filesystem::remove_all(dir);
}
