/// \file
/// Normal operation (rules N1-N8, A1), state transfer (S0-S3) and installing a log (L1): the
/// rules of docs/protocol.md that run while views are stable.

#include <algorithm>
#include <cassert>
#include <functional>
#include <vector>

#include "level3_pure/core/detail/core.hpp"
#include "protocol/apply.hpp"

namespace ladder::level3::detail {

protocol::ClientRecord Core::apply_next() {
  assert(r_.commit_number() < r_.op_number() && "A1: there is an op to apply");
  const protocol::Applied applied = protocol::apply_next_op(r_.log);
  // I5: the client table promises at most once. The first-release variant can break it (a backup
  // keeps an op the new primary lost, then the client's retry lands at another op number), so
  // only the fixed variant asserts it.
  assert((!promises_i1() || applied.i5_held) && "I5 broken: a request applied twice");
  return applied.record;
}

void Core::learn_commit(protocol::OpNumber commit) {
  assert(r_.role() == Role::backup && "N6 runs at a backup");
  const protocol::OpNumber before = r_.commit_number();
  // N6: never apply beyond the ops held; ask for the rest.
  while (r_.commit_number() < std::min(commit, r_.op_number()))
    apply_next();
  if (commit > r_.op_number()) ask_for_state();
  assert(r_.commit_number() >= before && "I6: commit_number never decreases");
  (void)before;
}

void Core::on_request(const protocol::Request& request) {
  if (!well_formed(request)) return ignore(Rule::ignored_malformed_request);
  if (r_.role() != Role::primary) return ignore(Rule::ignored_not_primary_n1);
  const auto* record = protocol::find_record(r_.log.snapshot, request.id.client);
  if (record != nullptr && request.id.seq < record->request.seq) {
    return ignore(Rule::ignored_stale_duplicate);
  }
  if (record != nullptr && request.id.seq == record->request.seq) {
    // N2b: answer from the client table; the op is not applied twice.
    out_.emplace_back(
        ReplyToClient{request.id.client, protocol::Reply{r_.view, request.id, record->value}});
    return handled_by(Rule::N2b);
  }
  // N2c, and N2a read against the suffix too: a request of this client with the same or a later
  // seq is in progress, so this one is a duplicate or a stale straggler (appending a stale seq
  // after a later one would make A1 apply them out of order, breaking I5).
  const auto& suffix = r_.log.suffix;
  const bool in_progress = std::any_of(suffix.begin(), suffix.end(), [&](const auto& r) {
    return r.id.client == request.id.client && r.id.seq >= request.id.seq;
  });
  if (in_progress) return ignore(Rule::ignored_in_progress);
  if (r_.op_number() - r_.commit_number() == protocol::kMaxUncommitted) {
    return ignore(Rule::ignored_pipeline_full);
  }
  assert(r_.role() == Role::primary && "N2d runs at the primary");
  // N2d: append, then Prepare to all backups. The log changed, so the Persist step() puts first
  // makes the primary's own copy durable before any Prepare leaves (P2).
  const protocol::OpNumber before = r_.op_number();
  r_.log.suffix.push_back(request);
  assert(r_.op_number() == before + 1 && "N2d: op_number += 1");
  (void)before;
  assert(r_.op_number() - r_.commit_number() <= protocol::kMaxUncommitted && "N2c keeps I7");
  send_to_others(protocol::Prepare{r_.view, r_.op_number(), r_.commit_number(), request});
  handled_by(Rule::N2d);
  commit_at_primary();  // with n = 1 the op commits at once (N5)
}

void Core::on_prepare(net::NodeId from, const protocol::Prepare& prepare) {
  if (prepare.view < r_.view) return ignore(Rule::ignored_stale_view);
  if (!well_formed(prepare.request)) return ignore(Rule::ignored_malformed_prepare);
  if (prepare.op_number == 0 || prepare.commit_number >= prepare.op_number) {
    return ignore(Rule::ignored_malformed_prepare);
  }
  // I8: only primary(v) sends Prepare for v.
  if (from != r_.config.cluster.primary(prepare.view)) {
    return ignore(Rule::ignored_prepare_not_from_primary);
  }
  if (prepare.view > r_.view || r_.status == Status::view_change) {
    return enter_newer_view(prepare.view);  // S0
  }
  assert(r_.role() == Role::backup && "a Prepare of the own view reaches a backup (I8)");
  assert(prepare.view == r_.view && "N3 runs in the Prepare's view");

  // N3. A backup that entered the view by S0 holds no ops of it until S3: it appends nothing and
  // acknowledges nothing, and asks for state instead.
  const protocol::OpNumber k = prepare.op_number;
  if (r_.awaiting_state()) {
    ask_for_state();
  } else if (k <= r_.op_number()) {
    send(r_.primary(), protocol::PrepareOk{r_.view, r_.op_number(), r_.config.self});
  } else if (k == r_.op_number() + 1) {
    r_.log.suffix.push_back(prepare.request);
    send(r_.primary(), protocol::PrepareOk{r_.view, k, r_.config.self});
  } else {
    ask_for_state();  // a Prepare was lost (S1)
  }
  learn_commit(prepare.commit_number);
  arm(Timer::view_change);
  handled_by(Rule::N3);
}

void Core::on_prepare_ok(net::NodeId from, const protocol::PrepareOk& ok) {
  if (ok.view != r_.view) return ignore(Rule::ignored_prepare_ok_other_view);
  if (r_.role() != Role::primary) return ignore(Rule::ignored_not_primary);
  if (ok.from != from) return ignore(Rule::ignored_malformed_prepare_ok_from);
  // I2: a backup of this view holds a prefix of this primary's log, never more.
  if (ok.op_number > r_.op_number()) return ignore(Rule::ignored_prepare_ok_beyond_op);
  assert(ok.from != r_.config.self && "a primary gets no PrepareOk from itself");
  // N4: the ack is cumulative.
  auto& acked = r_.acked[ok.from];
  if (ok.op_number > acked) acked = ok.op_number;
  assert(acked <= r_.op_number() && "N4: acks only ops the primary holds (I2)");
  handled_by(Rule::N4);
  commit_at_primary();
}

void Core::commit_at_primary() {
  assert(r_.role() == Role::primary && "N5 runs at the primary");
  const int f = r_.config.cluster.f();
  // N5: the largest k such that f backups acked k, i.e. the f-th largest ack among backups.
  std::vector<protocol::OpNumber> acks;
  for (std::size_t r = 0; r < r_.acked.size(); ++r) {
    if (r != r_.config.self) acks.push_back(r_.acked[r]);
  }
  std::sort(acks.begin(), acks.end(), std::greater<>());
  const protocol::OpNumber quorum_acked =
      f == 0 ? r_.op_number() : acks[static_cast<std::size_t>(f - 1)];
  const protocol::OpNumber target = std::min(quorum_acked, r_.op_number());
  while (r_.commit_number() < target) {
    const protocol::ClientRecord applied = apply_next();
    out_.emplace_back(ReplyToClient{applied.request.client,
                                    protocol::Reply{r_.view, applied.request, applied.value}});
  }
  assert(r_.commit_number() <= r_.op_number() && "N5: commits only ops held");
}

void Core::on_commit(net::NodeId from, const protocol::Commit& commit) {
  if (commit.view < r_.view) return ignore(Rule::ignored_stale_view);
  if (from != r_.config.cluster.primary(commit.view)) {
    return ignore(Rule::ignored_commit_not_from_primary);
  }
  if (commit.view > r_.view || r_.status == Status::view_change) {
    return enter_newer_view(commit.view);  // S0
  }
  assert(r_.role() == Role::backup && "a Commit of the own view reaches a backup (I8)");
  assert(commit.view == r_.view && "N8 runs in the Commit's view");
  learn_commit(commit.commit_number);        // N8, as in N6
  if (r_.awaiting_state()) ask_for_state();  // S0 as amended: until S3 installs a log
  arm(Timer::view_change);
  handled_by(Rule::N8);
}

void Core::on_heartbeat() {
  if (r_.role() != Role::primary) return ignore(Rule::ignored_heartbeat_not_primary);
  require_transition(Role::primary, RoleEvent::heartbeat_timer, Role::primary);
  // N7: the latest Prepare again while ops are uncommitted (a backup that misses earlier ones
  // sees the gap and asks for state), else a Commit.
  if (r_.op_number() > r_.commit_number()) {
    assert(!r_.log.suffix.empty() && "uncommitted ops are in the suffix");
    send_to_others(
        protocol::Prepare{r_.view, r_.op_number(), r_.commit_number(), r_.log.suffix.back()});
  } else {
    send_to_others(protocol::Commit{r_.view, r_.commit_number()});
  }
  arm(Timer::heartbeat);
  assert(r_.role() == Role::primary && "N7 keeps the role");
  handled_by(Rule::N7);
}

void Core::enter_newer_view(protocol::ViewNumber view) {
  assert(view >= r_.view && "S0 moves to the same or a newer view");
  assert(r_.config.cluster.primary(view) != r_.config.self &&
         "S0: a Prepare or Commit of a view names its sender as primary, not the receiver");
  const Role before = r_.role();
  r_.view = view;
  r_.status = Status::normal;
  // Dropping the suffix is safe: the committed prefix is in every later primary's log (I1).
  r_.log.suffix.clear();
  // S0 as amended here (docs/04-level3.md, "Roles and the rules as code"): last_normal_view stays
  // where it was until S3 installs the primary's log. Until then this log is only a committed
  // prefix; labelled with view v it would outrank, in a later V4, a log of an older view that
  // holds ops committed before v, and V4 would start a view without them (I1). awaiting_state()
  // is true meanwhile, and N3 appends nothing.
  forget_volatile();
  entered_role(before, RoleEvent::newer_prepare_or_commit);
  ask_for_state();
  handled_by(Rule::S0);
}

void Core::on_get_state(net::NodeId from, const protocol::GetState& get) {
  if (get.view != r_.view) return ignore(Rule::ignored_get_state_other_view);
  if (r_.role() != Role::primary) return ignore(Rule::ignored_not_primary);
  if (get.from != from) return ignore(Rule::ignored_malformed_get_state_from);
  assert(get.from != r_.config.self && "a primary gets no GetState from itself");
  assert(r_.last_normal_view == r_.view && "S2: a primary's log is of its own view");
  send(get.from, protocol::NewState{r_.view, r_.log});  // S2
  handled_by(Rule::S2);
}

void Core::on_new_state(net::NodeId from, const protocol::NewState& state) {
  if (state.view != r_.view) return ignore(Rule::ignored_new_state_other_view);
  if (r_.role() != Role::backup) return ignore(Rule::ignored_not_backup);
  if (from != r_.primary()) return ignore(Rule::ignored_new_state_not_from_primary);
  if (!well_formed(state.log)) return ignore(Rule::ignored_malformed_new_state);
  // S3: a NewState older than what the backup holds would move it backwards.
  if (state.log.op_number() >= r_.op_number() && state.log.commit_number() >= r_.commit_number()) {
    const protocol::OpNumber op_before = r_.op_number();
    install(state.log);
    assert(r_.op_number() >= op_before && "S3 never moves a backup backwards");
    assert(r_.op_number() == state.log.op_number() && "S3 installs the whole log");
    (void)op_before;
    r_.last_normal_view = r_.view;  // S0 as amended: the log is now the primary's, of this view
    send(r_.primary(), protocol::PrepareOk{r_.view, r_.op_number(), r_.config.self});
  }
  arm(Timer::view_change);
  handled_by(Rule::S3);
}

void Core::install(const protocol::Log& log) {
  assert(well_formed(log) && "L1 installs a well-formed log");
  const protocol::OpNumber commit = r_.commit_number();
  if (log.commit_number() >= commit) {
    r_.log = log;
  } else {
    // The own snapshot is newer: keep it, take from the log only the ops after it. I1 promises
    // they exist; the first-release variant breaks I1, and then there may be none to take.
    assert((!promises_i1() || log.op_number() >= commit) &&
           "I1 broken: an installed log lacks a committed op");
    const auto skip = commit - log.commit_number();
    r_.log.suffix.clear();
    if (skip < log.suffix.size()) {
      r_.log.suffix.assign(log.suffix.begin() + static_cast<std::ptrdiff_t>(skip),
                           log.suffix.end());
    }
  }
  assert(r_.commit_number() >= commit && "L1: commit_number never decreases (I6)");
}

}  // namespace ladder::level3::detail
