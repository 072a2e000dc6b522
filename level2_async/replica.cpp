#include "level2_async/replica.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <type_traits>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "protocol/apply.hpp"
#include "protocol/codec.hpp"

namespace ladder::level2 {

namespace asio = boost::asio;
using protocol::Commit;
using protocol::DoViewChange;
using protocol::GetState;
using protocol::Log;
using protocol::NewState;
using protocol::OpNumber;
using protocol::Prepare;
using protocol::PrepareOk;
using protocol::Recovery;
using protocol::RecoveryResponse;
using protocol::ReplicaId;
using protocol::Reply;
using protocol::Request;
using protocol::StartView;
using protocol::StartViewChange;
using protocol::ViewNumber;

Replica::Replica(asio::any_io_executor executor, ReplicaOptions options, Send send, Note note)
    : self_(options.self),
      config_(options.config),
      topology_(options.topology),
      variant_(options.variant),
      send_(std::move(send)),
      note_(std::move(note)),
      acked_(static_cast<std::size_t>(options.config.replicas), 0),
      nonce_(options.nonce),
      heartbeat_(executor, Timer::time_point::max()),
      view_change_(executor, Timer::time_point::max()),
      recovery_(executor, Timer::time_point::max()) {
  assert(config_.valid() && "a replica needs a valid configuration");
  assert(static_cast<int>(self_) < config_.replicas && "replica id outside the cluster");
  assert(topology_.replicas == config_.replicas && "topology and configuration disagree on n");
  assert(send_ && "a replica needs a way to send");
  status_ = options.recovering ? Status::recovering : Status::normal;
}

// ---- The node's life ---------------------------------------------------------------------------

asio::awaitable<void> Replica::run(net::Inbox& inbox) {
  assert(inbox_ == nullptr && "run() twice");
  inbox_ = &inbox;
  // The timers are coroutines of their own on the same executor, so they interleave with the
  // handlers but never run at the same time as one.
  const auto executor = co_await asio::this_coro::executor;
  asio::co_spawn(executor, timer_loop(heartbeat_, &Replica::on_heartbeat), asio::detached);
  asio::co_spawn(executor, timer_loop(view_change_, &Replica::on_view_change), asio::detached);
  asio::co_spawn(executor, timer_loop(recovery_, &Replica::on_recovery), asio::detached);
  if (status_ == Status::recovering) {
    start_recovery();
  } else {
    boot();
  }
  while (!stopping_) {
    std::optional<net::Datagram> datagram = co_await inbox.receive();
    if (!datagram) break;
    handle(*datagram);
  }
  inbox_ = nullptr;
}

void Replica::stop() {
  if (stopping_) return;
  stopping_ = true;
  if (inbox_ != nullptr) inbox_->close();
  heartbeat_.cancel();
  view_change_.cancel();
  recovery_.cancel();
}

// Everything starts at zero: view 0, status normal, replica 0 the first primary.
void Replica::boot() {
  assert(view_ == 0 && op_number() == 0 && "boot() only on a fresh replica");
  if (is_primary()) {
    arm(heartbeat_, config_.heartbeat_ms);
  } else {
    arm(view_change_, config_.view_change_timeout_ms);
  }
}

// ---- Timers ------------------------------------------------------------------------------------
//
// A timer is armed when its expiry is finite. Re-arming or disarming moves the expiry, which
// cancels the pending wait; the loop then waits again for the new expiry. Only a wait that ends at
// its expiry runs the handler.

asio::awaitable<void> Replica::timer_loop(Timer& timer, TimerHandler on_fire) {
  while (!stopping_) {
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (stopping_) break;
    if (ec || timer.expiry() > Timer::clock_type::now()) continue;  // moved, not expired
    disarm(timer);  // the handler re-arms it when its rule says so
    (this->*on_fire)();
  }
}

void Replica::arm(Timer& timer, net::Time ms) {
  assert(ms > 0 && "a timer needs a positive timeout");
  timer.expires_after(std::chrono::milliseconds(ms));
}

void Replica::disarm(Timer& timer) {
  timer.expires_at(Timer::time_point::max());
}

// N7. The heartbeat: the latest uncommitted Prepare again, or a Commit.
void Replica::on_heartbeat() {
  if (!is_primary()) return;  // a stale expiry: the role changed meanwhile
  if (op_number() > commit_number()) {
    send_to_replicas(Prepare{view_, op_number(), commit_number(), log_.suffix.back()});
  } else {
    send_to_replicas(Commit{view_, commit_number()});
  }
  arm(heartbeat_, config_.heartbeat_ms);
}

// V1 at a backup (the primary went silent); V6 during a view change (the new primary did).
void Replica::on_view_change() {
  if (status_ == Status::recovering || is_primary()) return;
  start_view_change(view_ + 1);
}

// R1. Ask again.
void Replica::on_recovery() {
  if (status_ != Status::recovering) return;
  send_to_replicas(Recovery{self_, nonce_});
  arm(recovery_, config_.recovery_retry_ms);
}

// ---- Receiving ---------------------------------------------------------------------------------

void Replica::handle(const net::Datagram& datagram) {
  const protocol::DecodeResult decoded = protocol::decode(datagram.payload);
  if (!decoded) {
    // Bytes from the network are a stranger's: count them and move on, never crash.
    ++malformed_;
    note(fmt::format("dropped a malformed datagram from {}: {}", topology_.name(datagram.from),
                     decoded.error().message));
    return;
  }
  const protocol::Message& message = decoded.message();
  // A recovering replica answers nothing but RecoveryResponse (rule R0, invariant I10).
  if (status_ == Status::recovering && !std::holds_alternative<RecoveryResponse>(message)) {
    ignore();
    return;
  }
  std::visit([this](const auto& m) { on(m); }, message);
}

// N1, N2. A client's request.
void Replica::on(const Request& m) {
  if (!is_primary()) return ignore();  // N1: the client retries elsewhere (C2)
  if (static_cast<int>(m.id.client) >= topology_.clients) return ignore();  // nobody to answer
  const protocol::ClientRecord* rec = protocol::find_record(log_.snapshot, m.id.client);
  const bool known = rec != nullptr;
  if (known && m.id.seq < rec->request.seq) return ignore();  // N2a: a stale duplicate
  if (known && m.id.seq == rec->request.seq) {                // N2b: answer again, apply never
    reply(Reply{view_, m.id, rec->value});
    return;
  }
  // N2c: in progress (its Reply follows its commit), or an abandoned request arriving after the
  // client's next one was appended (appending it would apply a lower seq after a higher: I5).
  const bool in_progress = std::any_of(
      log_.suffix.begin(), log_.suffix.end(),
      [&](const Request& r) { return r.id.client == m.id.client && r.id.seq >= m.id.seq; });
  if (in_progress) return ignore();
  if (op_number() - commit_number() >= protocol::kMaxUncommitted) return ignore();  // N2c: full
  // N2d. Append and prepare.
  log_.suffix.push_back(m);
  send_to_replicas(Prepare{view_, op_number(), commit_number(), m});
  if (config_.f() == 0) commit_at_primary();
}

void Replica::on(const Reply&) {
  ignore();  // replies are for clients
}

//! [n3-prepare]
// N3 (and S0 for a newer view).
void Replica::on(const Prepare& m) {
  // I8: only primary(v) prepares in view v; a Prepare naming us comes from our own past life,
  // delayed in the network across a crash.
  if (m.view < view_ || config_.primary(m.view) == self_) return ignore();
  if (m.view > view_ || status_ == Status::view_change) return enter_newer_view(m.view);
  bool asked_for_state = false;
  if (awaiting_state()) {
    send(primary(), GetState{view_, op_number(), self_});  // S0: nothing of this view until S3
    asked_for_state = true;
  } else if (m.op_number <= op_number()) {
    send(primary(), PrepareOk{view_, op_number(), self_});  // cumulative: repeating is harmless
  } else if (m.op_number == op_number() + 1) {
    log_.suffix.push_back(m.request);
    send(primary(), PrepareOk{view_, m.op_number, self_});
  } else {
    send(primary(), GetState{view_, op_number(), self_});  // a Prepare was lost (S1)
    asked_for_state = true;
  }
  if (!asked_for_state) {
    learn_commit(m.commit_number);
  } else {
    while (commit_number() < std::min(m.commit_number, op_number()))
      apply_next();
  }
  arm(view_change_, config_.view_change_timeout_ms);
}
//! [n3-prepare]

// N4. An acknowledgement, then N5.
void Replica::on(const PrepareOk& m) {
  if (m.view != view_ || !is_primary() || status_ != Status::normal) return ignore();
  if (static_cast<int>(m.from) >= config_.replicas || m.from == self_) return ignore();
  acked_[m.from] = std::max(acked_[m.from], m.op_number);
  commit_at_primary();
}

// N8 (and S0 for a newer view).
void Replica::on(const Commit& m) {
  if (m.view < view_ || config_.primary(m.view) == self_) return ignore();  // as for Prepare
  if (m.view > view_ || status_ == Status::view_change) return enter_newer_view(m.view);
  learn_commit(m.commit_number);
  if (awaiting_state()) send(primary(), GetState{view_, op_number(), self_});  // S0, until S3
  arm(view_change_, config_.view_change_timeout_ms);
}

// V2.
void Replica::on(const StartViewChange& m) {
  if (m.view < view_) return ignore();
  if (m.view > view_) start_view_change(m.view);
  if (m.view != view_ || status_ != Status::view_change) return ignore();
  if (m.from != self_ && static_cast<int>(m.from) < config_.replicas) svc_.insert(m.from);
  check_start_view_changes();
}

// V4.
void Replica::on(const DoViewChange& m) {
  if (m.view < view_ || config_.primary(m.view) != self_) return ignore();
  if (m.view > view_) start_view_change(m.view);
  if (m.view != view_ || status_ != Status::view_change) return ignore();
  record_do_view_change(m);
}

// V5.
void Replica::on(const StartView& m) {
  const bool newer = m.view > view_ || (m.view == view_ && status_ == Status::view_change);
  if (!newer || config_.primary(m.view) == self_) return ignore();
  become_backup(m.view);
  install(m.log);
  if (op_number() > commit_number()) send(primary(), PrepareOk{view_, op_number(), self_});
}

// S2.
void Replica::on(const GetState& m) {
  if (m.view != view_ || !is_primary() || status_ != Status::normal) return ignore();
  if (static_cast<int>(m.from) >= config_.replicas) return ignore();
  send(m.from, NewState{view_, log_});
}

// S3.
void Replica::on(const NewState& m) {
  if (m.view != view_ || status_ != Status::normal || is_primary()) return ignore();
  if (m.log.op_number() >= op_number() && m.log.commit_number() >= commit_number()) {
    install(m.log);
    last_normal_view_ = view_;  // S3: we now hold this view's log (see S0)
    send(primary(), PrepareOk{view_, op_number(), self_});
  } else {
    ignore();  // older than what newer Prepares already brought: it would move us backwards
  }
  arm(view_change_, config_.view_change_timeout_ms);
}

// R2.
void Replica::on(const Recovery& m) {
  if (status_ != Status::normal) return ignore();
  if (static_cast<int>(m.from) >= config_.replicas || m.from == self_) return ignore();
  std::optional<Log> log;
  if (is_primary()) {
    log = log_;
    acked_[m.from] = 0;  // what it acknowledged before its crash is gone
  }
  send(m.from, RecoveryResponse{view_, m.nonce, self_, std::move(log)});
}

// R3.
void Replica::on(const RecoveryResponse& m) {
  if (status_ != Status::recovering || m.nonce != nonce_) return ignore();
  if (static_cast<int>(m.from) >= config_.replicas) return ignore();
  responses_[m.from] = m;
  if (static_cast<int>(responses_.size()) < config_.quorum()) return;
  ViewNumber latest = 0;
  for (const auto& [from, response] : responses_)
    latest = std::max(latest, response.view);
  const auto from_primary = responses_.find(config_.primary(latest));
  if (from_primary == responses_.end() || from_primary->second.view != latest ||
      !from_primary->second.log) {
    return;  // wait for the primary of the latest view (or for the others to replace it)
  }
  const Log log = *from_primary->second.log;
  disarm(recovery_);
  responses_.clear();
  become_backup(latest);
  install(log);
  note(fmt::format("recovered into view {} as a backup: op {}, commit {}", view_, op_number(),
                   commit_number()));
  if (op_number() > commit_number()) send(primary(), PrepareOk{view_, op_number(), self_});
}

// ---- Steps the rules share ---------------------------------------------------------------------

// R0. A restart without disk: forget everything, ask a quorum where we are.
void Replica::start_recovery() {
  assert(status_ == Status::recovering && view_ == 0 && op_number() == 0);
  apply_log_complete_ = false;  // whatever the quorum hands over, we did not apply it ourselves
  note(fmt::format("restarted with an empty memory: recovering (nonce {})", nonce_));
  send_to_replicas(Recovery{self_, nonce_});
  arm(recovery_, config_.recovery_retry_ms);
}

// N5. The largest op that f backups (and so f + 1 replicas) hold commits, with every op before.
void Replica::commit_at_primary() {
  assert(is_primary() && "only a primary commits");
  std::vector<OpNumber> backups;
  for (int r = 0; r < config_.replicas; ++r) {
    if (static_cast<ReplicaId>(r) != self_) backups.push_back(acked_[static_cast<std::size_t>(r)]);
  }
  std::sort(backups.begin(), backups.end(), std::greater<>());
  const auto f = static_cast<std::size_t>(config_.f());
  const OpNumber quorum_holds = f == 0 ? op_number() : std::min(backups[f - 1], op_number());
  while (commit_number() < quorum_holds) {
    const Request request = log_.suffix.front();
    const std::int64_t value = apply_next();
    reply(Reply{view_, request.id, value});
  }
  assert(commit_number() <= op_number());
}

// N6. Apply what we hold up to `commit`; ask for the rest.
void Replica::learn_commit(OpNumber commit) {
  while (commit_number() < std::min(commit, op_number()))
    apply_next();
  if (commit > op_number()) send(primary(), GetState{view_, op_number(), self_});
}

// S0. We missed the StartView of `view`: join it as a backup and ask its primary for its state.
void Replica::enter_newer_view(ViewNumber view) {
  assert(status_ != Status::recovering);
  note(fmt::format("saw view {} already running: joining it as a backup", view));
  const ViewNumber last_normal_view = last_normal_view_;
  become_backup(view);
  // Our log is only a committed prefix until S3 installs the primary's: labelled with `view` it
  // would outrank, in a later V4, an older view's longer log holding ops committed before `view`.
  last_normal_view_ = last_normal_view;
  log_.suffix.clear();  // safe: our committed prefix is in every later primary's log (I1)
  send(primary(), GetState{view_, op_number(), self_});
}

// V1, V2, V6: move to `view` and announce it.
void Replica::start_view_change(ViewNumber view) {
  assert(view > view_ || (view == view_ && status_ != Status::view_change));
  view_ = view;
  status_ = Status::view_change;
  forget_view_change();
  disarm(heartbeat_);
  note(fmt::format("view change to view {} (its primary would be r{})", view_, primary()));
  send_to_replicas(StartViewChange{view_, self_});
  arm(view_change_, config_.view_change_timeout_ms);
}

// V2's check: f others agree, so hand over our log (V3).
void Replica::check_start_view_changes() {
  if (static_cast<int>(svc_.size()) >= config_.f() && !sent_do_view_change_) send_do_view_change();
}

// V3.
void Replica::send_do_view_change() {
  assert(status_ == Status::view_change && !sent_do_view_change_);
  sent_do_view_change_ = true;
  const DoViewChange message{view_, last_normal_view_, self_, log_};
  if (primary() == self_) {
    record_do_view_change(message);
  } else {
    send(primary(), message);
  }
}

// V4's bookkeeping: record it, count its sender's StartViewChange, maybe finish.
void Replica::record_do_view_change(const DoViewChange& m) {
  assert(primary() == self_ && status_ == Status::view_change && m.view == view_);
  if (static_cast<int>(m.from) >= config_.replicas) return ignore();
  dvc_[m.from] = m;
  if (m.from != self_) {
    // Its StartViewChange came first, even if the network lost it.
    svc_.insert(m.from);
    check_start_view_changes();
    if (status_ != Status::view_change) return;  // check_start_view_changes() finished it
  }
  if (static_cast<int>(dvc_.size()) >= config_.quorum() && dvc_.contains(self_)) {
    finish_view_change();
  }
}

// V4, with f + 1 DoViewChanges in, our own among them: start the view.
void Replica::finish_view_change() {
  assert(static_cast<int>(dvc_.size()) >= config_.quorum() && dvc_.contains(self_));
  //! [v4-choice]
  const DoViewChange* chosen = &dvc_.at(self_);
  OpNumber commit = chosen->log.commit_number();
  if (variant_ == Variant::fixed) {
    // The freshest log: the largest (last_normal_view, op_number), ties to the smallest id (the
    // map iterates by id, so the first of equals stays). The largest commit number of all.
    for (const auto& [from, entry] : dvc_) {
      const auto rank = [](const DoViewChange& d) {
        return std::pair(d.last_normal_view, d.log.op_number());
      };
      if (rank(entry) > rank(*chosen) || (rank(entry) == rank(*chosen) && from < chosen->from)) {
        chosen = &entry;
      }
      commit = std::max(commit, entry.log.commit_number());
    }
  }
  // else Variant::first_release, THE PLANTED BUG (docs/03-level2.md, "The bug report,
  // explained"): "I am the new primary, my log is the truth". The freshest log may hold an op that
  // f + 1 replicas acknowledged and the old primary committed and replied to, which this replica
  // never received. Keeping our own log and commit number forgets that op: an acknowledged add
  // disappears. `fixed` above is rule V4 as docs/protocol.md states it.
  //! [v4-choice]
  note(fmt::format("primary of view {}: chose the log of r{} (op {}, commit {}), commit {}", view_,
                   chosen->from, chosen->log.op_number(), chosen->log.commit_number(), commit));
  const Log log = chosen->log;  // copied: forget_view_change() clears dvc_
  install(log);
  while (commit_number() < std::min(commit, op_number()))
    apply_next();  // no Replies: clients retry, and N2b answers from the client table
  status_ = Status::normal;
  last_normal_view_ = view_;
  std::fill(acked_.begin(), acked_.end(), 0);
  forget_view_change();
  disarm(view_change_);
  send_to_replicas(StartView{view_, log_});
  arm(heartbeat_, config_.heartbeat_ms);
  assert(is_primary() && commit_number() <= op_number());
}

// Normal status as a backup of `view` (V5, S0, R3): enter the role, with its timer.
void Replica::become_backup(ViewNumber view) {
  assert(config_.primary(view) != self_ && "a replica becomes primary only in V4");
  view_ = view;
  status_ = Status::normal;
  last_normal_view_ = view;
  forget_view_change();
  disarm(heartbeat_);
  disarm(recovery_);
  arm(view_change_, config_.view_change_timeout_ms);
}

// L1. Install `log` without ever lowering the commit number (I6).
void Replica::install(const Log& log) {
  if (log.commit_number() >= commit_number()) {
    if (log.commit_number() > commit_number()) apply_log_complete_ = false;  // ops folded in
    log_ = log;
    return;
  }
  // Our own snapshot is newer: keep it, and take from `log` only the ops after it.
  if (log.op_number() < commit_number()) {
    // I1 promises this cannot happen: every later log holds our committed prefix.
    ++invariant_breaks_;
    note(fmt::format("I1 broken: a log of op {} reached a replica that committed op {}",
                     log.op_number(), commit_number()));
    log_.suffix.clear();
    return;
  }
  const auto skip = static_cast<std::ptrdiff_t>(commit_number() - log.commit_number());
  log_.suffix.assign(log.suffix.begin() + skip, log.suffix.end());
}

// A1. Applies op commit_number + 1 and returns the counter after it.
std::int64_t Replica::apply_next() {
  assert(!log_.suffix.empty() && "apply_next() past the last op held");
  const Request request = log_.suffix.front();
  const protocol::Applied applied = protocol::apply_next_op(log_);
  if (!applied.i5_held) {
    // I5 promises every request changes the counter at most once. Only a broken variant gets
    // here; say so: A1 applied it anyway, as the code that breaks I5 would, and the checkers
    // name it.
    ++invariant_breaks_;
    note(fmt::format("I5 broken: {} applied again at op {}", spec::to_string(request.id),
                     commit_number()));
  }
  if (request.op.kind == spec::OpKind::add) applied_.push_back(request.id);
  return applied.record.value;
}

void Replica::forget_view_change() {
  svc_.clear();
  dvc_.clear();
  sent_do_view_change_ = false;
}

// ---- Reading the state -------------------------------------------------------------------------

bool Replica::is_primary() const {
  return status_ == Status::normal && primary() == self_;
}

ReplicaReport Replica::report() const {
  return ReplicaReport{status_,           view_,
                       last_normal_view_, op_number(),
                       commit_number(),   log_.snapshot.value,
                       applied_,          apply_log_complete_,
                       malformed_,        ignored_,
                       invariant_breaks_};
}

// ---- Output ------------------------------------------------------------------------------------

void Replica::send(ReplicaId to, const protocol::Message& message) {
  assert(to != self_ && "a replica never sends to itself");
  assert(static_cast<int>(to) < config_.replicas);
  send_(topology_.replica(static_cast<int>(to)), protocol::encode(message),
        net::MessageClass::request);
}

void Replica::send_to_replicas(const protocol::Message& message) {
  const std::string body = protocol::encode(message);
  for (int r = 0; r < config_.replicas; ++r) {
    if (static_cast<ReplicaId>(r) != self_) {
      send_(topology_.replica(r), body, net::MessageClass::request);
    }
  }
}

void Replica::reply(const Reply& reply) {
  send_(topology_.client(static_cast<int>(reply.id.client)), protocol::encode(reply),
        net::MessageClass::response);
}

void Replica::note(std::string text) {
  if (note_) note_(std::move(text));
}

}  // namespace ladder::level2
