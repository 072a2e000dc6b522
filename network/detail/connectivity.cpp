/// \file
/// The blocked-pairs matrix and the trace text of partitions and cuts.

#include "network/detail/connectivity.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace ladder::net::detail {

Connectivity::Connectivity(NodeId node_count)
    : node_count_(node_count),
      words_((static_cast<std::size_t>(node_count) * node_count + 63) / 64, 0) {}

void Connectivity::block(NodeId from, NodeId to) {
  assert(from < node_count_ && "block: sender outside the topology");
  assert(to < node_count_ && "block: receiver outside the topology");
  if (from == to || is_blocked(from, to)) return;
  const std::size_t bit = index(from, to);
  words_[bit / 64] |= std::uint64_t{1} << (bit % 64);
  ++blocked_pairs_;
}

void Connectivity::apply(const TimelineEvent& event) {
  switch (event.kind) {
    case TimelineKind::partition:
      for (std::size_t i = 0; i < event.groups.size(); ++i) {
        for (std::size_t j = 0; j < event.groups.size(); ++j) {
          if (i == j) continue;
          for (const NodeId a : event.groups[i]) {
            for (const NodeId b : event.groups[j])
              block(a, b);
          }
        }
      }
      return;
    case TimelineKind::cut:
      for (const NodeId a : event.from) {
        for (const NodeId b : event.to)
          block(a, b);
      }
      return;
    case TimelineKind::heal:
    case TimelineKind::crash:
    case TimelineKind::restart:
      break;
  }
  assert(false && "Connectivity::apply takes a partition or a cut");
}

bool Connectivity::heal() {
  const bool anything = blocked_pairs_ != 0;
  std::fill(words_.begin(), words_.end(), 0);
  blocked_pairs_ = 0;
  return anything;
}

namespace {

/// "r0 r1 c0": the names, space separated, in the order given.
std::string names(const std::vector<NodeId>& ids, const Topology& topology) {
  std::string out;
  for (const NodeId id : ids) {
    if (!out.empty()) out += ' ';
    out += topology.name(id);
  }
  return out;
}

}  // namespace

std::string describe_fault(const TimelineEvent& event, const Topology& topology) {
  if (event.kind == TimelineKind::cut) {
    return fmt::format("cut {} -> {}", names(event.from, topology), names(event.to, topology));
  }
  assert(event.kind == TimelineKind::partition && "describe_fault takes a partition or a cut");
  std::string out;
  for (const auto& group : event.groups) {
    if (!out.empty()) out += " | ";
    out += names(group, topology);
  }
  return out;
}

}  // namespace ladder::net::detail
