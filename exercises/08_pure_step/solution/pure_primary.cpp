#include "pure_primary.hpp"

#include <algorithm>
#include <functional>
#include <variant>

namespace ladder::ex08 {

namespace {

// Every backup gets `message`, in replica id order (the imperative code's order).
void send_to_backups(const Primary& state, const protocol::Message& message,
                     std::vector<Action>& actions) {
  for (int r = 0; r < state.replicas; ++r) {
    const auto to = static_cast<protocol::ReplicaId>(r);
    if (to != state.self) actions.emplace_back(Send{to, message});
  }
}

//! [commit]
// N5 on the copy: the f-th largest ack among the backups commits; each op applied is a Reply.
void commit(Primary& next, std::vector<Action>& actions) {
  std::vector<protocol::OpNumber> acks;
  for (int r = 0; r < next.replicas; ++r) {
    if (static_cast<protocol::ReplicaId>(r) != next.self) {
      acks.push_back(next.acked[static_cast<std::size_t>(r)]);
    }
  }
  std::sort(acks.begin(), acks.end(), std::greater<>());
  const int f = next.f();
  const protocol::OpNumber quorum_acked =
      f == 0 ? next.log.op_number() : acks[static_cast<std::size_t>(f - 1)];
  while (next.log.commit_number() < quorum_acked) {
    const protocol::ClientRecord applied = apply_next(next.log);
    actions.emplace_back(ReplyToClient{applied.request.client,
                                       protocol::Reply{next.view, applied.request, applied.value}});
  }
}
//! [commit]

//! [on-prepare-ok]
// N4: the same guards as the imperative handler; an ignored input returns the state unchanged.
StepResult on_prepare_ok(const Primary& state, const protocol::PrepareOk& ack) {
  StepResult result{state, {}};
  if (ack.view != state.view) return result;
  if (ack.from == state.self || static_cast<int>(ack.from) >= state.replicas) return result;
  if (ack.op_number > state.log.op_number()) return result;
  auto& acked = result.next.acked[ack.from];
  acked = std::max(acked, ack.op_number);
  commit(result.next, result.actions);
  return result;
}
//! [on-prepare-ok]

//! [on-heartbeat]
// N7: only actions; the state comes back as it was.
StepResult on_heartbeat(const Primary& state) {
  StepResult result{state, {}};
  const protocol::Log& log = state.log;
  if (log.op_number() > log.commit_number()) {
    send_to_backups(
        state,
        protocol::Prepare{state.view, log.op_number(), log.commit_number(), log.suffix.back()},
        result.actions);
  } else {
    send_to_backups(state, protocol::Commit{state.view, log.commit_number()}, result.actions);
  }
  return result;
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
