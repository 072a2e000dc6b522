#pragma once
/// \file
/// Level 2's replica: the protocol of docs/protocol.md written the way level-2 code is written,
/// as coroutine handlers that mutate the node's state and send as they go.
///
/// A Replica lives on one executor (its node's io_context, run by one thread): its receive loop,
/// its three timers and every handler run there, one at a time, so no lock guards its state.
/// What crosses threads is only what the network carries: datagrams in (through an Inbox, which
/// posts them onto the executor) and datagrams out (through the Send function, which hands them to
/// the network and returns at once).
///
/// Each handler quotes the rule it implements ("N3", "V4", ...). The code follows the rules
/// exactly, with one deliberate exception: the `first_release` Variant, the planted bug of rule V4
/// that the level's chapter (docs/03-level2.md) is about.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>  // before Asio's awaitable.hpp, which forgets it in Boost 1.74
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "counter_spec/history.hpp"
#include "network/inbox.hpp"
#include "network/sim_network.hpp"
#include "network/types.hpp"
#include "protocol/config.hpp"
#include "protocol/messages.hpp"
#include "protocol/variant.hpp"

namespace ladder::level2 {

/// Which protocol the replicas run (protocol/variant.hpp): first_release plants the V4 flaw.
using protocol::Variant;
/// A replica's status: normal, view_change or recovering (protocol/variant.hpp).
using protocol::parse_variant;
using protocol::Status;
using protocol::to_string;

/// Hands one message body to the network for node `to`; returns at once, from the replica's
/// thread. `cls` is response for a Reply to a client.
using Send = std::function<void(net::NodeId to, std::string body, net::MessageClass cls)>;

/// A remark for the trace ("view change to v2"); may be empty.
using Note = std::function<void(std::string text)>;

/// How a replica is set up.
struct ReplicaOptions {
  protocol::ReplicaId self = 0;      ///< its id, 0 .. config.replicas-1
  protocol::Config config;           ///< n and the timeouts
  net::Topology topology;            ///< where the clients are (Replies go to topology.client(id))
  Variant variant = Variant::fixed;  ///< which rule V4 to run
  /// True for a restart without disk (rule R0): start recovering with `nonce`. False for the
  /// first boot: view 0, normal status, replica 0 primary.
  bool recovering = false;
  std::uint64_t nonce = 0;  ///< this restart's nonce (rule R0), fresh for every restart
};

/// What a replica holds, copied out for the run's end and for tests.
struct ReplicaReport {
  Status status = Status::normal;             ///< its status
  protocol::ViewNumber view = 0;              ///< its view
  protocol::ViewNumber last_normal_view = 0;  ///< its last normal view
  protocol::OpNumber op_number = 0;           ///< the last op it holds
  protocol::OpNumber commit_number = 0;       ///< the last op it applied
  std::int64_t value = 0;                     ///< the counter after ops 1 .. commit_number
  /// The requests it applied itself, in order; complete only when `apply_log_complete`.
  std::vector<spec::RequestId> applied;
  /// False once it installed a snapshot holding ops it never applied itself (a restart, or a
  /// NewState from ahead): `applied` then misses those ops.
  bool apply_log_complete = true;
  std::uint64_t malformed = 0;  ///< datagrams that did not decode (counted, then dropped)
  std::uint64_t ignored = 0;    ///< messages that matched no rule (stale, duplicated, misdirected)
  /// Times a promised invariant did not hold (I1 in L1, I5 in A1), which only a broken variant
  /// can cause; each is noted in the trace.
  std::uint64_t invariant_breaks = 0;
};

/// One replica of the primary-backup counter, on one executor.
///
/// Use: construct on the node's thread or before it runs, co_spawn run(inbox) on the executor,
/// and call stop() on the executor to end it: run() then returns.
class Replica {
 public:
  /// A replica on `executor` that sends through `send` and remarks through `note` (may be empty).
  /// Precondition: options.config.valid() and options.self < options.config.replicas.
  Replica(boost::asio::any_io_executor executor, ReplicaOptions options, Send send, Note note);
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  /// The node's life: boots (or starts recovering, rule R0), then handles every datagram of
  /// `inbox` until stop() or the inbox closes. Runs its timers beside it.
  boost::asio::awaitable<void> run(net::Inbox& inbox);
  /// Ends run() and the timers. On the executor; idempotent.
  void stop();

  /// Decodes one datagram and runs the rule it triggers; a malformed one is counted and dropped.
  /// On the executor.
  void handle(const net::Datagram& datagram);

