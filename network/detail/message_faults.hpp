#pragma once
/// \file
/// How a FaultPlan treats one message, written once for both engines: the preconditions a plan
/// must meet, and the random draws that decide a message's fate. SimNetwork and UdpNetwork make
/// the same draws in the same order, so one seed means the same faults on both. Internal to
/// network/.

#include <optional>
#include <string_view>

#include "network/fault_plan.hpp"
#include "network/rng.hpp"
#include "network/sim_network.hpp"  // MessageClass
#include "network/types.hpp"

namespace ladder::net::detail {

/// Asserts what an engine needs of a plan: probabilities in [0, 1], 0 <= delay_min_ms <=
/// delay_max_ms, a timeline sorted by time that names only nodes below `node_count`. A plan
/// that breaks these is a programmer's bug: scenario files are validated when they are loaded.
void assert_plan_fits(const FaultPlan& plan, NodeId node_count);

/// What the plan decided for one message that was not cut.
struct MessageFate {
  /// Why the message is lost ("random", "response lost"); empty when it travels.
  std::string_view drop_reason;
  /// How long the message travels; meaningful when it is not lost.
  Time delay_ms = 0;
  /// When the network also delivers a copy: the copy's own delay.
  std::optional<Time> copy_delay_ms;
};

/// Draws one message's fate from `rng`, in this order: drop with plan.drop_probability; for a
/// response, loss with plan.response_loss_probability; the delay, uniform in
/// [delay_min_ms, delay_max_ms]; a copy with plan.duplicate_probability and, if so, the copy's
/// delay. A lost message stops the draws. Changing this order changes every recorded run.
MessageFate draw_message_fate(Rng& rng, const FaultPlan& plan, MessageClass cls);

}  // namespace ladder::net::detail
