// `ladder demo 1 --retry never|on-timeout`: a level's own demo option (LevelOption in levels.hpp),
// run through the built CLI. Level 1's faults are drawn per route in call order, so these verdicts
// are the same on every run.

#include <string>

#include <catch2/catch.hpp>

#include "tools/ladder/tests/run_ladder.hpp"

using ladder::tools::testing::run_ladder;

TEST_CASE("demo 1 --retry never: ok, and the demo names the add the client can never resolve",
          "[level1][cli]") {
  const auto result = run_ladder("demo 1 --scenario response-loss --retry never --color never");
  INFO(result.out);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("verdict: ok"));
  CHECK_THAT(result.out, Catch::Contains("the client's retry policy: never"));
  CHECK_THAT(result.out,
             Catch::Contains("1 add ended info (c0#8): the client can never learn whether it "
                             "happened"));
  CHECK_THAT(result.out,
             Catch::Contains("./run demo 1 --scenario response-loss --seed 19 --retry never"));
}

TEST_CASE("demo 1 --retry on-timeout: DUPLICATED names the request applied twice",
          "[level1][cli]") {
  const auto result =
      run_ladder("demo 1 --scenario response-loss --retry on-timeout --color never");
  INFO(result.out);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("verdict: DUPLICATED"));
  CHECK_THAT(result.out, Catch::Contains("applied c0#8 twice"));
  CHECK_THAT(result.out, Catch::Contains("the client's retry policy: on-timeout"));
  // on-timeout is the default, the tour's policy: the scenario file's expectation applies.
  CHECK_THAT(result.out, Catch::Contains("the scenario file expects DUPLICATED BAD-READ"));
  CHECK_THAT(result.out, !Catch::Contains("this run differs"));
}

TEST_CASE("demo 1 --retry with an unknown policy exits 2, naming the policies", "[level1][cli]") {
  const auto result = run_ladder("demo 1 --scenario calm --retry sometimes");
  INFO(result.out);
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.out, Catch::Contains("--retry sometimes"));
  CHECK_THAT(result.out, Catch::Contains("on-timeout, never"));
}

TEST_CASE("demo 0 rejects --retry, an option only level 1 takes, with exit 2", "[level1][cli]") {
  const auto result = run_ladder("demo 0 --scenario calm --retry never");
  INFO(result.out);
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.out, Catch::Contains("level 0 takes no option --retry"));
}
