#pragma once
/// \file
/// One run of the level 1 counter through a scenario, on real threads and real sockets: three
/// replica servers, the clients, and a fault proxy on every route between them.
///
/// Every client-to-replica and replica-to-replica route passes its own network/fault_proxy.hpp,
/// which applies the scenario's FaultPlan to each call on that route: a dropped request, a lost
/// reply (client routes only: a "response" is the reply to a client's call), a delay. Lost
/// messages are silence — the proxy keeps the connection open and the caller waits for its
/// deadline — because that is what a lost packet looks like to TCP.
///
/// The proxies draw each call's fault from the run's seed in call order, one generator per route,
/// so a run with one client calling one replica after another meets the same faults every time
/// (`response-loss` loses the same replies). Faults can also be scripted exactly:
/// RunOptions::script drops the reply to the 3rd call on route c0 -> r0, say.
///
/// The scenario's timeline (partitions, cuts, crashes, restarts) runs on the clients' schedule,
/// not on the wall clock: before a client starts an operation that its plan puts at time t (the
/// sum of its think times so far plus RunOptions::call_ms per earlier operation), every timeline
/// event at or before t has happened. So "crash r0 at 120 ms" always strikes before the same
/// operation, however slow the machine. A partition black-holes the routes that cross it; a
/// one-way cut black-holes both directions of the routes it cuts, since TCP cannot work over a
/// link that carries packets one way only; a crash refuses and resets every route to the replica
/// and stops its server (its memory is gone); a restart starts a fresh replica on the same port.
/// A heal resets the connections of the routes that were black-holed: their callers gave up
/// at their deadlines, and the requests they abandoned die with the connections rather than
/// arriving after the heal.
///
/// When the clients are done, the network heals, crashed replicas restart, the run waits until no
/// replica is running a call, and every checker of counter_spec judges the history and the
/// replicas' final states.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "counter_spec/checkers.hpp"
#include "level1_rpc/counter_client.hpp"
#include "level1_rpc/reply_cache.hpp"
#include "network/fault_proxy.hpp"
#include "network/scenario.hpp"
#include "network/sim_network.hpp"

namespace ladder::level1 {

/// An exact fault for one call on one route, on top of the scenario's drawn faults.
struct RouteFault {
  net::NodeId from = 0;      ///< the caller (a client or a replica), by topology id
  net::NodeId to = 0;        ///< the replica called
  net::ScriptedFault fault;  ///< which call on that route, and what happens to it
};

/// How a run behaves beyond what the scenario says.
struct RunOptions {
  RetryPolicy retry = RetryPolicy::never;  ///< the clients' retry policy
  int max_attempts = 3;                    ///< attempts per operation with on-timeout
  int failover_after = 2;  ///< unanswered calls in a row before a client turns to the next replica
  std::chrono::milliseconds call_deadline{500};  ///< each client attempt's deadline
  /// How long a primary waits for each backup's apply.
  std::chrono::milliseconds backup_deadline{150};
  net::Time call_ms = 10;          ///< how long each operation counts on the clients' schedule
  std::vector<RouteFault> script;  ///< exact faults for chosen calls
  /// Makes each replica's reply cache (a fresh one at every start and restart). Empty: none, as
  /// level 1 was written; exercise 02 plugs its cache in here.
  std::function<std::unique_ptr<ReplyCache>()> make_reply_cache;
  /// Called for every notable event, as it happens, from any of the run's threads (one call at a
  /// time): timeline faults (crash, restart, partition, heal), calls the proxies dropped (drop,
  /// from caller to replica), and notes from the clients (each operation's outcome, failed
  /// attempts, failovers) and the replicas (backups skipped). Times are real milliseconds since
  /// the run began. May be empty.
  std::function<void(const net::TraceEvent&)> observer;
};

/// What a run produced.
struct RunResult {
  spec::RunRecord record;  ///< history, final replica states (with apply logs), majority windows
  spec::Verdict verdict;   ///< the checkers' findings
  /// Adds whose outcome the client could never learn (`info` in the history): the verdict
  /// counts them as "might have happened", so a run can be ok and still leave the client unsure.
  std::size_t unknown_outcomes = 0;
  std::vector<net::ProxyStats> proxy_stats;  ///< per route, in route order (for the curious)
};

/// Runs the level 1 counter through `scenario` with `seed` and judges it. Throws
/// boost::system::system_error when a loopback port cannot be bound.
RunResult run(const net::Scenario& scenario, std::uint64_t seed, const RunOptions& options = {});

}  // namespace ladder::level1
