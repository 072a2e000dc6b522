#pragma once
/// \file
/// Exercise 08: the primary's rules N4, N5 and N7 as a pure step, the way level 3 writes the
/// whole protocol: `step(state, input) -> {next state, actions}`, with no callback and no
/// mutation of anything the caller holds.

#include <vector>

#include "exercises/08_pure_step/given/primary.hpp"

namespace ladder::ex08 {

/// What step() returns: the primary after the input, and what to do, in order.
struct StepResult {
  Primary next;  ///< the state after the input
  std::vector<Action>
      actions;  ///< the sends and replies, in the order the imperative code makes them
  /// Results compare field by field.
  friend bool operator==(const StepResult&, const StepResult&) = default;
};

/// The primary's transition for `input`: the same state changes, sends and replies as
/// ImperativePrimary's handlers, returned instead of done. `state` is not changed; the same
/// state and input give the same result, every time.
StepResult step(const Primary& state, const Input& input);

}  // namespace ladder::ex08
