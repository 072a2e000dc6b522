// The majority rule both engines share ("some majority of replicas is up and pairwise connected
// both ways") and the tracker that turns its changes into windows of time.

#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "network/detail/connectivity.hpp"
#include "network/detail/majority.hpp"
#include "network/tests/timeline_events.hpp"

using ladder::net::NodeId;
using ladder::net::Window;
using ladder::net::detail::Connectivity;
using ladder::net::detail::majority_available;
using ladder::net::detail::MajorityWindows;
using ladder::net::test::cut;
using ladder::net::test::partition;

namespace {

/// `replicas` replicas and one client, all up and connected.
struct Net {
  explicit Net(int replicas)
      : count(replicas),
        up(static_cast<std::size_t>(replicas) + 1, true),
        links(static_cast<NodeId>(replicas) + 1) {}
  [[nodiscard]] bool majority() const { return majority_available(count, up, links); }

  int count;
  std::vector<bool> up;
  Connectivity links;
};

bool same(const std::vector<Window>& a, const std::vector<Window>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].begin != b[i].begin || a[i].end != b[i].end) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("all replicas up and connected is a majority; no replicas never is", "[majority]") {
  CHECK(Net(1).majority());
  CHECK(Net(3).majority());
  CHECK(Net(5).majority());
  CHECK_FALSE(Net(0).majority());
}

TEST_CASE("crashed replicas count against the majority", "[majority]") {
  Net net(3);
  net.up[0] = false;
  CHECK(net.majority());  // r1 and r2: two of three
  net.up[1] = false;
  CHECK_FALSE(net.majority());  // r2 alone
  net.up[0] = true;
  CHECK(net.majority());  // r0 and r2
}

TEST_CASE("a partition leaves a majority only on a side with more than half the replicas",
          "[majority]") {
  Net net(5);
  net.links.apply(partition({{0, 1}, {2, 3, 4}}));
  CHECK(net.majority());
  net.up[4] = false;  // the larger side is down to two of five
  CHECK_FALSE(net.majority());
  net.links.heal();
  CHECK(net.majority());  // r0 r1 r2 r3
}

TEST_CASE("an isolated client does not matter to the majority", "[majority]") {
  Net net(3);
  net.links.apply(partition({{0, 1, 2}, {3}}));  // 3 is the client
  CHECK(net.majority());
}

TEST_CASE("a one-way cut separates two replicas as much as a partition does", "[majority]") {
  Net net(3);
  net.links.apply(cut({0}, {1}));
  CHECK(net.majority());  // r0 r2 or r1 r2 are still together both ways
  net.links.apply(cut({2}, {0}));
  CHECK(net.majority());  // r1 r2 still together
  net.links.apply(cut({1}, {2}));
  CHECK_FALSE(net.majority());  // every pair lost one direction
}

TEST_CASE("a majority must be pairwise connected, not only connected through someone",
          "[majority]") {
  // r0 - r1 - r2 in a line with r0 and r2 cut off from each other, and r3, r4 crashed: three
  // live replicas of five, each reaching a neighbour, but no three of them form a clique.
  Net net(5);
  net.up[3] = false;
  net.up[4] = false;
  net.links.apply(partition({{0}, {2}}));
  CHECK_FALSE(net.majority());
  net.up[3] = true;  // r1 r2 r3 are pairwise connected
  CHECK(net.majority());
}

TEST_CASE("the windows open and close with availability and skip empty ones", "[majority]") {
  MajorityWindows windows;
  CHECK_FALSE(windows.available());
  CHECK(windows.windows(100).empty());

  windows.update(true, 0);
  CHECK(windows.available());
  CHECK(same(windows.windows(50), {{0, 50}}));  // the open window closes at "now"
  windows.update(true, 20);                     // no change: the window goes on
  windows.update(false, 30);
  windows.update(false, 35);
  windows.update(true, 40);
  windows.update(false, 40);  // open and closed at once: nothing to record
  windows.update(true, 60);
  CHECK(same(windows.windows(90), {{0, 30}, {60, 90}}));
  CHECK(same(windows.windows(60), {{0, 30}}));  // the open window is still empty at 60
}
