/// \file
/// A plan's preconditions and one message's draws.

#include "network/detail/message_faults.hpp"

#include <cassert>

namespace ladder::net::detail {

void assert_plan_fits(const FaultPlan& plan, [[maybe_unused]] NodeId node_count) {
  assert(0.0 <= plan.drop_probability && plan.drop_probability <= 1.0);
  assert(0.0 <= plan.duplicate_probability && plan.duplicate_probability <= 1.0);
  assert(0.0 <= plan.response_loss_probability && plan.response_loss_probability <= 1.0);
  assert(0 <= plan.delay_min_ms && "a message cannot arrive before it was sent");
  assert(plan.delay_min_ms <= plan.delay_max_ms);
  for (std::size_t i = 1; i < plan.timeline.size(); ++i) {
    assert(plan.timeline[i - 1].at_ms <= plan.timeline[i].at_ms && "timeline sorted by at_ms");
  }
  // (The loop variables are unused when NDEBUG removes the asserts.)
  for (const auto& event : plan.timeline) {
    assert(event.node < node_count);
    for (const auto& group : event.groups) {
      for ([[maybe_unused]] const NodeId id : group)
        assert(id < node_count);
    }
    for ([[maybe_unused]] const NodeId id : event.from)
      assert(id < node_count);
    for ([[maybe_unused]] const NodeId id : event.to)
      assert(id < node_count);
  }
}

MessageFate draw_message_fate(Rng& rng, const FaultPlan& plan, MessageClass cls) {
  MessageFate fate;
  if (rng.chance(plan.drop_probability)) {
    fate.drop_reason = "random";
    return fate;
  }
  // Only responses draw here: a request's draws must not depend on the response probability.
  if (cls == MessageClass::response && rng.chance(plan.response_loss_probability)) {
    fate.drop_reason = "response lost";
    return fate;
  }
  fate.delay_ms = rng.between(plan.delay_min_ms, plan.delay_max_ms);
  if (rng.chance(plan.duplicate_probability)) {
    fate.copy_delay_ms = rng.between(plan.delay_min_ms, plan.delay_max_ms);
  }
  return fate;
}

}  // namespace ladder::net::detail
