#pragma once
/// \file
/// Exercise 07: rule V4's one decision, written by you. The level-3 core calls it through
/// ReplicaConfig::choose_log (level3_pure/core/replica.hpp) in place of the first-release variant's
/// "my own log is the truth", and the simulator runs the monkey against it.

#include <optional>
#include <vector>

#include "level3_pure/core/replica.hpp"
#include "protocol/messages.hpp"

namespace ladder::ex07 {

/// Rule V4 of docs/protocol.md: which DoViewChange's log the new primary `self` installs, and the
/// commit number it applies up to. `dvc[r]` is replica r's DoViewChange for the new view, or
/// nullopt; at least a quorum are present, self's among them. A level3::LogChooser.
level3::LogChoice choose_log(const std::vector<std::optional<protocol::DoViewChange>>& dvc,
                             protocol::ReplicaId self);

}  // namespace ladder::ex07
