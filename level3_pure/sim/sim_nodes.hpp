#pragma once
/// \file
/// The simulator's drivers: a net::SimNode per replica and per client that feeds what the network
/// delivers to the pure core (step(), client_step()) and executes the actions it returns, under
/// the driver's contract of action.hpp:
///
/// - Send: encode the message as a datagram and hand it to the network (a ReplyToClient as a
///   response, so that response loss applies to it);
/// - SetTimer / CancelTimer: arm or disarm the node's one timer of that name on the network;
/// - Persist: write the durable fields to the replica's in-memory disk, which survives a crash;
///   a lazy one (P4) and a primary's new op (P5) reach it at the replica's next step, so that a
///   crash just after the step loses them, as on a real machine;
/// - a restart: the Recovered input, with what the disk holds and a nonce from the seeded Rng.

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "counter_spec/history.hpp"
#include "level3_pure/core/client.hpp"
#include "level3_pure/core/replica.hpp"
#include "level3_pure/core/step.hpp"
#include "level3_pure/sim/sim_apply_log.hpp"
#include "network/rng.hpp"
#include "network/scenario.hpp"
#include "network/sim_network.hpp"

namespace ladder::level3::detail {

/// The timer tag of a client's pause before its next operation (core timers use their enum value).
inline constexpr std::uint64_t kThinkTag = 100;

/// One replica of the simulated cluster: the core's state, its disk and its armed timers.
class ReplicaNode final : public net::SimNode {
 public:
  /// Replica `config.self`; `nonces` supplies restart nonces; `ledger` follows what it applies.
  ReplicaNode(ReplicaConfig config, net::Rng nonces, ApplyLedger& ledger);

  /// Boots the replica the first time, and restarts it from its disk after a crash.
  void on_start(net::NodeContext& ctx) override;
  /// Decodes a datagram and steps on it; a malformed one is counted and ignored.
  void on_message(net::NodeContext& ctx, net::NodeId from, std::string_view payload) override;
  /// Steps on the named timer that fired.
  void on_timer(net::NodeContext& ctx, std::uint64_t tag) override;
  /// Forgets the volatile state and the timers; the disk stays.
  void on_crash() override;

  /// The replica's state; nullopt while crashed.
  [[nodiscard]] const std::optional<Replica>& state() const { return state_; }
  /// Datagrams that did not decode.
  [[nodiscard]] std::uint64_t malformed() const { return malformed_; }

 private:
  void run(net::NodeContext& ctx, const Input& input);
  void execute(net::NodeContext& ctx, const StepResult& result, Role before);

  ReplicaConfig config_;
  net::Rng nonces_;
  ApplyLedger* ledger_;
  std::optional<Replica> state_;
  std::optional<Replica> left_by_crash_;  // what the crash left, for the Recovered step
  std::optional<Durable> disk_;           // the last completed Persist
  std::optional<Durable> unwritten_;      // a Persist (P4, P5) not on disk yet: a crash loses it
  std::array<std::optional<net::TimerId>, 4> timers_{};
  bool booted_ = false;
  std::uint64_t malformed_ = 0;
};

/// One client: the core's client state, its planned operations, and the history it records.
class ClientNode final : public net::SimNode {
 public:
  /// Client `id` of a cluster with `cluster`'s parameters, running `ops` and recording into
  /// `history` (which must outlive the node).
  ClientNode(spec::ClientId id, const protocol::Config& cluster, std::vector<net::PlannedOp> ops,
             spec::History& history);

  /// Starts the first operation's think time; after a crash, resumes where it was.
  void on_start(net::NodeContext& ctx) override;
  /// Decodes a datagram and steps on it (a Reply completes the outstanding request).
  void on_message(net::NodeContext& ctx, net::NodeId from, std::string_view payload) override;
  /// The think pause ended (invoke the next operation) or the retry timer fired.
  void on_timer(net::NodeContext& ctx, std::uint64_t tag) override;
  /// Forgets the timers (a client's state is its own process's memory: kept, as if suspended).
  void on_crash() override;

  /// True once every planned operation completed.
  [[nodiscard]] bool done() const { return next_op_ == ops_.size() && !state_.busy(); }
  /// The client's state.
  [[nodiscard]] const ClientState& state() const { return state_; }

 private:
  void run(net::NodeContext& ctx, const ClientInput& input);
  void think(net::NodeContext& ctx);

  ClientState state_;
  std::vector<net::PlannedOp> ops_;
  std::size_t next_op_ = 0;
  spec::History* history_;
  std::optional<net::TimerId> retry_;
  std::optional<net::TimerId> pause_;
  bool started_ = false;
};

}  // namespace ladder::level3::detail
