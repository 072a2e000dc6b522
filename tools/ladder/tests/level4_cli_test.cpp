// Level 4 through the built CLI: `ladder explore` finds the first-release flaw and writes its
// counterexample, which `ladder replay` re-executes and `ladder diagram trace` draws; the fixed
// variant holds at the same bound; a bad bound is a usage error.

#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "tools/ladder/tests/run_ladder.hpp"

namespace {

using ladder::tools::testing::run_ladder;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const char* const kBound = "--max-drops 0 --max-timeouts 1 --no-progress --color never";

}  // namespace

TEST_CASE("explore finds the first-release flaw, and its trace replays and draws",
          "[cli][level4]") {
  const auto folder = std::filesystem::temp_directory_path() / "ladder-level4-cli";
  std::filesystem::remove_all(folder);
  const std::string trace = (folder / "flaw.jsonl").string();
  const auto explore =
      run_ladder(std::string("explore --variant first-release ") + kBound + " -o " + trace);
  INFO(explore.out);
  CHECK(explore.exit_code == 1);
  CHECK(contains(explore.out, "states        2,067"));
  CHECK(contains(explore.out, "verdict       LOST: c0#1 was acknowledged"));
  CHECK(contains(explore.out, "8 events from the initial state (the shortest path)"));
  CHECK(contains(explore.out, "ladder replay " + trace));

  const auto replay = run_ladder("replay " + trace + " --color never");
  INFO(replay.out);
  CHECK(replay.exit_code == 0);
  CHECK(contains(replay.out, "same run: the digest and all 24 events are identical"));

  const std::string dot = (folder / "flaw.dot").string();
  const auto diagram = run_ladder("diagram trace " + trace + " -o " + dot);
  INFO(diagram.out);
  CHECK(diagram.exit_code == 0);
  CHECK(std::filesystem::file_size(dot) > 1000);
  std::filesystem::remove_all(folder);
}

TEST_CASE("explore: the fixed variant holds, and says whether the search was complete",
          "[cli][level4]") {
  // A small bound (level4_tests pins the fixed variant's count at the flaw's bound, 32,864).
  const auto fixed = run_ladder(
      "explore --variant fixed --max-drops 0 --max-timeouts 0 --max-crashes 1 --no-progress "
      "--liveness --color never");
  INFO(fixed.out);
  CHECK(fixed.exit_code == 0);
  CHECK(contains(fixed.out, "states        34,500"));
  CHECK(contains(fixed.out, "search        complete within the model's bounds"));
  CHECK(contains(fixed.out, "liveness      0 states cannot reach done without faults"));
  CHECK(
      contains(fixed.out, "verdict       holds: every reachable state within the bounds is fine"));
  const auto cut = run_ladder("explore --variant fixed --max-depth 3 --no-progress --color never");
  INFO(cut.out);
  CHECK(cut.exit_code == 0);
  CHECK(contains(cut.out, "search        max-depth cut the search"));
  CHECK(contains(cut.out, "verdict       holds so far"));
}

TEST_CASE("explore refuses a bad bound with a usage error", "[cli][level4]") {
  const auto bad = run_ladder("explore --replicas 4 --no-progress");
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.out, "--replicas: 4 is not an odd number from 1 to 7"));
  CHECK(run_ladder("explore --mode sideways").exit_code == 2);
}
