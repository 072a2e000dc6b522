#pragma once
/// \file
/// Which directed pairs of nodes can talk: the partition and one-way cut state that both engines
/// (SimNetwork and UdpNetwork) keep, change with timeline events and check on every message.
/// Internal to network/: the engines' public headers expose it only as `connected(from, to)`.

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "network/fault_plan.hpp"
#include "network/types.hpp"

namespace ladder::net::detail {

/// The set of blocked directed pairs (from, to) among `node_count` nodes.
///
/// Faults accumulate: a partition or a cut blocks more pairs and never unblocks one, so two
/// overlapping partitions leave the union of their blocks, until heal() clears them all. A node
/// always reaches itself. The state is a bitset (bit from * node_count + to) with a count of
/// blocked pairs, so that the check on every message is one branch while nothing is blocked.
class Connectivity {
 public:
  /// Every pair connected.
  explicit Connectivity(NodeId node_count);

  /// True when a message from `from` to `to` is lost to a partition or cut.
  [[nodiscard]] bool is_blocked(NodeId from, NodeId to) const {
    assert(from < node_count_ && "is_blocked: sender outside the topology");
    assert(to < node_count_ && "is_blocked: receiver outside the topology");
    if (blocked_pairs_ == 0) return false;
    const std::size_t bit = index(from, to);
    return ((words_[bit / 64] >> (bit % 64)) & 1U) != 0;
  }
  /// How many directed pairs are blocked (a pair from a node to itself never is).
  [[nodiscard]] std::size_t blocked_pairs() const { return blocked_pairs_; }
  /// The number of nodes the matrix covers.
  [[nodiscard]] NodeId node_count() const { return node_count_; }

  /// Blocks messages from `from` to `to` (the other direction is untouched). Blocking a pair
  /// twice, or a node from itself, changes nothing.
  void block(NodeId from, NodeId to);
  /// Applies a partition (every pair of nodes in different groups, both ways; nodes in no group
  /// keep their links) or a one-way cut (every `from` to every `to`). Precondition: the event is
  /// a partition or a cut and names only nodes below node_count().
  void apply(const TimelineEvent& event);
  /// Unblocks every pair; returns true when anything was blocked.
  bool heal();

 private:
  [[nodiscard]] std::size_t index(NodeId from, NodeId to) const {
    return static_cast<std::size_t>(from) * node_count_ + to;
  }

  NodeId node_count_;
  std::vector<std::uint64_t> words_;  // bit index(from, to) set: the pair is blocked
  std::size_t blocked_pairs_ = 0;     // the number of set bits
};

/// The trace text of a partition or cut, the same for both engines: "r0 | r1 r2 c0" for a
/// partition (groups in order, members as listed), "cut r0 -> r1 r2" for a one-way cut.
/// Precondition: the event is a partition or a cut.
std::string describe_fault(const TimelineEvent& event, const Topology& topology);

}  // namespace ladder::net::detail
