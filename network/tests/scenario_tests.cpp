// Scenario files: what the reader writes. Every mistake must be reported with the file, the JSON
// pointer of the offending value and what was expected, and nothing may be silently fixed up.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "network/scenario.hpp"

using namespace ladder::net;
using nlohmann::json;

namespace {

const std::string kSource = "scenarios/test.json";

/// A valid document with every field set; tests break one thing at a time.
json full_document() {
  return json::parse(R"({
    "description": "One message in ten is lost.",
    "replicas": 3, "seed": 7, "stuck_after_ms": 2000,
    "workload": {"clients": 1, "operations": 20, "delta": [1, 5], "read_probability": 0.25,
                 "think_ms": [5, 20]},
    "faults": {
      "drop": 0.1, "duplicate": 0.0, "delay_ms": [1, 10], "response_loss": 0.0,
      "timeline": [
        {"at_ms": 100, "partition": [["r0"], ["r1", "r2", "c0"]]},
        {"at_ms": 120, "cut": {"from": ["r0"], "to": ["r1"]}},
        {"at_ms": 150, "crash": "r1"},
        {"at_ms": 300, "heal": true},
        {"at_ms": 400, "restart": "r1"}
      ]
    },
    "expect": {"level0": ["DIVERGED"]}
  })");
}

/// The ScenarioError that parsing `doc` throws; fails the test if it does not throw.
ScenarioError error_of(const json& doc) {
  try {
    parse_scenario(doc, kSource, "test");
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("expected a ScenarioError for " << doc.dump());
  throw std::logic_error("unreachable");
}

/// Checks that parsing `doc` fails at `path` with a message containing `words`.
void check_error(const json& doc, const std::string& path, const std::string& words) {
  const ScenarioError e = error_of(doc);
  INFO("what(): " << e.what());
  CHECK(e.file() == kSource);
  CHECK(e.json_path() == path);
  const std::string what = e.what();
  const std::string shown_path = path.empty() ? "/" : path;  // the whole document reads "/"
  CHECK(what.rfind(kSource + ": " + shown_path + ": ", 0) == 0);
  CHECK(what.find(words) != std::string::npos);
}

}  // namespace

TEST_CASE("a full scenario document is read field by field", "[scenario]") {
  const Scenario s = parse_scenario(full_document(), kSource, "lossy");
  CHECK(s.name == "lossy");
  CHECK(s.description == "One message in ten is lost.");
  CHECK(s.replicas == 3);
  CHECK(s.seed == 7);
  CHECK(s.stuck_after_ms == 2000);
  CHECK(s.workload.operations == 20);
  CHECK(s.workload.delta_min == 1);
  CHECK(s.workload.delta_max == 5);
  CHECK(s.workload.read_probability == 0.25);
  CHECK(s.workload.think_min_ms == 5);
  CHECK(s.workload.think_max_ms == 20);
  CHECK(s.faults.drop_probability == 0.1);
  CHECK(s.faults.delay_min_ms == 1);
  CHECK(s.faults.delay_max_ms == 10);
  REQUIRE(s.faults.timeline.size() == 5);
  const auto& partition = s.faults.timeline[0];
  CHECK(partition.kind == TimelineKind::partition);
  CHECK(partition.groups == std::vector<std::vector<NodeId>>{{0}, {1, 2, 3}});
  CHECK(s.faults.timeline[1].kind == TimelineKind::cut);
  CHECK(s.faults.timeline[1].from == std::vector<NodeId>{0});
  CHECK(s.faults.timeline[1].to == std::vector<NodeId>{1});
  CHECK(s.faults.timeline[2].kind == TimelineKind::crash);
  CHECK(s.faults.timeline[2].node == 1U);
  CHECK(s.faults.timeline[3].kind == TimelineKind::heal);
  CHECK(s.faults.timeline[4].at_ms == 400);
  CHECK(s.expect.at("level0") == std::vector<std::string>{"DIVERGED"});
}

TEST_CASE("only the description is required, everything else has defaults", "[scenario]") {
  const Scenario s = parse_scenario(json{{"description", "Quiet."}}, kSource, "quiet");
  CHECK(s.replicas == 3);
  CHECK(s.workload.clients == 1);
  CHECK(s.faults.drop_probability == 0.0);
  CHECK(s.faults.timeline.empty());
  CHECK(s.expect.empty());
  check_error(json::object(), "", "description");
}

