#pragma once
/// \file
/// Which rule of docs/protocol.md handled an input, as a type: step() and client_step() return a
/// Rule, the code that acts on it (P5 in step.cpp, the asserts after every step, the tests)
/// compares enumerators the compiler checks, and name() gives the text traces, notes and
/// diagrams print ("N2d", "V4", "ignored: stale view").
///
/// Two families. A rule id names the rule that ran ("N3", "V4", "C1", "boot"). An ignored id
/// (ignored_*) says that no rule applied, and why: the input changed nothing and asked for nothing.

#include <cstdint>
#include <string_view>

namespace ladder::level3 {

/// The rule that handled an input, or the reason it was ignored. The ignored family comes last:
/// is_ignored() relies on it.
enum class Rule : std::uint8_t {
  none,  ///< no rule yet: a step in progress (a finished step always names one)
  boot,  ///< boot(): a replica's first timer

  // Normal operation, state transfer (step_normal.cpp).
  N2b,  ///< a request already applied: answered from the client table
  N2d,  ///< a new request appended and prepared (the primary)
  N3,   ///< a Prepare at a backup
  N4,   ///< a PrepareOk at the primary (then N5)
  N7,   ///< the primary's heartbeat
  N8,   ///< a Commit at a backup
  S0,   ///< a Prepare or Commit of a newer view: enter it, ask for state
  S2,   ///< a GetState at the primary
  S3,   ///< a NewState at a backup

  // View change (step_view_change.cpp).
  V1,  ///< a backup's view_change timer
  V2,  ///< a StartViewChange
  V4,  ///< a DoViewChange (the new primary), or starting the view
  V5,  ///< a StartView
  V6,  ///< the view_change timer during a view change

  // Restarts and recovery (step_recovery.cpp).
  R0,  ///< a restart without a disk
  R1,  ///< the recovery timer
  R2,  ///< a Recovery at a normal replica
  R3,  ///< a RecoveryResponse that completes the recovery
  P3,  ///< a restart with a disk

  // The client (client.cpp).
  C1,  ///< a new request
  C2,  ///< a retry, at the next replica
  C3,  ///< the awaited Reply
  C4,  ///< an abandoned request

