#include "exercises/08_pure_step/given/imperative_primary.hpp"

#include <algorithm>
#include <cassert>
#include <functional>
#include <utility>

namespace ladder::ex08 {

ImperativePrimary::ImperativePrimary(Primary state, SendFn send, ReplyFn reply)
    : state_(std::move(state)), send_(std::move(send)), reply_(std::move(reply)) {
  assert(state_.acked.size() == static_cast<std::size_t>(state_.replicas) &&
         "acked has an entry per replica");
}

//! [imperative]
void ImperativePrimary::on(const protocol::PrepareOk& ack) {
  if (ack.view != state_.view) return;  // an ack of another view acknowledges nothing here
  if (ack.from == state_.self || static_cast<int>(ack.from) >= state_.replicas) return;
  // I2: a backup holds a prefix of the primary's log, never more; a larger ack is malformed.
  if (ack.op_number > state_.log.op_number()) return;
  auto& acked = state_.acked[ack.from];
  acked = std::max(acked, ack.op_number);  // N4: acks are cumulative
  commit();
}

void ImperativePrimary::on_heartbeat() {
  const protocol::Log& log = state_.log;
  if (log.op_number() > log.commit_number()) {
    // N7: the latest Prepare again; a backup that misses earlier ones asks for state.
    send_to_backups(
        protocol::Prepare{state_.view, log.op_number(), log.commit_number(), log.suffix.back()});
  } else {
    send_to_backups(protocol::Commit{state_.view, log.commit_number()});
  }
}

// N5: the largest op that f backups acknowledged (the f-th largest ack) commits, with every op
// before it; each is applied and its client answered, in op order.
void ImperativePrimary::commit() {
  std::vector<protocol::OpNumber> acks;
  for (int r = 0; r < state_.replicas; ++r) {
    if (static_cast<protocol::ReplicaId>(r) != state_.self) {
      acks.push_back(state_.acked[static_cast<std::size_t>(r)]);
    }
  }
  std::sort(acks.begin(), acks.end(), std::greater<>());
  const int f = state_.f();
  const protocol::OpNumber quorum_acked =
      f == 0 ? state_.log.op_number() : acks[static_cast<std::size_t>(f - 1)];
  while (state_.log.commit_number() < quorum_acked) {
    const protocol::ClientRecord applied = apply_next(state_.log);
    reply_(applied.request.client, protocol::Reply{state_.view, applied.request, applied.value});
  }
}
//! [imperative]

void ImperativePrimary::send_to_backups(const protocol::Message& message) {
  for (int r = 0; r < state_.replicas; ++r) {
    if (static_cast<protocol::ReplicaId>(r) != state_.self) {
      send_(static_cast<protocol::ReplicaId>(r), message);
    }
  }
}

}  // namespace ladder::ex08