TEST_CASE("an unknown field is an error, wherever it is", "[scenario][errors]") {
  json top = full_document();
  top["replica"] = 3;
  check_error(top, "/replica", "unknown field");
  json nested = full_document();
  nested["faults"]["dorp"] = 0.1;
  check_error(nested, "/faults/dorp", "unknown field");
  json in_timeline = full_document();
  in_timeline["faults"]["timeline"][2]["node"] = "r1";
  check_error(in_timeline, "/faults/timeline/2/node", "unknown field");
}

TEST_CASE("a value of the wrong type names what was expected", "[scenario][errors]") {
  json doc = full_document();
  doc["replicas"] = "three";
  check_error(doc, "/replicas", "expected a number of replicas between 1 and 7, got \"three\"");
  json fraction = full_document();
  fraction["workload"]["operations"] = 2.5;
  check_error(fraction, "/workload/operations", "got 2.5");
  json heal = full_document();
  heal["faults"]["timeline"][3]["heal"] = "yes";
  check_error(heal, "/faults/timeline/3/heal", "expected true");
}

TEST_CASE("probabilities and ranges are checked", "[scenario][errors]") {
  json drop = full_document();
  drop["faults"]["drop"] = 1.5;
  {
    const ScenarioError e = error_of(drop);
    CHECK(std::string(e.what()) ==
          "scenarios/test.json: /faults/drop: expected a probability between 0 and 1, got 1.5");
  }
  json backwards = full_document();
  backwards["faults"]["delay_ms"] = {10, 1};
  check_error(backwards, "/faults/delay_ms", "lo <= hi");
  json short_range = full_document();
  short_range["workload"]["think_ms"] = {5};
  check_error(short_range, "/workload/think_ms", "a range [lo, hi]");
  json negative = full_document();
  negative["faults"]["delay_ms"] = {-1, 3};
  check_error(negative, "/faults/delay_ms/0", "got -1");
}

TEST_CASE("node names must exist in the scenario's topology", "[scenario][errors]") {
  json doc = full_document();
  doc["faults"]["timeline"][0]["partition"][1][2] = "c1";  // one client only
  check_error(doc, "/faults/timeline/0/partition/1/2", "got \"c1\"");
  json replica = full_document();
  replica["faults"]["timeline"][1]["cut"]["to"][0] = "r3";
  check_error(replica, "/faults/timeline/1/cut/to/0", "got \"r3\"");
  json client_crash = full_document();
  client_crash["faults"]["timeline"][2]["crash"] = "c0";
  check_error(client_crash, "/faults/timeline/2/crash", "a replica name");
}

TEST_CASE("a node may be in one partition group only", "[scenario][errors]") {
  json doc = full_document();
  // (json::array: a braced list of two-element lists would become an object.)
  doc["faults"]["timeline"][0]["partition"] =
      json::array({json::array({"r0", "r1"}), json::array({"r1", "r2"})});
  check_error(doc, "/faults/timeline/0/partition/1/0", "at most one group");
}

TEST_CASE("an unsorted timeline is an error, not sorted for you", "[scenario][errors]") {
  json doc = full_document();
  doc["faults"]["timeline"][1]["at_ms"] = 90;
  check_error(doc, "/faults/timeline/1/at_ms", "sorted by at_ms");
}

TEST_CASE("a timeline entry has exactly one kind", "[scenario][errors]") {
  json two = full_document();
  two["faults"]["timeline"][3]["crash"] = "r2";
  check_error(two, "/faults/timeline/3", "exactly one of");
  json none = full_document();
  none["faults"]["timeline"][3].erase("heal");
  check_error(none, "/faults/timeline/3", "got none");
}

TEST_CASE("crashes and restarts must alternate per replica", "[scenario][errors]") {
  json doc = full_document();
  doc["faults"]["timeline"][4]["restart"] = "r2";
  check_error(doc, "/faults/timeline/4/restart", "r2 is already running");
}