  // The ignored family: no rule applied. Each names why, as name() spells it after "ignored: ".
  ignored_recovering,                     ///< a recovering replica hears only RecoveryResponse (R0)
  ignored_malformed_sender,               ///< "malformed (sender is not a replica)"
  ignored_malformed_self,                 ///< "malformed (sent by self)"
  ignored_reply_is_for_clients,           ///< a Reply reached a replica
  ignored_client_timer,                   ///< client_retry fired at a replica
  ignored_unknown_timer,                  ///< a timer outside the enum
  ignored_malformed_request,              ///< a Request that breaks the bounds
  ignored_not_primary_n1,                 ///< "not the primary (N1)": a Request at a non-primary
  ignored_stale_duplicate,                ///< "stale duplicate (N2a)"
  ignored_in_progress,                    ///< "in progress (N2c)"
  ignored_pipeline_full,                  ///< "pipeline full (N2c)"
  ignored_stale_view,                     ///< a message of an older view
  ignored_malformed_prepare,              ///< a Prepare that breaks the bounds or numbering
  ignored_prepare_not_from_primary,       ///< "Prepare not from primary(v)"
  ignored_prepare_ok_other_view,          ///< "PrepareOk of another view"
  ignored_not_primary,                    ///< a PrepareOk or GetState at a non-primary
  ignored_malformed_prepare_ok_from,      ///< "malformed PrepareOk (from)"
  ignored_prepare_ok_beyond_op,           ///< "PrepareOk beyond op_number"
  ignored_commit_not_from_primary,        ///< "Commit not from primary(v)"
  ignored_heartbeat_not_primary,          ///< "heartbeat outside the primary role"
  ignored_get_state_other_view,           ///< "GetState of another view"
  ignored_malformed_get_state_from,       ///< "malformed GetState (from)"
  ignored_new_state_other_view,           ///< "NewState of another view"
  ignored_not_backup,                     ///< a NewState at a non-backup
  ignored_new_state_not_from_primary,     ///< "NewState not from primary(v)"
  ignored_malformed_new_state,            ///< "malformed NewState"
  ignored_recovery_timer_not_recovering,  ///< "recovery timer outside recovering"
  ignored_malformed_recovery_from,        ///< "malformed Recovery (from)"
  ignored_recovery_not_normal,            ///< "Recovery outside normal status (R2)"
  ignored_not_recovering,                 ///< a RecoveryResponse at a replica not recovering
  ignored_malformed_recovery_response_from,        ///< "malformed RecoveryResponse (from)"
  ignored_recovery_response_other_nonce,           ///< "RecoveryResponse of another recovery"
  ignored_malformed_recovery_response_backup_log,  ///< "(a log from a backup)"
  ignored_malformed_recovery_response_log,         ///< "malformed RecoveryResponse (log)"
  ignored_view_change_timer_wrong_role,  ///< "view_change timer outside backup and view_change"
  ignored_malformed_svc_from,            ///< "malformed StartViewChange (from)"
  ignored_svc_view_started,              ///< "StartViewChange of a view already started"
  ignored_malformed_dvc_from,            ///< "malformed DoViewChange (from)"
  ignored_malformed_dvc_view,            ///< "malformed DoViewChange (view)"
  ignored_malformed_dvc_log,             ///< "malformed DoViewChange (log)"
  ignored_dvc_other_primary,             ///< "DoViewChange for another primary"
  ignored_dvc_view_started,              ///< "DoViewChange of a view already started"
  ignored_start_view_not_from_primary,   ///< "StartView not from primary(v)"
  ignored_malformed_start_view,          ///< "malformed StartView"
  ignored_start_view_view_started,       ///< "StartView of a view already started"
  ignored_nothing_outstanding,           ///< a client's Abandon with nothing outstanding
  ignored_no_retry_due,                  ///< a client's timer with nothing to retry
  ignored_not_awaited_reply,             ///< "not the Reply awaited (C3)"
};

/// The first id of the ignored family; every id after it is one too.
inline constexpr Rule kFirstIgnored = Rule::ignored_recovering;

/// True when `rule` says that the input was ignored: no rule applied, nothing changed.
constexpr bool is_ignored(Rule rule) {
  return rule >= kFirstIgnored;
}

/// The rule's name in traces, notes and diagrams: "N2d", "boot", "ignored: stale view"; "" for
/// Rule::none (and for a value outside the enum).
constexpr std::string_view name(Rule rule) {
  switch (rule) {
    case Rule::none:
      return "";
    case Rule::boot:
      return "boot";
    case Rule::N2b:
      return "N2b";
    case Rule::N2d:
      return "N2d";
    case Rule::N3:
      return "N3";
    case Rule::N4:
      return "N4";
    case Rule::N7:
      return "N7";
    case Rule::N8:
      return "N8";
    case Rule::S0:
      return "S0";
    case Rule::S2:
      return "S2";
    case Rule::S3:
      return "S3";
    case Rule::V1:
      return "V1";
    case Rule::V2:
      return "V2";
    case Rule::V4:
      return "V4";
    case Rule::V5:
      return "V5";
    case Rule::V6:
      return "V6";
    case Rule::R0:
      return "R0";
    case Rule::R1:
      return "R1";
    case Rule::R2:
      return "R2";
    case Rule::R3:
      return "R3";
    case Rule::P3:
      return "P3";
    case Rule::C1:
      return "C1";
    case Rule::C2:
      return "C2";
    case Rule::C3:
      return "C3";
    case Rule::C4:
      return "C4";
    case Rule::ignored_recovering:
      return "ignored: recovering";
    case Rule::ignored_malformed_sender:
      return "ignored: malformed (sender is not a replica)";
    case Rule::ignored_malformed_self:
      return "ignored: malformed (sent by self)";
    case Rule::ignored_reply_is_for_clients:
      return "ignored: a Reply is for clients";
    case Rule::ignored_client_timer:
      return "ignored: client_retry is a client's timer";
    case Rule::ignored_unknown_timer:
      return "ignored: unknown timer";
    case Rule::ignored_malformed_request:
      return "ignored: malformed Request";
    case Rule::ignored_not_primary_n1:
      return "ignored: not the primary (N1)";
    case Rule::ignored_stale_duplicate:
      return "ignored: stale duplicate (N2a)";
    case Rule::ignored_in_progress:
      return "ignored: in progress (N2c)";
    case Rule::ignored_pipeline_full:
      return "ignored: pipeline full (N2c)";
    case Rule::ignored_stale_view:
      return "ignored: stale view";
    case Rule::ignored_malformed_prepare:
      return "ignored: malformed Prepare";
    case Rule::ignored_prepare_not_from_primary:
      return "ignored: Prepare not from primary(v)";
    case Rule::ignored_prepare_ok_other_view:
      return "ignored: PrepareOk of another view";
    case Rule::ignored_not_primary:
      return "ignored: not the primary";
    case Rule::ignored_malformed_prepare_ok_from:
      return "ignored: malformed PrepareOk (from)";
    case Rule::ignored_prepare_ok_beyond_op:
      return "ignored: PrepareOk beyond op_number";
    case Rule::ignored_commit_not_from_primary:
      return "ignored: Commit not from primary(v)";
    case Rule::ignored_heartbeat_not_primary:
      return "ignored: heartbeat outside the primary role";
    case Rule::ignored_get_state_other_view:
      return "ignored: GetState of another view";
    case Rule::ignored_malformed_get_state_from:
      return "ignored: malformed GetState (from)";
    case Rule::ignored_new_state_other_view:
      return "ignored: NewState of another view";
    case Rule::ignored_not_backup:
      return "ignored: not a backup";
    case Rule::ignored_new_state_not_from_primary:
      return "ignored: NewState not from primary(v)";
    case Rule::ignored_malformed_new_state:
      return "ignored: malformed NewState";
    case Rule::ignored_recovery_timer_not_recovering:
      return "ignored: recovery timer outside recovering";
    case Rule::ignored_malformed_recovery_from:
      return "ignored: malformed Recovery (from)";
    case Rule::ignored_recovery_not_normal:
      return "ignored: Recovery outside normal status (R2)";
    case Rule::ignored_not_recovering:
      return "ignored: not recovering";
    case Rule::ignored_malformed_recovery_response_from:
      return "ignored: malformed RecoveryResponse (from)";
    case Rule::ignored_recovery_response_other_nonce:
      return "ignored: RecoveryResponse of another recovery";
    case Rule::ignored_malformed_recovery_response_backup_log:
      return "ignored: malformed RecoveryResponse (a log from a backup)";
    case Rule::ignored_malformed_recovery_response_log:
      return "ignored: malformed RecoveryResponse (log)";
    case Rule::ignored_view_change_timer_wrong_role:
      return "ignored: view_change timer outside backup and view_change roles";
    case Rule::ignored_malformed_svc_from:
      return "ignored: malformed StartViewChange (from)";
    case Rule::ignored_svc_view_started:
      return "ignored: StartViewChange of a view already started";
    case Rule::ignored_malformed_dvc_from:
      return "ignored: malformed DoViewChange (from)";
    case Rule::ignored_malformed_dvc_view:
      return "ignored: malformed DoViewChange (view)";
    case Rule::ignored_malformed_dvc_log:
      return "ignored: malformed DoViewChange (log)";
    case Rule::ignored_dvc_other_primary:
      return "ignored: DoViewChange for another primary";
    case Rule::ignored_dvc_view_started:
      return "ignored: DoViewChange of a view already started";
    case Rule::ignored_start_view_not_from_primary:
      return "ignored: StartView not from primary(v)";
    case Rule::ignored_malformed_start_view:
      return "ignored: malformed StartView";
    case Rule::ignored_start_view_view_started:
      return "ignored: StartView of a view already started";
    case Rule::ignored_nothing_outstanding:
      return "ignored: nothing outstanding";
    case Rule::ignored_no_retry_due:
      return "ignored: no retry due";
    case Rule::ignored_not_awaited_reply:
      return "ignored: not the Reply awaited (C3)";
  }
  return "";
}

}  // namespace ladder::level3
