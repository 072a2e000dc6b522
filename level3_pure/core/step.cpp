/// \file
/// step() and boot(): the preconditions, the dispatch of an input to its rule, and the
/// postconditions, P2 (persist before send) among them. The rules themselves live in
/// step_normal.cpp, step_view_change.cpp and step_recovery.cpp.

#include "level3_pure/core/step.hpp"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <utility>

#include "level3_pure/core/detail/core.hpp"

namespace ladder::level3 {

namespace detail {

Timer timer_of(Role role) {
  switch (role) {
    case Role::primary:
      return Timer::heartbeat;
    case Role::backup:
    case Role::view_change:
      return Timer::view_change;
    case Role::recovering:
      return Timer::recovery;
  }
  assert(false && "timer_of a Role outside the enum");
  return Timer::recovery;
}

bool well_formed(const protocol::Request& request) {
  if (request.id.client >= protocol::kMaxClients) return false;
  if (request.id.seq == 0) return false;
  return request.op.kind != spec::OpKind::read || request.op.delta == 0;
}

bool well_formed(const protocol::Log& log) {
  if (log.suffix.size() > protocol::kMaxUncommitted) return false;
  if (log.snapshot.clients.size() > protocol::kMaxClients) return false;
  const auto& clients = log.snapshot.clients;
  for (std::size_t i = 0; i < clients.size(); ++i) {
    if (clients[i].request.client >= protocol::kMaxClients) return false;
    if (clients[i].request.seq == 0) return false;
    if (i > 0 && clients[i - 1].request.client >= clients[i].request.client) return false;
  }
  return std::all_of(log.suffix.begin(), log.suffix.end(),
                     [](const protocol::Request& r) { return well_formed(r); });
}

void check_state(const Replica& replica) {
  const auto n = static_cast<std::size_t>(replica.config.cluster.replicas);
  assert(replica.config.valid() && "a replica's config is valid");
  assert(replica.acked.size() == n && "acked has one entry per replica");
  assert(replica.dvc.size() == n && "dvc has one entry per replica");
  assert(replica.responses.size() == n && "responses has one entry per replica");
  assert(replica.last_normal_view <= replica.view && "last_normal_view <= view");
  // I7: bounded.
  assert(replica.op_number() - replica.commit_number() <= protocol::kMaxUncommitted &&
         "I7 broken: op_number - commit_number > kMaxUncommitted");
  assert(well_formed(replica.log) && "I7 broken: the log breaks a bound or an ordering");
  // A primary started its view (V4) or resumed it from disk (P3): last_normal_view is the view.
  assert((replica.role() != Role::primary || replica.last_normal_view == replica.view) &&
         "a primary with last_normal_view != view");
  assert((!replica.awaiting_state() || replica.op_number() == replica.commit_number()) &&
         "S0 as amended: a backup awaiting state holds no uncommitted op");
  assert((replica.status == Status::view_change || !replica.sent_do_view_change) &&
         "sent_do_view_change outside a view change");
  assert((replica.status == Status::recovering || replica.nonce == 0) &&
         "a recovery nonce outside recovering status");
  assert((replica.status != Status::recovering || replica.op_number() == 0) &&
         "a recovering replica holds no log until R3 (R0)");
  (void)n;
  (void)replica;
}

Core::Core(Replica replica) : r_(std::move(replica)) {}

StepResult Core::take() && {
  return StepResult{std::move(r_), std::move(out_), rule_};
}

void Core::handled_by(Rule rule) {
  assert(rule != Rule::none && !is_ignored(rule) && "handled_by names the rule that ran");
  rule_ = rule;
}

void Core::ignore(Rule why) {
  assert(is_ignored(why) && "ignore names a reason of the ignored family");
  rule_ = why;
}

void Core::send(protocol::ReplicaId to, protocol::Message message) {
  assert(to != r_.config.self && "a replica never sends to itself");
  assert(to < static_cast<protocol::ReplicaId>(r_.config.cluster.replicas) &&
         "a replica sends only to replicas of its cluster");
  out_.emplace_back(Send{to, std::move(message)});
}

void Core::send_to_others(const protocol::Message& message) {
  for (int i = 0; i < r_.config.cluster.replicas; ++i) {
    const auto to = static_cast<protocol::ReplicaId>(i);
    if (to != r_.config.self) send(to, message);
  }
}

void Core::arm(Timer timer) {
  const auto& c = r_.config.cluster;
  net::Time after_ms = 0;
  switch (timer) {
    case Timer::heartbeat:
      after_ms = c.heartbeat_ms;
      break;
    case Timer::view_change:
      after_ms = c.view_change_timeout_ms;
      break;
    case Timer::recovery:
      after_ms = c.recovery_retry_ms;
      break;
    case Timer::client_retry:
      assert(false && "a replica has no client_retry timer");
      break;
  }
  assert(after_ms > 0 && "timeouts are positive (Config::valid)");
  out_.emplace_back(SetTimer{timer, after_ms});
}

void Core::cancel(Timer timer) {
  out_.emplace_back(CancelTimer{timer});
}

void Core::entered_role(Role before, RoleEvent event, bool cancel_old) {
  const Role after = r_.role();
  require_transition(before, event, after);
  // "Entering a role cancels the timers of the role it leaves" (docs/protocol.md, The timeouts).
  if (cancel_old && timer_of(before) != timer_of(after)) cancel(timer_of(before));
  arm(timer_of(after));
}

void Core::forget_volatile() {
  std::fill(r_.acked.begin(), r_.acked.end(), protocol::OpNumber{0});
  r_.svc.clear();
  std::fill(r_.dvc.begin(), r_.dvc.end(), std::nullopt);
  r_.sent_do_view_change = false;
  r_.nonce = 0;
  std::fill(r_.responses.begin(), r_.responses.end(), std::nullopt);
}

void Core::ask_for_state() {
  assert(r_.role() == Role::backup && "S1: only a backup asks its primary for state");
  if (asked_for_state_) return;
  asked_for_state_ = true;
  send(r_.primary(), protocol::GetState{r_.view, r_.op_number(), r_.config.self});
}

void Core::on_receive(const Receive& input) {
  const auto n = static_cast<net::NodeId>(r_.config.cluster.replicas);
  // A recovering replica answers nothing until it knows the present (R0, I10).
  if (r_.status == Status::recovering &&
      !std::holds_alternative<protocol::RecoveryResponse>(input.message)) {
    return ignore(Rule::ignored_recovering);
  }
  // Every message but a client's Request comes from a replica: a replica never hears itself,
  // and a sender outside the cluster is a stranger.
  if (!std::holds_alternative<protocol::Request>(input.message)) {
    if (input.from >= n) return ignore(Rule::ignored_malformed_sender);
    if (input.from == r_.config.self) return ignore(Rule::ignored_malformed_self);
  }
  const net::NodeId from = input.from;
  std::visit(
      [&](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, protocol::Request>) {
          on_request(m);
        } else if constexpr (std::is_same_v<M, protocol::Reply>) {
          ignore(Rule::ignored_reply_is_for_clients);
        } else if constexpr (std::is_same_v<M, protocol::Prepare>) {
          on_prepare(from, m);
        } else if constexpr (std::is_same_v<M, protocol::PrepareOk>) {
          on_prepare_ok(from, m);
        } else if constexpr (std::is_same_v<M, protocol::Commit>) {
          on_commit(from, m);
        } else if constexpr (std::is_same_v<M, protocol::StartViewChange>) {
          on_start_view_change(from, m);
        } else if constexpr (std::is_same_v<M, protocol::DoViewChange>) {
          on_do_view_change(from, m);
        } else if constexpr (std::is_same_v<M, protocol::StartView>) {
          on_start_view(from, m);
        } else if constexpr (std::is_same_v<M, protocol::GetState>) {
          on_get_state(from, m);
        } else if constexpr (std::is_same_v<M, protocol::NewState>) {
          on_new_state(from, m);
        } else if constexpr (std::is_same_v<M, protocol::Recovery>) {
          on_recovery(from, m);
        } else {
          static_assert(std::is_same_v<M, protocol::RecoveryResponse>, "every message handled");
          on_recovery_response(from, m);
        }
      },
      input.message);
}

void Core::on_timer(Timer timer) {
  switch (timer) {
    case Timer::heartbeat:
      return on_heartbeat();
    case Timer::view_change:
      return on_view_change_timer();
    case Timer::recovery:
      return on_recovery_timer();
    case Timer::client_retry:
      return ignore(Rule::ignored_client_timer);
  }
  ignore(Rule::ignored_unknown_timer);
}

namespace {

// The baseline P2 compares against: what the disk holds before this step. For a restart that is
// what the driver read back (or the empty state of a replica without one), not the crashed state.
Durable durable_before(const Replica& state, const Input& input) {
  if (const auto* recovered = std::get_if<Recovered>(&input)) {
    return recovered->disk.value_or(Durable{});
  }
  return state.durable();
}

// I6 across one step: view, last_normal_view and commit_number never decrease, except across a
// restart (a replica without a disk forgets; one with a disk restarts from what it persisted).
void check_monotone(const Replica& before, const Replica& after, const Input& input) {
  if (std::holds_alternative<Recovered>(input)) return;
  assert(after.view >= before.view && "I6 broken: view decreased");
  assert(after.last_normal_view >= before.last_normal_view &&
         "I6 broken: last_normal_view decreased");
  assert(after.commit_number() >= before.commit_number() && "I6 broken: commit_number decreased");
  (void)before;
  (void)after;
}

// I10: a recovering replica sends only Recovery.
void check_silence(const Replica& after, const std::vector<Action>& actions) {
  if (after.status != Status::recovering) return;
  for (const auto& action : actions) {
    assert(!std::holds_alternative<ReplyToClient>(action) && "I10 broken: recovering replies");
    if (const auto* send = std::get_if<Send>(&action)) {
      assert(std::holds_alternative<protocol::Recovery>(send->message) &&
             "I10 broken: a recovering replica sent something other than Recovery");
      (void)send;
    }
  }
}

// P4: the durable change is a commit and nothing else. The ops between the two commit numbers
// were held in `before`'s suffix and are now folded into `now`'s snapshot; they are on a majority
// of disks already (that is what committing them required), so losing this write loses no
// promise: only the knowledge that they are committed, which the heartbeat gathers again.
bool only_commit_advanced(const Durable& before, const Durable& now) {
  if (now.view != before.view || now.last_normal_view != before.last_normal_view) return false;
  const protocol::Log& was = before.log;
  const protocol::Log& is = now.log;
  if (is.op_number() != was.op_number() || is.commit_number() <= was.commit_number()) return false;
  const auto folded = static_cast<std::ptrdiff_t>(is.commit_number() - was.commit_number());
  return std::equal(was.suffix.begin() + folded, was.suffix.end(), is.suffix.begin(),
                    is.suffix.end());
}

// P5: the primary appended a client's request (N2d) and answers nobody in this step, so the
// step's Sends are its Prepares of that op, and they need not wait for the primary's own disk.
// With n = 1 the op commits at once (N5) and its reply must wait: P2 as usual.
bool sends_may_go_first(const StepResult& result) {
  if (result.rule != Rule::N2d) return false;
  return std::none_of(result.actions.begin(), result.actions.end(),
                      [](const Action& a) { return std::holds_alternative<ReplyToClient>(a); });
}

// P2: a step that changed a durable field persists the new value before anything else it does;
// a step that changed none persists nothing. Putting the Persist first satisfies "before every
// Send" for any driver that executes the list in order. P4: a commit alone goes last, lazy.
// P5: the Persist of a primary's new op still comes first, marked so that its Prepares may leave
// before it is on disk.
void place_persist(const Durable& before, StepResult& result) {
  auto& actions = result.actions;
  assert(std::none_of(actions.begin(), actions.end(),
                      [](const Action& a) { return std::holds_alternative<Persist>(a); }) &&
         "rules never emit Persist themselves: P2 is applied here, once");
  Durable now = result.next.durable();
  if (now == before) return;
  if (only_commit_advanced(before, now)) {
    actions.push_back(Persist{std::move(now), Durability::lazy});
    return;
  }
  const Durability durability =
      sends_may_go_first(result) ? Durability::before_replies : Durability::before_sends;
  actions.insert(actions.begin(), Persist{std::move(now), durability});
  assert(std::holds_alternative<Persist>(actions.front()) && "P2: the Persist comes first");
}

}  // namespace

}  // namespace detail

