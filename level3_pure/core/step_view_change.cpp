/// \file
/// The view change (rules V1-V6): how the replicas agree on a new primary and on a log that holds
/// every committed op, and the one place where the first-release variant differs (V4).

#include <algorithm>
#include <cassert>
#include <optional>

#include <fmt/format.h>

#include "level3_pure/core/detail/core.hpp"

namespace ladder::level3::detail {

namespace {

// The number of DoViewChanges recorded.
int count(const std::vector<std::optional<protocol::DoViewChange>>& dvc) {
  return static_cast<int>(
      std::count_if(dvc.begin(), dvc.end(), [](const auto& entry) { return entry.has_value(); }));
}

// V4, fixed: the freshest entry, the largest (last_normal_view, op_number), ties broken by the
// smallest replica id (tied logs are equal by I2; the tie-break keeps runs deterministic).
const protocol::DoViewChange& freshest(
    const std::vector<std::optional<protocol::DoViewChange>>& dvc) {
  const protocol::DoViewChange* best = nullptr;
  for (const auto& entry : dvc) {  // in replica id order, so ">" keeps the smallest id on ties
    if (!entry) continue;
    const bool fresher =
        best == nullptr || std::pair(entry->last_normal_view, entry->log.op_number()) >
                               std::pair(best->last_normal_view, best->log.op_number());
    if (fresher) best = &*entry;
  }
  assert(best != nullptr && "V4 chooses among at least one DoViewChange");
  return *best;
}

// V4, fixed: the largest commit number among the entries.
protocol::OpNumber largest_commit(const std::vector<std::optional<protocol::DoViewChange>>& dvc) {
  protocol::OpNumber largest = 0;
  for (const auto& entry : dvc) {
    if (entry) largest = std::max(largest, entry->log.commit_number());
  }
  return largest;
}

}  // namespace

void Core::start_view_change(protocol::ViewNumber view, RoleEvent event) {
  assert(view > r_.view && "V1/V2: a view change moves to a newer view");
  assert(r_.status != Status::recovering && "a recovering replica joins no view change");
  const Role before = r_.role();
  r_.view = view;
  r_.status = Status::view_change;
  forget_volatile();  // svc = {}, dvc = {}, sent_do_view_change = false; acks belong to a view
  // The new view is durable (the Persist step() puts first) before this StartViewChange (P2).
  send_to_others(protocol::StartViewChange{r_.view, r_.config.self});
  entered_role(before, event);
  check_start_view_change_quorum();  // with n = 1 (f = 0), V3 follows at once
}

void Core::on_view_change_timer() {
  const Role role = r_.role();
  const protocol::ViewNumber before = r_.view;
  (void)before;
  if (role == Role::backup) {
    start_view_change(r_.view + 1, RoleEvent::view_change_timer);
    assert(r_.view == before + 1 && "V1 moves to view + 1");
    return handled_by(Rule::V1);
  }
  if (role == Role::view_change) {
    start_view_change(r_.view + 1, RoleEvent::view_change_timer);
    assert(r_.view == before + 1 && "V6 moves to view + 1");
    return handled_by(Rule::V6);
  }
  ignore(Rule::ignored_view_change_timer_wrong_role);
}

void Core::on_start_view_change(net::NodeId from, const protocol::StartViewChange& svc) {
  if (svc.from != from) return ignore(Rule::ignored_malformed_svc_from);
  if (svc.view < r_.view) return ignore(Rule::ignored_stale_view);
  if (svc.view > r_.view) start_view_change(svc.view, RoleEvent::newer_view_change);
  if (r_.status != Status::view_change) {
    return ignore(Rule::ignored_svc_view_started);
  }
  assert(svc.view == r_.view && "V2 counts StartViewChanges of the own view");
  r_.svc.insert(svc.from);
  assert(r_.svc.size() < r_.config.cluster.replicas && "svc holds only the other replicas");
  handled_by(Rule::V2);
  check_start_view_change_quorum();
}

void Core::check_start_view_change_quorum() {
  assert(r_.status == Status::view_change && "V2's check runs during a view change");
  assert(!r_.svc.contains(r_.config.self) && "svc counts the others' StartViewChanges");
  if (r_.svc.size() < r_.config.cluster.f() || r_.sent_do_view_change) return;
  // V3: hand the own log to primary(view). last_normal_view and log are durable already (P2).
  protocol::DoViewChange dvc{r_.view, r_.last_normal_view, r_.config.self, r_.log};
  r_.sent_do_view_change = true;
  if (r_.primary() == r_.config.self) {
    r_.dvc[r_.config.self] = std::move(dvc);
    try_start_view();
  } else {
    send(r_.primary(), std::move(dvc));
  }
}

void Core::on_do_view_change(net::NodeId from, const protocol::DoViewChange& dvc) {
  if (dvc.from != from) return ignore(Rule::ignored_malformed_dvc_from);
  if (dvc.last_normal_view >= dvc.view) return ignore(Rule::ignored_malformed_dvc_view);
  if (!well_formed(dvc.log)) return ignore(Rule::ignored_malformed_dvc_log);
  if (dvc.view < r_.view) return ignore(Rule::ignored_stale_view);
  if (r_.config.cluster.primary(dvc.view) != r_.config.self) {
    return ignore(Rule::ignored_dvc_other_primary);
  }
  if (dvc.view > r_.view) start_view_change(dvc.view, RoleEvent::newer_view_change);
  if (r_.status != Status::view_change) {
    return ignore(Rule::ignored_dvc_view_started);
  }
  assert(dvc.view == r_.view && "V4 records DoViewChanges of the own view");
  // A later DoViewChange from the same replica replaces the earlier one. Its sender sent a
  // StartViewChange first, so it counts toward V2 too: a lost StartViewChange holds nothing up.
  r_.dvc[dvc.from] = dvc;
  r_.svc.insert(dvc.from);
  assert(r_.dvc[dvc.from].has_value() && "V4 records the DoViewChange");
  handled_by(Rule::V4);
  check_start_view_change_quorum();  // may send the own DoViewChange, and so start the view
  if (r_.status == Status::view_change) try_start_view();
}

void Core::try_start_view() {
  assert(r_.status == Status::view_change && "V4 completes a view change");
  assert(r_.primary() == r_.config.self && "V4 runs at primary(view)");
  if (count(r_.dvc) < r_.config.cluster.quorum() || !r_.dvc[r_.config.self]) return;

  //! [v4-choice]
  const protocol::DoViewChange* chosen = nullptr;
  protocol::OpNumber commit = 0;
  if (r_.config.choose_log != nullptr) {
    // A chooser from outside the core (exercise 07): it may name only a recorded DoViewChange.
    const LogChoice choice = r_.config.choose_log(r_.dvc, r_.config.self);
    if (choice.from >= r_.dvc.size() || !r_.dvc[choice.from]) {
      throw ProtocolError(fmt::format(
          "V4: the log chooser picked replica {}, which sent no DoViewChange for view {}",
          choice.from, r_.view));
    }
    chosen = &*r_.dvc[choice.from];
    commit = choice.commit;
  } else if (r_.config.variant == Variant::fixed) {
    chosen = &freshest(r_.dvc);
    commit = largest_commit(r_.dvc);
  } else {
    // THE PLANTED BUG (variant first-release; docs/04-level3.md, "Finding the bug", tells the
    // story). "I am the new primary, my log is the truth": the new primary keeps its own log and
    // commit number. When the old primary committed and acknowledged an op whose Prepare this
    // replica never received, that op is in another DoViewChange's log and in no other place
    // that matters: the view starts without it, and an acknowledged increment disappears.
    chosen = &*r_.dvc[r_.config.self];
    commit = chosen->log.commit_number();
  }
  //! [v4-choice]
  const protocol::Log log = chosen->log;  // a copy: forget_volatile() below drops r_.dvc
  assert((!promises_i1() || commit <= log.op_number()) &&
         "I1 broken: the freshest log lacks a committed op");

  const Role before = r_.role();
  install(log);  // L1
  // Apply up to the new commit number, sending no Replies: clients retry and N2b answers.
  while (r_.commit_number() < std::min(commit, r_.op_number()))
    apply_next();
  r_.status = Status::normal;
  r_.last_normal_view = r_.view;
  forget_volatile();  // acked[r] = 0 for every r; the view change's bookkeeping is done
  send_to_others(protocol::StartView{r_.view, r_.log});
  entered_role(before, RoleEvent::do_view_change_quorum);
  handled_by(Rule::V4);
  commit_at_primary();  // with n = 1 (f = 0) the uncommitted ops commit at once (N5)
}

void Core::on_start_view(net::NodeId from, const protocol::StartView& start) {
  if (start.view < r_.view) return ignore(Rule::ignored_stale_view);
  if (from != r_.config.cluster.primary(start.view)) {
    return ignore(Rule::ignored_start_view_not_from_primary);
  }
  if (!well_formed(start.log)) return ignore(Rule::ignored_malformed_start_view);
  if (start.view == r_.view && r_.status != Status::view_change) {
    return ignore(Rule::ignored_start_view_view_started);
  }
  // V5.
  const Role before = r_.role();
  r_.view = start.view;
  r_.status = Status::normal;
  r_.last_normal_view = start.view;
  install(start.log);  // L1
  forget_volatile();
  entered_role(before, RoleEvent::start_view);
  assert(r_.role() == Role::backup && "V5 makes a backup: the primary of v sent the StartView");
  assert(!r_.awaiting_state() && "V5 installs the view's log");
  if (r_.op_number() > r_.commit_number()) {
    send(r_.primary(), protocol::PrepareOk{r_.view, r_.op_number(), r_.config.self});
  }
  handled_by(Rule::V5);
}

}  // namespace ladder::level3::detail
