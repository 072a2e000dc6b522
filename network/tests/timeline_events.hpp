#pragma once
/// \file
/// Short ways for tests to write the timeline events that change connectivity.

#include <utility>
#include <vector>

#include "network/fault_plan.hpp"

namespace ladder::net::test {

/// A partition into `groups`, at time 0.
inline TimelineEvent partition(std::vector<std::vector<NodeId>> groups) {
  TimelineEvent event;
  event.kind = TimelineKind::partition;
  event.groups = std::move(groups);
  return event;
}

/// A one-way cut from every node of `from` to every node of `to`, at time 0.
inline TimelineEvent cut(std::vector<NodeId> from, std::vector<NodeId> to) {
  TimelineEvent event;
  event.kind = TimelineKind::cut;
  event.from = std::move(from);
  event.to = std::move(to);
  return event;
}

}  // namespace ladder::net::test
