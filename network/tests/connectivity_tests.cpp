// The blocked-pairs matrix both engines share: partitions block both ways between groups,
// one-way cuts block one direction, faults accumulate until a heal, and the trace text of a
// fault is the same on both engines.

#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "network/detail/connectivity.hpp"
#include "network/tests/timeline_events.hpp"

using ladder::net::NodeId;
using ladder::net::Topology;
using ladder::net::detail::Connectivity;
using ladder::net::detail::describe_fault;
using ladder::net::test::cut;
using ladder::net::test::partition;

namespace {

// Three replicas and two clients: r0 r1 r2 are 0 1 2, c0 c1 are 3 4.
const Topology kTopology{3, 2};
constexpr NodeId kNodes = 5;

/// Directed pairs (from, to).
using Pairs = std::vector<std::pair<NodeId, NodeId>>;

/// Every blocked directed pair, in (from, to) order: the whole matrix, so that a test states
/// exactly which pairs a fault blocks and, by omission, which it leaves alone.
Pairs blocked_pairs(const Connectivity& links) {
  Pairs out;
  for (NodeId from = 0; from < links.node_count(); ++from) {
    for (NodeId to = 0; to < links.node_count(); ++to) {
      if (links.is_blocked(from, to)) out.emplace_back(from, to);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("a new matrix blocks nothing", "[connectivity]") {
  const Connectivity links(kNodes);
  CHECK(links.node_count() == kNodes);
  CHECK(links.blocked_pairs() == 0);
  CHECK(blocked_pairs(links).empty());
}

TEST_CASE("a partition blocks both ways between groups and keeps links inside each group",
          "[connectivity]") {
  Connectivity links(kNodes);
  links.apply(partition({{0}, {1, 2}}));
  CHECK(blocked_pairs(links) == Pairs{{0, 1}, {0, 2}, {1, 0}, {2, 0}});
  CHECK(links.blocked_pairs() == 4);
}

TEST_CASE("nodes a partition does not list keep every link", "[connectivity]") {
  Connectivity links(kNodes);
  links.apply(partition({{0, 3}, {1}}));
  // c1 (4) and r2 (2) are in no group: they still reach everyone, and everyone reaches them.
  CHECK(blocked_pairs(links) == Pairs{{0, 1}, {1, 0}, {1, 3}, {3, 1}});
}

TEST_CASE("a partition into three groups blocks every pair across groups", "[connectivity]") {
  Connectivity links(kNodes);
  links.apply(partition({{0}, {1}, {2}}));
  CHECK(blocked_pairs(links) == Pairs{{0, 1}, {0, 2}, {1, 0}, {1, 2}, {2, 0}, {2, 1}});
}

TEST_CASE("a one-way cut blocks only from its senders to its receivers", "[connectivity]") {
  Connectivity links(kNodes);
  links.apply(cut({0}, {1, 3}));
  CHECK(blocked_pairs(links) == Pairs{{0, 1}, {0, 3}});
  CHECK_FALSE(links.is_blocked(1, 0));  // the other direction still works
  CHECK_FALSE(links.is_blocked(3, 0));
}

TEST_CASE("a node never blocks itself, even when a cut names it on both sides", "[connectivity]") {
  Connectivity links(kNodes);
  links.apply(cut({0, 1}, {0, 1}));
  CHECK(blocked_pairs(links) == Pairs{{0, 1}, {1, 0}});
  links.block(2, 2);
  CHECK_FALSE(links.is_blocked(2, 2));
  CHECK(links.blocked_pairs() == 2);
}

TEST_CASE("faults accumulate: overlapping ones count each blocked pair once", "[connectivity]") {
  Connectivity links(kNodes);
  links.apply(cut({0}, {1}));
  links.apply(partition({{0}, {1, 2}}));  // blocks 0 -> 1 again, and more
  links.apply(cut({4}, {3}));
  CHECK(blocked_pairs(links) == Pairs{{0, 1}, {0, 2}, {1, 0}, {2, 0}, {4, 3}});
  CHECK(links.blocked_pairs() == 5);
}

TEST_CASE("heal unblocks every pair and says whether anything was blocked", "[connectivity]") {
  Connectivity links(kNodes);
  CHECK_FALSE(links.heal());
  links.apply(partition({{0}, {1, 2}}));
  links.apply(cut({3}, {4}));
  CHECK(links.heal());
  CHECK(links.blocked_pairs() == 0);
  CHECK(blocked_pairs(links).empty());
  CHECK_FALSE(links.heal());
}

TEST_CASE("the matrix works past one 64-bit word", "[connectivity]") {
  // 9 nodes: 81 pairs, two words. The last pair lives in the second word.
  Connectivity links(9);
  links.block(8, 7);
  links.block(0, 8);
  CHECK(blocked_pairs(links) == Pairs{{0, 8}, {8, 7}});
  CHECK(links.heal());
  CHECK(blocked_pairs(links).empty());
}

TEST_CASE("describe_fault names a partition's groups in order, separated by bars",
          "[connectivity]") {
  CHECK(describe_fault(partition({{0}, {1, 2, 3}}), kTopology) == "r0 | r1 r2 c0");
  CHECK(describe_fault(partition({{2, 0}, {4}}), kTopology) == "r2 r0 | c1");
}

TEST_CASE("describe_fault names a cut with an arrow from senders to receivers", "[connectivity]") {
  CHECK(describe_fault(cut({0}, {1, 2}), kTopology) == "cut r0 -> r1 r2");
  CHECK(describe_fault(cut({3, 4}, {0}), kTopology) == "cut c0 c1 -> r0");
}
