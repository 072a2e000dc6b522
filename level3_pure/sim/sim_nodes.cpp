#include "level3_pure/sim/sim_nodes.hpp"

#include <cassert>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "protocol/codec.hpp"

namespace ladder::level3::detail {
namespace {

std::size_t timer_slot(Timer timer) {
  const auto slot = static_cast<std::size_t>(timer);
  assert(slot < 4 && "four named timers");
  return slot;
}

// The log a message carries, if it is one of those that hand a log over.
const protocol::Log* log_in(const protocol::Message& message) {
  if (const auto* m = std::get_if<protocol::StartView>(&message)) return &m->log;
  if (const auto* m = std::get_if<protocol::NewState>(&message)) return &m->log;
  if (const auto* m = std::get_if<protocol::DoViewChange>(&message)) return &m->log;
  if (const auto* m = std::get_if<protocol::RecoveryResponse>(&message)) {
    return m->log ? &*m->log : nullptr;
  }
  return nullptr;
}

// Arms timer `timer` of a node, replacing the armed one (action.hpp, duty 3).
void arm(net::NodeContext& ctx, std::optional<net::TimerId>& slot, Timer timer,
         net::Time after_ms) {
  assert(after_ms > 0 && "SetTimer asks for a positive delay");
  if (slot) ctx.cancel_timer(*slot);
  slot = ctx.set_timer(after_ms, static_cast<std::uint64_t>(timer));
}

void disarm(net::NodeContext& ctx, std::optional<net::TimerId>& slot) {
  if (slot) ctx.cancel_timer(*slot);
  slot.reset();
}

}  // namespace

// ---- Replicas ----------------------------------------------------------------------------------

ReplicaNode::ReplicaNode(ReplicaConfig config, net::Rng nonces, ApplyLedger& ledger)
    : config_(config), nonces_(nonces), ledger_(&ledger) {
  assert(config_.valid() && "a replica needs a valid config");
}

void ReplicaNode::on_start(net::NodeContext& ctx) {
  assert(!state_ && "on_start for a replica that is running");
  if (!booted_) {
    booted_ = true;
    StepResult result = boot(config_);
    state_ = result.next;
    // Installing a replica formats its disk with the initial durable state: a replica that
    // crashes before its first Persist still restarts from a disk (P3), not as a stranger (R0).
    disk_ = state_->durable();
    execute(ctx, result, state_->role());
    return;
  }
  // A restart: the process comes back with what its disk holds (P3) and a fresh nonce (R0).
  // step() starts from whatever the crash left (the role table knows where each role may
  // restart to) and keeps only what the disk holds.
  assert(left_by_crash_ && "a restart follows a crash");
  const Input input = Recovered{disk_, nonces_.next()};
  ctx.note(describe(input));
  state_ = std::move(left_by_crash_);
  left_by_crash_.reset();
  run(ctx, input);
}

void ReplicaNode::on_message(net::NodeContext& ctx, net::NodeId from, std::string_view payload) {
  assert(state_ && "the network delivers nothing to a crashed node");
  protocol::DecodeResult decoded = protocol::decode_datagram(payload);
  if (!decoded) {
    ++malformed_;  // bytes from a stranger: counted, never a crash
    return;
  }
  Receive receive{from, std::move(decoded).message()};
  if (const protocol::Log* log = log_in(receive.message)) {
    ledger_->received_log(static_cast<int>(config_.self), *log);
  }
  run(ctx, receive);
}

void ReplicaNode::on_timer(net::NodeContext& ctx, std::uint64_t tag) {
  assert(state_ && "a crashed node's timers do not fire");
  assert(tag < 3 && "a replica arms only heartbeat, view_change and recovery");
  const auto timer = static_cast<Timer>(tag);
  timers_[timer_slot(timer)].reset();  // a timer that fires is disarmed
  run(ctx, TimerFired{timer});
}

void ReplicaNode::on_crash() {
  // The process is gone: nothing steps until the restart, which keeps only the disk.
  left_by_crash_ = std::move(state_);
  state_.reset();
  unwritten_.reset();  // P4, P5: a Persist still unwritten is lost, as on a real machine
  for (auto& timer : timers_)
    timer.reset();  // the network already dropped them
}

void ReplicaNode::run(net::NodeContext& ctx, const Input& input) {
  assert(state_);
  // The runtime writes a lazy Persist with the next batch's sync or soon after on its own, and
  // syncs a primary's new op while its Prepares travel; here either reaches the disk at the
  // replica's next step, so a crash before that step loses it (P4, P5).
  if (unwritten_) disk_ = *std::exchange(unwritten_, std::nullopt);
  const Role before = state_->role();
  StepResult result = step(std::move(*state_), input);
  state_ = std::move(result.next);
  execute(ctx, result, before);
}

void ReplicaNode::execute(net::NodeContext& ctx, const StepResult& result, Role before) {
  const Replica& replica = *state_;
  ledger_->stepped(static_cast<int>(config_.self), replica.log);
  if (replica.role() != before) {
    // Role changes are the story of a run: they go into the trace (and the digest).
    ctx.note(fmt::format("{} -> {} v{} ({})", to_string(before), to_string(replica.role()),
                         replica.view, name(result.rule)));
  }
  for (const Action& action : result.actions) {
    if (const auto* persist = std::get_if<Persist>(&action)) {
      if (persist->durability == Durability::before_sends) {
        disk_ = persist->state;  // "written and fsync'ed" before the next action: P2
        unwritten_.reset();      // an older unwritten state is part of this one
      } else {
        // P4: nothing waits for it. P5: the step's Prepares leave first; the step's replies
        // would wait, and N2d with n > 1 has none (step.cpp).
        unwritten_ = persist->state;
      }
    } else if (const auto* send = std::get_if<Send>(&action)) {
      assert(send->to != config_.self && "step never sends to self");
      ctx.send(send->to, protocol::encode_datagram(send->message));
    } else if (const auto* reply = std::get_if<ReplyToClient>(&action)) {
      const net::NodeId client = static_cast<net::NodeId>(config_.cluster.replicas) + reply->client;
      ctx.send(client, protocol::encode_datagram(reply->reply), net::MessageClass::response);
    } else if (const auto* set = std::get_if<SetTimer>(&action)) {
      arm(ctx, timers_[timer_slot(set->timer)], set->timer, set->after_ms);
    } else if (const auto* cancel = std::get_if<CancelTimer>(&action)) {
      disarm(ctx, timers_[timer_slot(cancel->timer)]);
    }
  }
}

// ---- Clients -----------------------------------------------------------------------------------

ClientNode::ClientNode(spec::ClientId id, const protocol::Config& cluster,
                       std::vector<net::PlannedOp> ops, spec::History& history)
    : state_(ClientState::initial(id, cluster)), ops_(std::move(ops)), history_(&history) {}

void ClientNode::on_start(net::NodeContext& ctx) {
  if (!started_) {
    started_ = true;
    think(ctx);
    return;
  }
  // Back from a crash with its memory: ask again, or go on with the plan.
  if (state_.busy()) {
    run(ctx, TimerFired{Timer::client_retry});
  } else {
    think(ctx);
  }
}

void ClientNode::on_message(net::NodeContext& ctx, net::NodeId from, std::string_view payload) {
  protocol::DecodeResult decoded = protocol::decode_datagram(payload);
  if (!decoded) return;  // a client ignores what it cannot read; it will retry
  run(ctx, Receive{from, std::move(decoded).message()});
}

void ClientNode::on_timer(net::NodeContext& ctx, std::uint64_t tag) {
  if (tag == kThinkTag) {
    pause_.reset();
    assert(next_op_ < ops_.size() && "a think pause is armed only before an operation");
    const net::PlannedOp& op = ops_[next_op_++];
    run(ctx, Invoke{op.read ? protocol::Op::read() : protocol::Op::add(op.delta)});
    return;
  }
  assert(tag == static_cast<std::uint64_t>(Timer::client_retry) && "a client's own timer");
  retry_.reset();
  run(ctx, TimerFired{Timer::client_retry});
}

void ClientNode::on_crash() {
  retry_.reset();
  pause_.reset();
}

void ClientNode::think(net::NodeContext& ctx) {
  if (next_op_ == ops_.size() || pause_) return;
  // A pause of 0 ms still goes through the queue, so an operation never starts inside another
  // node's handler.
  pause_ = ctx.set_timer(ops_[next_op_].think_ms, kThinkTag);
}

void ClientNode::run(net::NodeContext& ctx, const ClientInput& input) {
  ClientStepResult result = client_step(std::move(state_), input);
  state_ = std::move(result.next);
  for (const ClientAction& action : result.actions) {
    const auto client = state_.id;
    if (const auto* send = std::get_if<Send>(&action)) {
      ctx.send(send->to, protocol::encode_datagram(send->message));
    } else if (const auto* set = std::get_if<SetTimer>(&action)) {
      arm(ctx, retry_, set->timer, set->after_ms);
    } else if (std::holds_alternative<CancelTimer>(action)) {
      disarm(ctx, retry_);
    } else if (const auto* invoked = std::get_if<Invoked>(&action)) {
      ctx.note(describe(action));
      const protocol::Op& op = invoked->request.op;
      history_->invoke(ctx.now(), client, op.kind, op.delta, invoked->request.id);
    } else if (const auto* completed = std::get_if<Completed>(&action)) {
      ctx.note(describe(action));
      // The history keeps a value for reads only; an add's reply value is in the trace.
      const bool read = completed->request.op.kind == spec::OpKind::read;
      history_->ok(ctx.now(), client, read ? completed->value : 0);
      think(ctx);
    } else if (std::holds_alternative<Abandoned>(action)) {
      ctx.note(describe(action));
      history_->info(ctx.now(), client);
      think(ctx);
    }
  }
}

}  // namespace ladder::level3::detail
