/// \file
/// Restarts and recovery: with a disk the replica resumes from what it persisted (P3); without
/// one it forgets everything and learns the present from a quorum before it answers anything
/// (R0-R3).

#include <algorithm>
#include <cassert>
#include <optional>

#include "level3_pure/core/detail/core.hpp"

namespace ladder::level3::detail {

void Core::on_recovered(const Recovered& input) {
  const Role before = r_.role();
  const ReplicaConfig config = r_.config;
  r_ = Replica::initial(config);  // every volatile field starts empty, whatever the crash left

  if (input.disk) {
    // P3: the replica kept every promise it made; it skips R0-R3.
    const Durable& disk = *input.disk;
    assert(disk.last_normal_view <= disk.view && "P3: the disk holds last_normal_view <= view");
    assert(well_formed(disk.log) && "P3: the disk holds a well-formed log");
    r_.view = disk.view;
    r_.last_normal_view = disk.last_normal_view;
    r_.log = disk.log;
    const bool was_primary = r_.config.cluster.primary(disk.view) == r_.config.self;
    if (disk.last_normal_view == disk.view && !was_primary) {
      // Normal status, acked all 0: the primary's next Prepare or Commit brings it up to date.
      r_.status = Status::normal;
      entered_role(before, RoleEvent::restart_with_disk, /*cancel_old=*/false);
    } else {
      // A primary's Prepares leave before its own write is on disk (P5), so the backups may hold
      // ops of this view that its disk lacks; resuming the view would give their op numbers to
      // other requests. It starts the next view instead (V1), whose DoViewChanges bring them back.
      // Otherwise V1 without the increment: resume the view change for `view`.
      if (disk.last_normal_view == disk.view) r_.view = disk.view + 1;
      r_.status = Status::view_change;
      send_to_others(protocol::StartViewChange{r_.view, r_.config.self});
      entered_role(before, RoleEvent::restart_with_disk, /*cancel_old=*/false);
      check_start_view_change_quorum();
    }
    assert(r_.role() != Role::primary && "P3: a restart never resumes as primary");
    return handled_by(Rule::P3);
  }

  // R0: forget everything, ask everyone, answer nothing meanwhile.
  r_.status = Status::recovering;
  r_.nonce = input.nonce;
  send_to_others(protocol::Recovery{r_.config.self, r_.nonce});
  entered_role(before, RoleEvent::restart_without_disk, /*cancel_old=*/false);
  assert(r_.op_number() == 0 && "R0: a replica without a disk restarts with an empty log");
  handled_by(Rule::R0);
}

void Core::on_recovery_timer() {
  if (r_.role() != Role::recovering) return ignore(Rule::ignored_recovery_timer_not_recovering);
  require_transition(Role::recovering, RoleEvent::recovery_timer, Role::recovering);
  assert(r_.op_number() == 0 && "a recovering replica holds no log until R3");
  send_to_others(protocol::Recovery{r_.config.self, r_.nonce});  // R1: the same Recovery again
  arm(Timer::recovery);
  assert(r_.role() == Role::recovering && "R1 keeps the role");
  handled_by(Rule::R1);
}

void Core::on_recovery(net::NodeId from, const protocol::Recovery& recovery) {
  if (recovery.from != from) return ignore(Rule::ignored_malformed_recovery_from);
  if (r_.status != Status::normal) return ignore(Rule::ignored_recovery_not_normal);
  assert(recovery.from != r_.config.self && "a replica gets no Recovery from itself");
  assert((r_.role() != Role::primary || r_.last_normal_view == r_.view) &&
         "R2: a primary's log is of its own view");
  // R2: only the primary sends its log (I8). What r acknowledged before its crash is gone.
  std::optional<protocol::Log> log;
  if (r_.role() == Role::primary) {
    log = r_.log;
    r_.acked[recovery.from] = 0;
  }
  send(recovery.from,
       protocol::RecoveryResponse{r_.view, recovery.nonce, r_.config.self, std::move(log)});
  handled_by(Rule::R2);
}

void Core::on_recovery_response(net::NodeId from, const protocol::RecoveryResponse& response) {
  if (r_.status != Status::recovering) return ignore(Rule::ignored_not_recovering);
  if (response.from != from) return ignore(Rule::ignored_malformed_recovery_response_from);
  if (response.nonce != r_.nonce) return ignore(Rule::ignored_recovery_response_other_nonce);
  if (response.log && r_.config.cluster.primary(response.view) != response.from) {
    return ignore(Rule::ignored_malformed_recovery_response_backup_log);
  }
  if (response.log && !well_formed(*response.log)) {
    return ignore(Rule::ignored_malformed_recovery_response_log);
  }
  // R3: record it (replacing an older one from the same replica).
  r_.responses[response.from] = response;
  handled_by(Rule::R3);

  const auto& responses = r_.responses;
  const auto answered = std::count_if(responses.begin(), responses.end(),
                                      [](const auto& entry) { return entry.has_value(); });
  assert(answered <= r_.config.cluster.replicas - 1 && "responses come from the others");
  if (answered < r_.config.cluster.quorum()) return;
  protocol::ViewNumber largest = 0;
  for (const auto& entry : responses) {
    if (entry) largest = std::max(largest, entry->view);
  }
  const auto& from_primary = responses[r_.config.cluster.primary(largest)];
  // If self is primary(largest), no such entry comes: it waits for the others' next view.
  if (!from_primary || from_primary->view != largest || !from_primary->log) return;

  const protocol::Log log = *from_primary->log;
  const Role before = r_.role();
  r_.view = largest;
  r_.status = Status::normal;
  r_.last_normal_view = largest;
  install(log);  // L1 on an empty log: the log becomes the primary's
  forget_volatile();
  entered_role(before, RoleEvent::recovery_quorum);  // cancels recovery, arms view_change
  assert(r_.role() == Role::backup && "R3: a recovered replica is a backup");
  if (r_.op_number() > r_.commit_number()) {
    send(r_.primary(), protocol::PrepareOk{r_.view, r_.op_number(), r_.config.self});
  }
}

}  // namespace ladder::level3::detail
