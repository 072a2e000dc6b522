// One message's draws, shared by both engines. Their order is part of every recorded run (the
// golden digests): these cases pin it down draw by draw against a twin generator, so that a
// reordering fails here with a plain message before it fails as a changed digest.

#include <catch2/catch.hpp>

#include "network/detail/message_faults.hpp"

using ladder::net::FaultPlan;
using ladder::net::MessageClass;
using ladder::net::Rng;
using ladder::net::Time;
using ladder::net::detail::draw_message_fate;
using ladder::net::detail::MessageFate;

namespace {

FaultPlan plan_with(double drop, double response_loss, double duplicate) {
  FaultPlan plan;
  plan.drop_probability = drop;
  plan.response_loss_probability = response_loss;
  plan.duplicate_probability = duplicate;
  plan.delay_min_ms = 5;
  plan.delay_max_ms = 500;
  return plan;
}

}  // namespace

TEST_CASE("a dropped message draws nothing after the drop", "[message-faults]") {
  const FaultPlan plan = plan_with(1.0, 0.0, 0.0);
  Rng rng(11);
  Rng twin(11);
  const MessageFate fate = draw_message_fate(rng, plan, MessageClass::response);
  CHECK(fate.drop_reason == "random");
  CHECK_FALSE(fate.copy_delay_ms.has_value());
  twin.chance(plan.drop_probability);
  CHECK(rng.next() == twin.next());  // exactly one draw was made
}

TEST_CASE("a response can be lost; a request draws nothing for response loss", "[message-faults]") {
  const FaultPlan plan = plan_with(0.0, 1.0, 0.0);
  Rng lost_rng(3);
  CHECK(draw_message_fate(lost_rng, plan, MessageClass::response).drop_reason == "response lost");

  Rng rng(3);
  Rng twin(3);
  const MessageFate fate = draw_message_fate(rng, plan, MessageClass::request);
  CHECK(fate.drop_reason.empty());
  // The twin makes the draws a request should: drop, delay, duplicate.
  twin.chance(plan.drop_probability);
  const Time delay = twin.between(plan.delay_min_ms, plan.delay_max_ms);
  twin.chance(plan.duplicate_probability);
  CHECK(fate.delay_ms == delay);
  CHECK(rng.next() == twin.next());
}

TEST_CASE("a duplicated message draws its copy's delay after the duplicate chance",
          "[message-faults]") {
  const FaultPlan plan = plan_with(0.0, 0.0, 1.0);
  Rng rng(42);
  Rng twin(42);
  const MessageFate fate = draw_message_fate(rng, plan, MessageClass::response);
  twin.chance(plan.drop_probability);
  twin.chance(plan.response_loss_probability);
  const Time delay = twin.between(plan.delay_min_ms, plan.delay_max_ms);
  twin.chance(plan.duplicate_probability);
  const Time copy_delay = twin.between(plan.delay_min_ms, plan.delay_max_ms);
  CHECK(fate.drop_reason.empty());
  CHECK(fate.delay_ms == delay);
  REQUIRE(fate.copy_delay_ms.has_value());
  CHECK(*fate.copy_delay_ms == copy_delay);
  CHECK(rng.next() == twin.next());
}

TEST_CASE("delays stay within the plan's range", "[message-faults]") {
  const FaultPlan plan = plan_with(0.0, 0.0, 0.5);
  Rng rng(7);
  for (int i = 0; i < 1000; ++i) {
    const MessageFate fate = draw_message_fate(rng, plan, MessageClass::request);
    REQUIRE(fate.drop_reason.empty());
    CHECK(plan.delay_min_ms <= fate.delay_ms);
    CHECK(fate.delay_ms <= plan.delay_max_ms);
    if (fate.copy_delay_ms) {
      CHECK(plan.delay_min_ms <= *fate.copy_delay_ms);
      CHECK(*fate.copy_delay_ms <= plan.delay_max_ms);
    }
  }
}
