#include "no_lost_add.hpp"

#include <fmt/format.h>

#include "exercises/09_invariant/given/log_holds.hpp"

namespace ladder::ex09 {

//! [no-lost-add]
// Invariant I1 of docs/protocol.md: an add acknowledged in view v is held by every live primary
// of a view >= v. Not by every replica: a backup may lag (it catches up from its primary), and so
// may a deposed primary of an older view (it learns the newer view's log when it rejoins). A
// primary of view >= v is the replica whose log becomes everyone's truth: if it lacks the add,
// the add is gone for good.
std::optional<std::string> no_lost_add(const level4::Level3State& state) {
  for (const level4::Acknowledged& ack : state.acknowledged) {
    for (std::size_t r = 0; r < state.replicas.size(); ++r) {
      const level3::Replica& replica = state.replicas[r];
      const bool down = (state.down & (1U << r)) != 0;
      if (down || replica.role() != level3::Role::primary || replica.view < ack.view) continue;
      if (log_holds(replica.log, ack.request)) continue;
      return fmt::format("{} was acknowledged in view {}, but r{}, primary of view {}, lost it",
                         spec::to_string(ack.request), ack.view, r, replica.view);
    }
  }
  return std::nullopt;
}
//! [no-lost-add]

}  // namespace ladder::ex09
