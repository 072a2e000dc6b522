#pragma once
/// \file
/// The inside of step(): one object that holds the replica being stepped and the actions it has
/// asked for so far, with one member function per rule of docs/protocol.md. Internal to
/// level3_core; its rules are spread over step.cpp (dispatch, pre- and postconditions),
/// step_normal.cpp (N, A, S, L), step_view_change.cpp (V) and step_recovery.cpp (R, P).

#include <vector>

#include "level3_pure/core/action.hpp"
#include "level3_pure/core/input.hpp"
#include "level3_pure/core/replica.hpp"
#include "level3_pure/core/roles.hpp"
#include "level3_pure/core/rule.hpp"
#include "level3_pure/core/step.hpp"

namespace ladder::level3::detail {

/// One step in progress. Built from the state, fed one input, then finished into a StepResult.
class Core {
 public:
  /// Starts a step of `replica`.
  explicit Core(Replica replica);

  /// The replica as it is now (mid-step).
  [[nodiscard]] const Replica& replica() const { return r_; }
  /// The actions asked for so far, in order.
  [[nodiscard]] const std::vector<Action>& actions() const { return out_; }
  /// The rule that handled the input so far (Rule::none when none yet).
  [[nodiscard]] Rule rule() const { return rule_; }
  /// Moves the replica, the actions and the rule out.
  StepResult take() &&;

  // Dispatch (step.cpp).
  /// Handles a message from node `from`.
  void on_receive(const Receive& input);
  /// Handles a timer that fired.
  void on_timer(Timer timer);

  // Normal operation, state transfer, installing logs (step_normal.cpp).
  /// N1, N2.
  void on_request(const protocol::Request& request);
  /// N3 (and S0 for a newer view).
  void on_prepare(net::NodeId from, const protocol::Prepare& prepare);
  /// N4, N5.
  void on_prepare_ok(net::NodeId from, const protocol::PrepareOk& ok);
  /// N8 (and S0 for a newer view).
  void on_commit(net::NodeId from, const protocol::Commit& commit);
  /// N7.
  void on_heartbeat();
  /// S0: enters view `view` as a backup after missing its StartView, and asks for state.
  void enter_newer_view(protocol::ViewNumber view);
  /// S2.
  void on_get_state(net::NodeId from, const protocol::GetState& get);
  /// S3.
  void on_new_state(net::NodeId from, const protocol::NewState& state);
  /// N5: commits what a quorum acked and replies to the ops' clients.
  void commit_at_primary();
  /// L1: installs log `log`.
  void install(const protocol::Log& log);

  // View change (step_view_change.cpp).
  /// V1, V6: the view_change timer.
  void on_view_change_timer();
  /// V2.
  void on_start_view_change(net::NodeId from, const protocol::StartViewChange& svc);
  /// V4 (the receiving half).
  void on_do_view_change(net::NodeId from, const protocol::DoViewChange& dvc);
  /// V5.
  void on_start_view(net::NodeId from, const protocol::StartView& start);
  /// V1's body: enters view_change status for view `view`, on `event`.
  void start_view_change(protocol::ViewNumber view, RoleEvent event);
  /// V2's check: with f StartViewChanges, send the DoViewChange (V3) once.
  void check_start_view_change_quorum();
  /// V4's completion: with f + 1 DoViewChanges, one of them its own, start the view.
  void try_start_view();

  // Recovery and restarts (step_recovery.cpp).
  /// R0 or P3.
  void on_recovered(const Recovered& input);
  /// R1.
  void on_recovery_timer();
  /// R2.
  void on_recovery(net::NodeId from, const protocol::Recovery& recovery);
  /// R3.
  void on_recovery_response(net::NodeId from, const protocol::RecoveryResponse& response);

  // Shared helpers (step.cpp).
  /// Records the rule that handled the input: a rule id, not one of the ignored family.
  void handled_by(Rule rule);
  /// Records that the input was ignored, and why (one of the ignored family). The state must not
  /// have changed.
  void ignore(Rule why);
  /// Asks to send `message` to replica `to`; never to self.
  void send(protocol::ReplicaId to, protocol::Message message);
  /// Asks to send `message` to every replica but self.
  void send_to_others(const protocol::Message& message);
  /// Asks to arm `timer` for its configured duration.
  void arm(Timer timer);
  /// Asks to disarm `timer`.
  void cancel(Timer timer);
  /// Checks the change from role `before` to the current role against the table (throws
  /// ProtocolError if it is missing), then retimes: cancels the timer of the role left, arms the
  /// current role's. With `cancel_old` false (after a crash the driver dropped every timer) only
  /// arms.
  void entered_role(Role before, RoleEvent event, bool cancel_old = true);
  /// Forgets the volatile bookkeeping of view changes, acks and recovery.
  void forget_volatile();
  /// Sends one GetState to primary(view) per step (S1).
  void ask_for_state();
  /// A1: applies op commit_number + 1; returns the client record it produced.
  protocol::ClientRecord apply_next();
  /// N6: applies up to min(commit, op_number); asks for state when commit is beyond op_number.
  void learn_commit(protocol::OpNumber commit);
  /// True when the run may assert the invariants the first-release flaw breaks (I1 and what
  /// follows from it): only the fixed variant promises them.
  [[nodiscard]] bool promises_i1() const { return r_.config.variant == Variant::fixed; }

 private:
  Replica r_;
  std::vector<Action> out_;
  Rule rule_ = Rule::none;
  bool asked_for_state_ = false;  // S1: at most one GetState per step
};

/// The timer a role keeps armed: heartbeat (primary), view_change (backup, view_change),
/// recovery (recovering).
Timer timer_of(Role role);

/// True when `log` respects the protocol's bounds: suffix <= kMaxUncommitted, client table <=
/// kMaxClients and strictly sorted, every request id valid. Messages may carry anything.
bool well_formed(const protocol::Log& log);

/// True when `request`'s id is valid (client < kMaxClients, seq >= 1) and a read has delta 0.
bool well_formed(const protocol::Request& request);

/// Asserts the single-replica invariants a state between steps satisfies (the preconditions and
/// postconditions of step()).
void check_state(const Replica& replica);

}  // namespace ladder::level3::detail