StepResult boot(const ReplicaConfig& config) {
  assert(config.valid() && "boot needs a valid config");
  detail::Core core(Replica::initial(config));
  const Role role = core.replica().role();
  assert((role == Role::primary) == (config.self == config.cluster.primary(0)) &&
         "replica 0 is the first primary");
  core.arm(detail::timer_of(role));
  core.handled_by(Rule::boot);
  return std::move(core).take();
}

//! [step]
StepResult step(Replica state, const Input& input) {
  detail::check_state(state);
  const Replica before = state;
  const Durable durable_before = detail::durable_before(state, input);

  detail::Core core(std::move(state));
  std::visit(
      [&](const auto& in) {
        using I = std::decay_t<decltype(in)>;
        if constexpr (std::is_same_v<I, Receive>) {
          core.on_receive(in);
        } else if constexpr (std::is_same_v<I, TimerFired>) {
          core.on_timer(in.timer);
        } else {
          static_assert(std::is_same_v<I, Recovered>, "every input handled");
          core.on_recovered(in);
        }
      },
      input);
  StepResult result = std::move(core).take();

  detail::check_state(result.next);
  detail::check_monotone(before, result.next, input);
  detail::check_silence(result.next, result.actions);
  assert(result.rule != Rule::none && "every input is handled by a rule or ignored with a reason");
  assert((!is_ignored(result.rule) || result.next == before) && "an ignored input changes nothing");
  assert((!is_ignored(result.rule) || result.actions.empty()) &&
         "an ignored input asks for nothing");
  detail::place_persist(durable_before, result);
  return result;
}
//! [step]

}  // namespace ladder::level3
