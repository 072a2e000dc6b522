/// \file
/// The majority rule (a clique search over the live replicas) and the window tracker.

#include "network/detail/majority.hpp"

#include <bit>
#include <cassert>
#include <cstdint>

namespace ladder::net::detail {
namespace {

/// True when every member of `subset` can talk both ways with every other member.
bool is_clique(std::uint32_t subset, const std::vector<std::uint32_t>& together) {
  for (std::uint32_t rest = subset; rest != 0; rest &= rest - 1) {
    const auto member = static_cast<std::size_t>(std::countr_zero(rest));
    if ((together[member] & subset) != subset) return false;
  }
  return true;
}

}  // namespace

bool majority_available(int replicas, const std::vector<bool>& up, const Connectivity& links) {
  assert(0 <= replicas && replicas <= kMaxReplicasForMajority && "subsets fit a 32-bit mask");
  assert(up.size() >= static_cast<std::size_t>(replicas) && "`up` covers every replica");
  assert(links.node_count() >= static_cast<NodeId>(replicas) && "`links` covers every replica");
  if (replicas == 0) return false;
  const int needed = replicas / 2 + 1;
  // together[i]: the replicas that replica i can talk with both ways (i itself included).
  std::vector<std::uint32_t> together(static_cast<std::size_t>(replicas), 0);
  std::uint32_t live = 0;
  for (int i = 0; i < replicas; ++i) {
    const auto a = static_cast<NodeId>(i);
    if (!up[a]) continue;
    live |= 1U << a;
    for (int j = 0; j < replicas; ++j) {
      const auto b = static_cast<NodeId>(j);
      if (up[b] && !links.is_blocked(a, b) && !links.is_blocked(b, a)) together[a] |= 1U << b;
    }
  }
  if (std::popcount(live) < needed) return false;
  for (std::uint32_t subset = live;; subset = (subset - 1) & live) {  // every subset of `live`
    if (std::popcount(subset) >= needed && is_clique(subset, together)) return true;
    if (subset == 0) break;
  }
  return false;
}

void MajorityWindows::update(bool available, Time now) {
  assert((closed_.empty() || closed_.back().end <= now) && "updates come in time order");
  if (available && !available_) {
    since_ = now;
  } else if (!available && available_ && since_ < now) {
    closed_.push_back(Window{since_, now});
  }
  available_ = available;
}

std::vector<Window> MajorityWindows::windows(Time now) const {
  std::vector<Window> out = closed_;
  if (available_ && since_ < now) out.push_back(Window{since_, now});
  for (std::size_t i = 1; i < out.size(); ++i) {
    assert(out[i - 1].end <= out[i].begin && "windows are disjoint and in order");
  }
  return out;
}

}  // namespace ladder::net::detail