  /// A copy of the replica's state. On the executor (or once it no longer runs).
  [[nodiscard]] ReplicaReport report() const;

 private:
  using Timer = boost::asio::steady_timer;
  using TimerHandler = void (Replica::*)();

  // ---- Timers -----------------------------------------------------------------------------
  boost::asio::awaitable<void> timer_loop(Timer& timer, TimerHandler on_fire);
  void arm(Timer& timer, net::Time ms);
  static void disarm(Timer& timer);
  void on_heartbeat();    // N7
  void on_view_change();  // V1, V6
  void on_recovery();     // R1

  // ---- Handlers, one per message ---------------------------------------------------------
  void on(const protocol::Request& m);
  void on(const protocol::Reply& m);
  void on(const protocol::Prepare& m);
  void on(const protocol::PrepareOk& m);
  void on(const protocol::Commit& m);
  void on(const protocol::StartViewChange& m);
  void on(const protocol::DoViewChange& m);
  void on(const protocol::StartView& m);
  void on(const protocol::GetState& m);
  void on(const protocol::NewState& m);
  void on(const protocol::Recovery& m);
  void on(const protocol::RecoveryResponse& m);

  // ---- Steps the rules share -------------------------------------------------------------
  void boot();
  void start_recovery();                                        // R0
  void commit_at_primary();                                     // N5
  void learn_commit(protocol::OpNumber commit);                 // N6
  void enter_newer_view(protocol::ViewNumber view);             // S0
  void start_view_change(protocol::ViewNumber view);            // V1, V2, V6
  void check_start_view_changes();                              // V2's check, then V3
  void send_do_view_change();                                   // V3
  void record_do_view_change(const protocol::DoViewChange& m);  // V4's bookkeeping
  void finish_view_change();                      // V4, once f + 1 DoViewChanges are in
  void become_backup(protocol::ViewNumber view);  // V5, S0, R3: normal status as a backup
  void install(const protocol::Log& log);         // L1
  std::int64_t apply_next();                      // A1: applies op commit_number + 1
  void forget_view_change();

  // ---- Reading the state -----------------------------------------------------------------
  [[nodiscard]] bool is_primary() const;
  [[nodiscard]] protocol::OpNumber op_number() const { return log_.op_number(); }
  [[nodiscard]] protocol::OpNumber commit_number() const { return log_.commit_number(); }
  [[nodiscard]] protocol::ReplicaId primary() const { return config_.primary(view_); }
  // S0: a backup that joined its view from a Prepare or Commit and has no log of the view yet.
  [[nodiscard]] bool awaiting_state() const {
    return status_ == Status::normal && last_normal_view_ < view_;
  }

  // ---- Output ----------------------------------------------------------------------------
  void send(protocol::ReplicaId to, const protocol::Message& message);
  void send_to_replicas(const protocol::Message& message);  // every replica but self
  void reply(const protocol::Reply& reply);
  void note(std::string text);
  void ignore() { ++ignored_; }

  // Configuration (fixed for the replica's life).
  protocol::ReplicaId self_;
  protocol::Config config_;
  net::Topology topology_;
  Variant variant_;
  Send send_;
  Note note_;

  // The protocol's state (docs/protocol.md, "What a replica holds").
  protocol::ViewNumber view_ = 0;
  Status status_ = Status::normal;
  protocol::ViewNumber last_normal_view_ = 0;
  protocol::Log log_;
  std::vector<protocol::OpNumber> acked_;  // primary: per replica, highest op acked in this view
  std::set<protocol::ReplicaId> svc_;      // view change: StartViewChanges for view_ (others)
  std::map<protocol::ReplicaId, protocol::DoViewChange> dvc_;  // new primary: DoViewChanges
  bool sent_do_view_change_ = false;
  std::uint64_t nonce_ = 0;  // recovering: this restart's nonce
  std::map<protocol::ReplicaId, protocol::RecoveryResponse> responses_;  // recovering

  // What the run's checkers read, beside the protocol.
  std::vector<spec::RequestId> applied_;
  bool apply_log_complete_ = true;
  std::uint64_t malformed_ = 0;
  std::uint64_t ignored_ = 0;
  std::uint64_t invariant_breaks_ = 0;

  // The node's life.
  bool stopping_ = false;
  net::Inbox* inbox_ = nullptr;  // while run() runs
  Timer heartbeat_;              // armed only at a primary (N7)
  Timer view_change_;            // armed at a backup and during a view change (V1, V6)
  Timer recovery_;               // armed only while recovering (R1)
};

}  // namespace ladder::level2
