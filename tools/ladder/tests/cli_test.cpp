// The ladder CLI as a reader meets it: the built binary, its exit codes and its key output.

#include <cstdio>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "network/scenario.hpp"
#include "tools/ladder/tests/run_ladder.hpp"

namespace {

using Outcome = ladder::tools::testing::CliOutcome;
using ladder::tools::testing::run_ladder;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("--help exits 0 and names every verb", "[cli]") {
  const auto result = run_ladder("--help");
  INFO(result.out);
  CHECK(result.exit_code == 0);
  for (const char* verb : {"tour", "demo", "scenarios", "monkey", "check"})
    CHECK(contains(result.out, verb));
}

TEST_CASE("every verb has --help, exiting 0", "[cli]") {
  for (const char* verb : {"tour", "demo", "scenarios", "monkey", "check"}) {
    const auto result = run_ladder(std::string(verb) + " --help");
    INFO(verb << ": " << result.out);
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "Usage"));
  }
}

TEST_CASE("no verb and an unknown verb both exit 2", "[cli]") {
  CHECK(run_ladder("").exit_code == 2);
  const auto result = run_ladder("frobnicate");
  INFO(result.out);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.out, "frobnicate"));
}

TEST_CASE("an unknown scenario exits 2, naming it and the known ones", "[cli]") {
  const auto result = run_ladder("demo 0 --scenario no-such-weather");
  INFO(result.out);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.out, "no-such-weather"));
  CHECK(contains(result.out, "lossy"));
}

TEST_CASE("an unknown level exits 2, listing the levels", "[cli]") {
  const auto result = run_ladder("demo 99 --scenario lossy");
  INFO(result.out);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.out, "unknown level 99"));
}

TEST_CASE("a seed that is not a number exits 2", "[cli]") {
  CHECK(run_ladder("demo 0 --scenario lossy --seed seven").exit_code == 2);
  CHECK(run_ladder("demo 0 --scenario lossy --seed -3").exit_code == 2);
  CHECK(run_ladder("tour --seed 1x").exit_code == 2);
  CHECK(run_ladder("tour --level 9").exit_code == 2);
  CHECK(run_ladder("monkey 0 --seed ''").exit_code == 2);
}

TEST_CASE("demo 0 on lossy at seed 28 shows DIVERGED and the line that reproduces it", "[cli]") {
  const auto result = run_ladder("demo 0 --scenario lossy --seed 28");
  INFO(result.out);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.out, "DIVERGED"));
  CHECK(contains(result.out, "DROPPED"));
  CHECK(contains(result.out, "invoke add("));
  CHECK(contains(result.out, "reproduce: ./run demo 0 --scenario lossy --seed 28"));
  // Not a terminal: no colour codes.
  CHECK_FALSE(contains(result.out, "\033["));
}

TEST_CASE("demo takes the path of a scenario file as well as a name", "[cli]") {
  const auto result = run_ladder("demo 0 --scenario scenarios/lossy.json --seed 28");
  INFO(result.out);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.out, "reproduce: ./run demo 0 --scenario scenarios/lossy.json --seed 28"));
}

TEST_CASE("the same demo twice prints the same output, byte for byte", "[cli]") {
  const auto first = run_ladder("demo 0 --scenario crash-restart");
  const auto second = run_ladder("demo 0 --scenario crash-restart");
  REQUIRE(first.exit_code == 0);
  CHECK(first.out == second.out);
  CHECK(run_ladder("demo 0 --scenario crash-restart --seed 1234").out != first.out);
}

TEST_CASE("demo --color always colours even into a pipe", "[cli]") {
  const auto result = run_ladder("demo 0 --scenario lossy --seed 28 --color always");
  CHECK(result.exit_code == 0);
  CHECK(contains(result.out, "\033["));
}

TEST_CASE("demo --trace-only prints the log and nothing around it", "[cli]") {
  const auto result = run_ladder("demo 0 --scenario lossy --seed 28 --trace-only");
  INFO(result.out);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.out, "invoke"));
  CHECK_FALSE(contains(result.out, "reproduce:"));
  CHECK_FALSE(contains(result.out, "verdict:"));
}

TEST_CASE("tour prints a row for level 0 with a column per scenario", "[cli]") {
  // --level keeps the test to the simulated level; ./run tour (every level) is what fresh-clone
  // checks run, and level 2's real-time rows take a minute.
  const auto result = run_ladder("tour --level 0");
  INFO(result.out);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.out, "0 naive replication"));
  CHECK_FALSE(contains(result.out, "1 blocking RPC"));
  CHECK(contains(result.out, "lossy"));
  CHECK(contains(result.out, "concurrent-clients"));
  CHECK(contains(result.out, "DIVERGED"));
  CHECK(contains(result.out, "./run demo 0 --scenario"));
}

TEST_CASE("scenarios lists every scenario, and --show prints one file", "[cli]") {
  const auto list = run_ladder("scenarios");
  INFO(list.out);
  CHECK(list.exit_code == 0);
  for (const char* name : {"calm", "lossy", "crash-restart", "concurrent-clients"}) {
    CHECK(contains(list.out, name));
  }
  const auto show = run_ladder("scenarios --show lossy");
  CHECK(show.exit_code == 0);
  CHECK(nlohmann::json::parse(show.out).contains("faults"));
  CHECK(run_ladder("scenarios --show no-such-weather").exit_code == 2);
}

TEST_CASE("monkey --print prints a scenario that the scenario loader accepts", "[cli]") {
  const auto result = run_ladder("monkey 0 --seed 5 --print");
  INFO(result.out);
  REQUIRE(result.exit_code == 0);
  const auto scenario =
      ladder::net::parse_scenario(nlohmann::json::parse(result.out), "monkey output", "monkey-5");
  CHECK(scenario.replicas == 3);
  CHECK(scenario.workload.clients == 2);
  CHECK(run_ladder("monkey 0 --seed 5 --print").out == result.out);
}

TEST_CASE("monkey reports its failing seeds and a summary", "[cli]") {
  const auto result = run_ladder("monkey 0 --runs 5 --seed 1");
  INFO(result.out);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.out, "monkey runs failed (seeds 1..5)"));
  CHECK(contains(result.out, "seed "));
}
