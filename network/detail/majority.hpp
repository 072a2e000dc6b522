#pragma once
/// \file
/// When a majority of replicas is available, and the windows of time in which it was: the rule
/// behind both engines' majority_windows(), which the "stuck" checker reads (no operation
/// completed while a majority was up and connected). Internal to network/.

#include <vector>

#include "network/detail/connectivity.hpp"
#include "network/sim_network.hpp"  // Window
#include "network/types.hpp"

namespace ladder::net::detail {

/// majority_available() enumerates subsets of replicas; 2^20 of them is still quick.
inline constexpr int kMaxReplicasForMajority = 20;

/// True when some majority of the replicas (ids 0 .. replicas-1) is up and every pair of them is
/// connected both ways. A replica that can reach another only one way does not count as
/// together with it: a protocol needs answers. Preconditions: 0 <= replicas <=
/// kMaxReplicasForMajority, `up` and `links` cover every replica.
[[nodiscard]] bool majority_available(int replicas, const std::vector<bool>& up,
                                      const Connectivity& links);

/// Records the windows [begin, end) in which a majority was available, from a sequence of
/// (available, time) updates in non-decreasing time. A window that would be empty (it opens
/// and closes at the same time) is not recorded.
class MajorityWindows {
 public:
  /// Nothing available and no windows yet.
  MajorityWindows() = default;

  /// Availability is `available` from time `now` on; opens or closes a window when it changes.
  void update(bool available, Time now);
  /// Whether the last update said available.
  [[nodiscard]] bool available() const { return available_; }
  /// The windows so far, disjoint and in order; an open window is closed at `now`.
  [[nodiscard]] std::vector<Window> windows(Time now) const;

 private:
  std::vector<Window> closed_;
  bool available_ = false;
  Time since_ = 0;  // when the open window began (meaningful while available_)
};

}  // namespace ladder::net::detail
