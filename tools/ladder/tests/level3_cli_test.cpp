// Level 3 through the built CLI: the monkey finds the planted flaw by seed and the seed fails the
// same way every time; replay, shrink and diagram take the saved run further.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "tools/ladder/tests/run_ladder.hpp"

namespace {

using Outcome = ladder::tools::testing::CliOutcome;
using ladder::tools::testing::run_ladder;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The results folder the monkey saved for its first failing seed: "runs/3-monkey-27-27".
std::string saved_folder(const std::string& monkey_output) {
  std::smatch match;
  const std::regex saved("saved (runs/3-monkey-[0-9]+-[0-9]+)/");
  REQUIRE(std::regex_search(monkey_output, match, saved));
  return match[1];
}

}  // namespace

TEST_CASE("monkey 3 finds the first-release flaw, and its first failing seed fails the same way",
          "[cli][level3]") {
  const Outcome monkey = run_ladder("monkey 3 --variant first-release --runs 150 --color never");
  INFO(monkey.out);
  CHECK(monkey.exit_code == 0);
  CHECK(contains(monkey.out, "LOST"));
  CHECK(contains(monkey.out, "the first failing seed is "));
  CHECK(contains(monkey.out, "run twice more: the same failure, digest "));

  // The saved trace replays bit for bit ...
  const std::string folder = saved_folder(monkey.out);
  const Outcome replay = run_ladder("replay " + folder + "/trace.jsonl --color never");
  INFO(replay.out);
  CHECK(replay.exit_code == 0);
  CHECK(contains(replay.out, "same run: the digest and all "));

  // ... shrinks to a smaller run that still loses an add ...
  const std::string shrunk = folder + "/shrunk.jsonl";
  const Outcome shrink =
      run_ladder("shrink " + folder + "/trace.jsonl -o " + shrunk + " --color never");
  INFO(shrink.out);
  CHECK(shrink.exit_code == 0);
  CHECK(contains(shrink.out, "the shrunk run still fails: LOST"));
  CHECK(run_ladder("replay " + shrunk).exit_code == 0);

  // ... and draws as a Lamport diagram.
  const std::string dot = folder + "/shrunk.dot";
  const Outcome diagram = run_ladder("diagram trace " + shrunk + " -o " + dot);
  CHECK(diagram.exit_code == 0);
  std::ifstream in(std::filesystem::path(LADDER_SOURCE_DIR) / dot);
  std::ostringstream text;
  text << in.rdbuf();
  CHECK(contains(text.str(), "digraph lamport"));
  CHECK(contains(text.str(), "penwidth=2.5"));  // the culprit, highlighted
}

TEST_CASE("monkey 3 --variant fixed passes every seed", "[cli][level3]") {
  const Outcome monkey = run_ladder("monkey 3 --variant fixed --runs 150 --color never");
  INFO(monkey.out);
  CHECK(monkey.exit_code == 0);
  CHECK(contains(monkey.out, "level 3: 0 of 150 monkey runs failed"));
}

TEST_CASE("replay of a tampered trace exits 1 and names the first event that differs",
          "[cli][level3]") {
  const auto dir = std::filesystem::temp_directory_path() / "ladder-level3-cli";
  std::filesystem::create_directories(dir);
  // A demo saves its results folder; change one operation's delta in the header.
  const Outcome demo = run_ladder("demo 3 --scenario calm --variant fixed --color never");
  REQUIRE(demo.exit_code == 0);
  std::ifstream in(std::filesystem::path(LADDER_SOURCE_DIR) / "runs/3-calm-1-fixed/trace.jsonl");
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  std::string trace = text.str();
  const auto at = trace.find("\"delta\":");
  REQUIRE(at != std::string::npos);
  trace.replace(at, 9, "\"delta\":9");
  const auto tampered = dir / "tampered.jsonl";
  std::ofstream(tampered) << trace;
  const Outcome replay = run_ladder("replay '" + tampered.string() + "' --color never");
  INFO(replay.out);
  CHECK(replay.exit_code == 1);
  CHECK(contains(replay.out, "the run differs"));
  CHECK(contains(replay.out, "first difference at event "));
  std::filesystem::remove_all(dir);
}

TEST_CASE("diagram roles draws the core's role table", "[cli][level3]") {
  const auto file = std::filesystem::temp_directory_path() / "ladder-roles.dot";
  const Outcome diagram = run_ladder("diagram roles -o '" + file.string() + "'");
  CHECK(diagram.exit_code == 0);
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  CHECK(contains(text.str(), "view_change -> primary"));
  std::filesystem::remove(file);
}

TEST_CASE("tour --level 3 suggests a demo of level 3, the row it printed", "[cli][level3]") {
  // The footer names one broken cell to see in detail; its level must be a row of the table, not
  // the level at the same position among all levels (level 0).
  const Outcome tour = run_ladder("tour --level 3 --color never");
  INFO(tour.out);
  CHECK(tour.exit_code == 0);
  std::smatch match;
  const std::regex example("e\\.g\\.\n  \\./run demo ([0-9]+) --scenario ");
  REQUIRE(std::regex_search(tour.out, match, example));
  CHECK(match[1] == "3");
}

TEST_CASE("replay, shrink and diagram refuse a missing or malformed trace with exit 2", "[cli]") {
  const std::filesystem::path bad =
      std::filesystem::temp_directory_path() / "ladder-level3-cli-bad-trace.jsonl";
  {
    std::ofstream out(bad);
    out << "{\"not\": \"a trace\"}\n";
  }
  for (const std::string verb : {"replay", "shrink", "diagram trace"}) {
    const Outcome missing = run_ladder(verb + " /nonexistent/ladder-trace.jsonl");
    INFO(verb << ": " << missing.out);
    CHECK(missing.exit_code == 2);
    CHECK(contains(missing.out, "ladder-trace.jsonl"));
    // diagram needs somewhere to draw, so that the trace is what it refuses.
    const std::string output = verb == "diagram trace" ? " -o " + bad.string() + ".svg" : "";
    const Outcome malformed = run_ladder(verb + " " + bad.string() + output);
    INFO(verb << ": " << malformed.out);
    CHECK(malformed.exit_code == 2);
    CHECK(contains(malformed.out, bad.filename().string()));
  }
  std::filesystem::remove(bad);
}

TEST_CASE("node refuses a door setting out of range with exit 2, naming the flag", "[cli]") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "ladder-level3-cli-door-flags";
  std::filesystem::create_directories(dir);
  const std::filesystem::path cluster = dir / "cluster.json";
  {
    std::ofstream out(cluster);
    out << R"({"format": "ladder-cluster", "version": 1, "host": "127.0.0.1",
 "replicas": [{"id": 0, "udp": 1, "resp": 2}, {"id": 1, "udp": 3, "resp": 4},
              {"id": 2, "udp": 5, "resp": 6}]})";
  }
  const std::string node =
      "node --id 0 --cluster " + cluster.string() + " --data-dir " + (dir / "data").string();
  // A door has 20 client ids in a cluster of three, so 20 requests in flight at most.
  for (const std::string& flag :
       {std::string("--door-in-flight 0"), std::string("--door-in-flight 21"),
        std::string("--door-linger-us 100001"), std::string("--door-linger-gap-us 100001")}) {
    const Outcome refused = run_ladder(node + " " + flag);
    INFO(flag << ": " << refused.out);
    CHECK(refused.exit_code == 2);
    CHECK(contains(refused.out, flag.substr(0, flag.find(' '))));
  }
  std::filesystem::remove_all(dir);
}
