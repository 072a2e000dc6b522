#pragma once
/// \file
/// One run of the level 2 counter through a scenario, in real time: a thread and an io_context per
/// replica, the clients' coroutines on one more thread, and every datagram through
/// network::UdpNetwork's fault injector, which plays the scenario's FaultPlan.
///
/// The phases of a run, each with a bound:
///
/// 1. The scenario plays: the clients run their planned operations while the timeline partitions,
///    heals, crashes and restarts (a crash stops the replica's thread and forgets its state; a
///    restart starts a fresh replica that recovers, rules R0 to R3). Bounded by the clients'
///    give-up deadline per operation.
/// 2. The weather clears: once the clients are done and the last crash or partition of the
///    timeline has happened, the network heals and every crashed replica restarts (a heal or a
///    restart still scheduled would do exactly that: it is not waited for).
/// 3. The replicas settle: the run waits until every replica is in normal status in the same view
///    with everything committed, or RunOptions::settle_ms passes (then STUCK, if some replica
///    never got back to normal status).
/// 4. The checkers of counter_spec judge the history, the replicas' final states (with their
///    apply logs) and the windows in which a majority was up and connected.
///
/// Real threads and a real scheduler decide which datagram reaches the injector first, so the
/// same seed gives the same plan, not the same run: that is level 2's lesson.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "counter_spec/checkers.hpp"
#include "level2_async/replica.hpp"
#include "network/fault_plan.hpp"
#include "network/scenario.hpp"
#include "network/sim_network.hpp"
#include "network/udp_network.hpp"
#include "protocol/config.hpp"

namespace ladder::level2 {

/// Level 2's timeouts for `scenario`: docs/protocol.md's defaults scaled down to the scenario's
/// delays, so that a run takes a second or two of real time rather than ten, yet every timeout
/// stays well above a round trip (two of the plan's longest delays).
[[nodiscard]] protocol::Config fast_config(const net::Scenario& scenario);

/// A fault applied at a point of the run's progress rather than at a time: "after the 5th
/// acknowledged operation, crash r0". Exact where the timeline can only be approximate.
struct ScriptedFault {
  int after_ok = 1;          ///< apply it right after this many acknowledged operations
  net::TimelineEvent event;  ///< what to do (its at_ms is ignored)
};

/// How a run behaves beyond what the scenario says.
struct RunOptions {
  /// Which rule V4 the replicas run. The level's author shipped first-release.
  Variant variant = Variant::first_release;
  /// Called for every trace event (sends, deliveries, drops, faults and the nodes' notes), one at
  /// a time, from the network's thread; times are real ms since the run began. May be empty.
  std::function<void(const net::TraceEvent&)> observer;
  /// The timeouts; fast_config(scenario) when empty. `replicas` is always the scenario's.
  std::optional<protocol::Config> config;
  net::Time give_up_ms = 1000;        ///< C4: a client's deadline per operation
  net::Time settle_ms = 2000;         ///< phase 3's bound
  std::vector<ScriptedFault> script;  ///< faults at points of progress, beside the timeline
};

/// What a run produced.
struct RunResult {
  spec::RunRecord record;  ///< history, final replica states (with apply logs), majority windows
  spec::Verdict verdict;   ///< the checkers' findings
  std::vector<ReplicaReport> replicas;  ///< every replica's final state, by id
  net::UdpStats stats;                  ///< what the network did
  bool settled = false;                 ///< phase 3 ended with the replicas in agreement
  net::Time duration_ms = 0;            ///< the run's length in real time
};

/// Runs the level 2 counter through `scenario` with `seed` and judges it. Throws
/// boost::system::system_error when a loopback port cannot be bound.
RunResult run(const net::Scenario& scenario, std::uint64_t seed, const RunOptions& options = {});

}  // namespace ladder::level2
