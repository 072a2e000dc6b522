#pragma once
/// \file
/// Exercise 09: an invariant of level 3's cluster, written by you, checked by level 4's explorer
/// in every reachable state (through level4::WithInvariant, in place of the model's own).

#include <optional>
#include <string>

#include "level4_explore/level3_model.hpp"

namespace ladder::ex09 {

/// "An acknowledged add is never lost": nullopt when `state` is fine; else a message that names
/// the lost request (spec::to_string: "c0#1") and the replica that lost it ("r1").
std::optional<std::string> no_lost_add(const level4::Level3State& state);

}  // namespace ladder::ex09
