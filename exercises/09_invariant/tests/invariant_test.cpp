/// \file
/// Exercise 09's grading tests: your invariant, alone, in level 4's explorer. It must stay quiet
/// on every state before the first-release flaw strikes and speak on the state where it does; it
/// must lead the explorer to the flaw by the shortest path; and it must stay quiet in every one of
/// the fixed protocol's reachable states at the same bound (no false alarm).

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "level4_explore/explorer.hpp"
#include "level4_explore/level3_model.hpp"
#include "level4_explore/with_invariant.hpp"
#include "no_lost_add.hpp"

namespace {

using namespace ladder;
using level3::Variant;
using level4::Level3Config;
using level4::Level3Model;

// Three replicas, one client with one add, no drops, one timer firing: the bound at which the
// explorer finds the first-release flaw (level4_explore/tests/level3_model_tests.cpp).
Level3Config small(Variant variant) {
  Level3Config config;
  config.variant = variant;
  config.max_drops = 0;
  config.max_timeouts = 1;
  return config;
}

std::vector<std::string> describe(const Level3Model& model,
                                  const std::vector<level4::Level3Event>& events) {
  std::vector<std::string> out;
  for (const auto& event : events)
    out.push_back(model.describe(event));
  return out;
}

TEST_CASE("part 1: quiet before the first-release flaw and loud when it strikes") {
  // The path the model's own invariant finds; yours is asked about every state along it.
  const Level3Model model(small(Variant::first_release));
  const auto reference = level4::explore(model);
  REQUIRE(reference.violation.has_value());
  const auto& states = reference.violation->states;
  for (std::size_t i = 0; i + 1 < states.size(); ++i) {
    INFO("state " << i << " of the path: " << model.describe(states[i]));
    CHECK_FALSE(ex09::no_lost_add(states[i]).has_value());
  }
  const auto finding = ex09::no_lost_add(states.back());
  INFO("the last state: " << model.describe(states.back()));
  REQUIRE(finding.has_value());
  CHECK_THAT(*finding, Catch::Matchers::Contains("c0#1") && Catch::Matchers::Contains("r1"));
}

TEST_CASE("part 2: your invariant alone leads the explorer to the flaw in 8 events") {
  const Level3Model model(small(Variant::first_release));
  const level4::WithInvariant<Level3Model> yours(model, &ex09::no_lost_add);
  const auto result = level4::explore(yours);
  REQUIRE(result.violation.has_value());
  CHECK(describe(model, result.violation->events) ==
        std::vector<std::string>{
            "timer r1 view_change",
            "invoke c0",
            "deliver c0->r0 Request c0#1 add(+1)",
            "deliver r0->r2 Prepare v0 op1 c0#1 add(+1) commit0",
            "deliver r1->r2 StartViewChange v1 from r1",
            "deliver r2->r0 PrepareOk v0 op1 from r2",
            "deliver r0->c0 Reply v0 c0#1 =1",
            "deliver r2->r1 DoViewChange v1 from r2 normal_v0 op1 commit0",
        });
}

TEST_CASE("part 3: no false alarm in any of the fixed protocol's 32864 states") {
  const Level3Model model(small(Variant::fixed));
  const level4::WithInvariant<Level3Model> yours(model, &ex09::no_lost_add);
  const auto result = level4::explore(yours);
  if (result.violation) {
    FAIL("a false alarm after " << result.violation->events.size()
                                << " events: " << result.violation->message << "\nin "
                                << model.describe(result.violation->states.back()));
  }
  CHECK(result.summary.complete());
  CHECK(result.summary.states == 32'864);
}

}  // namespace
