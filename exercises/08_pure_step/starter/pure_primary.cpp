#include "pure_primary.hpp"

#include <algorithm>
#include <functional>
#include <variant>

#include "exercises/08_pure_step/given/your_code_here.hpp"

namespace ladder::ex08 {

namespace {

//! [on-prepare-ok]
// Rewrite ImperativePrimary::on(PrepareOk) and its commit() (given/imperative_primary.cpp) on a
// copy: start from StepResult{state, {}}, change result.next where the imperative code changes
// state_, and where it calls reply_(client, reply) append ReplyToClient{client, reply} to
// result.actions instead. An ignored ack returns the copy unchanged, with no actions.
StepResult on_prepare_ok([[maybe_unused]] const Primary& state,
                         [[maybe_unused]] const protocol::PrepareOk& ack) {
  your_code_here(
      "part 1: on_prepare_ok must record the ack (N4), commit (N5) and return the replies");
}
//! [on-prepare-ok]

//! [on-heartbeat]
// Rewrite ImperativePrimary::on_heartbeat: each send_(to, message) becomes Send{to, message} in
// result.actions, in the same order (replica id order, skipping self).
StepResult on_heartbeat([[maybe_unused]] const Primary& state) {
  your_code_here("part 2: on_heartbeat must return the Prepare or Commit for every backup (N7)");
}
//! [on-heartbeat]

}  // namespace

//! [step]
StepResult step(const Primary& state, const Input& input) {
  if (const auto* ack = std::get_if<protocol::PrepareOk>(&input)) return on_prepare_ok(state, *ack);
  return on_heartbeat(state);
}
//! [step]

}  // namespace ladder::ex08
