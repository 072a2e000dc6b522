#include "choose_log.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace ladder::ex07 {

//! [choose-log]
// The freshest log holds every committed op (I1): an op committed in view v sits in the logs of a
// quorum of view v, a quorum of DoViewChanges meets that quorum in at least one replica, and that
// replica's log is at least as fresh as any log that lacks the op. "Freshest" is the largest
// last_normal_view (a log from a later normal view supersedes older ones, however long they
// are), then the largest op_number. The commit number is the largest any replica knows: every op
// up to it is committed, so every op up to it is in the freshest log.
level3::LogChoice choose_log(const std::vector<std::optional<protocol::DoViewChange>>& dvc,
                             [[maybe_unused]] protocol::ReplicaId self) {
  const protocol::DoViewChange* best = nullptr;
  protocol::OpNumber commit = 0;
  for (const auto& entry : dvc) {  // in replica id order: ">" keeps the smallest id on ties
    if (!entry) continue;
    const bool fresher =
        best == nullptr || std::pair(entry->last_normal_view, entry->log.op_number()) >
                               std::pair(best->last_normal_view, best->log.op_number());
    if (fresher) best = &*entry;
    commit = std::max(commit, entry->log.commit_number());
  }
  assert(best != nullptr && "V4 chooses among at least one DoViewChange");
  return level3::LogChoice{best->from, commit};
}
//! [choose-log]

}  // namespace ladder::ex07
