#include "choose_log.hpp"

#include <algorithm>
#include <utility>

#include "exercises/07_fix_v4/given/your_code_here.hpp"

namespace ladder::ex07 {

//! [choose-log]
// The first-release protocol decides this, and loses acknowledged increments:
//
//     return level3::LogChoice{self, dvc[self]->log.commit_number()};   // "my log is the truth"
//
// Write rule V4 of docs/protocol.md instead: the log of the freshest DoViewChange (the largest
// last_normal_view, then the largest op_number), and the largest commit number among them all.
level3::LogChoice choose_log(
    [[maybe_unused]] const std::vector<std::optional<protocol::DoViewChange>>& dvc,
    [[maybe_unused]] protocol::ReplicaId self) {
  your_code_here("choose_log must pick the freshest log and the largest commit number (rule V4)");
}
//! [choose-log]

}  // namespace ladder::ex07