TEST_CASE("expect takes level names and verdict words only", "[scenario][errors]") {
  json level = full_document();
  level["expect"]["level9"] = {"ok"};
  check_error(level, "/expect/level9", "unknown field");
  json word = full_document();
  word["expect"]["level0"] = {"DIVERGED", "broken"};
  check_error(word, "/expect/level0/1", "got \"broken\"");
}

TEST_CASE("load_scenario names the file in errors, JSON syntax errors included", "[scenario]") {
  const auto dir = std::filesystem::temp_directory_path() / "ladder-scenario-tests";
  std::filesystem::create_directories(dir);
  const auto bad_json = dir / "broken.json";
  std::ofstream(bad_json) << "{\"description\": \"x\",, }";
  try {
    load_scenario(bad_json);
    FAIL("a syntax error must throw");
  } catch (const ScenarioError& e) {
    CHECK(e.file() == bad_json.string());
    CHECK(std::string(e.what()).find("not valid JSON") != std::string::npos);
  }
  const auto good = dir / "fine.json";
  std::ofstream(good) << R"({"description": "Fine.", "replicas": 5})";
  const Scenario s = load_scenario(good);
  CHECK(s.name == "fine");
  CHECK(s.replicas == 5);
  CHECK_THROWS_AS(load_scenario(dir / "missing.json"), ScenarioError);
  std::filesystem::remove_all(dir);
}

TEST_CASE("every file in scenarios/ loads, sorted by name, with a description", "[scenario]") {
  const auto scenarios = load_scenarios(std::filesystem::path(LADDER_SOURCE_DIR) / "scenarios");
  std::vector<std::string> names;
  for (const auto& s : scenarios) {
    names.push_back(s.name);
    INFO(s.name);
    CHECK(s.description.size() > 40);
    CHECK(s.workload.operations > 0);
  }
  // The shared scenarios the levels and the book refer to (more may be added).
  for (const char* expected :
       {"calm", "concurrent-clients", "crash-restart", "duplicating", "lossy", "one-way-partition",
        "partition", "reordering", "response-loss"}) {
    CHECK(std::find(names.begin(), names.end(), expected) != names.end());
  }
  CHECK(std::is_sorted(names.begin(), names.end()));
}

TEST_CASE("to_json round-trips every shared scenario and the full document", "[scenario]") {
  auto scenarios = load_scenarios(std::filesystem::path(LADDER_SOURCE_DIR) / "scenarios");
  scenarios.push_back(parse_scenario(full_document(), kSource, "full"));
  for (const auto& s : scenarios) {
    INFO(s.name);
    const json doc = to_json(s);
    const Scenario again = parse_scenario(doc, "round trip", s.name);
    CHECK(to_json(again) == doc);
    CHECK(again.faults.timeline.size() == s.faults.timeline.size());
    CHECK(again.expect == s.expect);
  }
}

TEST_CASE("the crash-restart scenario restarts r0 during the workload and r1 after it",
          "[scenario]") {
  const Scenario s =
      load_scenario(std::filesystem::path(LADDER_SOURCE_DIR) / "scenarios" / "crash-restart.json");
  REQUIRE(s.faults.timeline.size() == 4);
  CHECK(s.faults.timeline[0].kind == TimelineKind::crash);
  CHECK(s.faults.timeline[0].node == 0U);
  CHECK(s.faults.timeline[1].kind == TimelineKind::restart);
  CHECK(s.faults.timeline[1].node == 0U);
  CHECK(s.faults.timeline[2].kind == TimelineKind::crash);
  CHECK(s.faults.timeline[2].node == 1U);
  CHECK(s.faults.timeline[3].kind == TimelineKind::restart);
  CHECK(s.faults.timeline[3].node == 1U);
  // The workload cannot take less than operations * (think_min + the shortest round trip):
  // r0's restart must come before that, so that the clients see a replica that forgot; r1's
  // restart comes after the longest workload, so that it forgot everything it missed.
  const Time shortest_workload =
      s.workload.operations * (s.workload.think_min_ms + 2 * s.faults.delay_min_ms);
  const Time longest_workload =
      s.workload.operations * (s.workload.think_max_ms + 2 * s.faults.delay_max_ms);
  CHECK(s.faults.timeline[0].at_ms > 0);
  CHECK(s.faults.timeline[1].at_ms < shortest_workload);
  CHECK(s.faults.timeline[3].at_ms > longest_workload);
}
