#pragma once
/// \file
/// FaultPlan: the one vocabulary of faults that both engines (simulated and real) apply.

#include <string>
#include <vector>

#include "network/types.hpp"

namespace ladder::net {

/// What can happen on the timeline of a run.
enum class TimelineKind {
  partition,  ///< nodes in different `groups` cannot talk (both directions); unlisted nodes reach
              ///< all
  cut,        ///< one-way cut: messages from any node in `from` to any node in `to` are lost
  heal,       ///< every partition and cut is removed
  crash,      ///< `node` stops: its volatile state is gone, messages to it are lost, its timers die
  restart,    ///< `node` starts again from what it persisted (nothing, for most levels)
};

/// The name used in scenario files: "partition", "cut", "heal", "crash", "restart".
const char* to_string(TimelineKind kind);

/// One scheduled fault. Which fields matter depends on `kind`.
struct TimelineEvent {
  Time at_ms = 0;                           ///< when it happens
  TimelineKind kind = TimelineKind::heal;   ///< what happens
  std::vector<std::vector<NodeId>> groups;  ///< partition: the sides
  std::vector<NodeId> from;                 ///< cut: senders whose messages are lost ...
  std::vector<NodeId> to;                   ///< cut: ... when addressed to these nodes
  NodeId node = 0;                          ///< crash, restart: the node
};

/// Probabilities and delays applied to every message, plus a timeline of partitions and crashes.
///
/// Each field is independent: a message is first dropped with `drop_probability`; a response
/// (a reply to a client's call) is also lost with `response_loss_probability`; a message that
/// survives is delayed by a uniform draw from [delay_min_ms, delay_max_ms] (so a wide range
/// reorders messages) and, with `duplicate_probability`, delivered a second time after an
/// independent delay.
struct FaultPlan {
  double drop_probability = 0.0;  ///< each message is lost with this probability
  double duplicate_probability =
      0.0;                ///< each delivered message arrives twice with this probability
  Time delay_min_ms = 1;  ///< shortest delivery delay
  Time delay_max_ms = 1;  ///< longest delivery delay (>= delay_min_ms)
  double response_loss_probability =
      0.0;  ///< each response is lost with this probability (on top of drops)
  std::vector<TimelineEvent> timeline;  ///< scheduled faults, sorted by `at_ms`
};

}  // namespace ladder::net
