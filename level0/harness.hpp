#pragma once
/// \file
/// The harness that runs any counter made of simulated nodes through a scenario: it builds the
/// replicas and clients, drives the simulated network, heals it at the end, lets it go quiet and
/// hands what happened to the checkers of counter_spec. Level 0 and the exercises built on it
/// plug their own replicas and clients in through a Cast.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "counter_spec/checkers.hpp"
#include "counter_spec/history.hpp"
#include "network/scenario.hpp"
#include "network/sim_network.hpp"

namespace ladder::level0 {

/// A replica as the harness sees it: a simulated node whose counter can be read when the run ends.
class CounterReplica : public net::SimNode {
 public:
  /// The replica's counter now.
  [[nodiscard]] virtual std::int64_t value() const = 0;
};

/// Everything a client is given: who it is, what to do, and where to record what it saw.
struct ClientSetup {
  int index = 0;                     ///< client number (0-based), also its spec::ClientId
  net::NodeId id = 0;                ///< its node id on the network
  net::Topology topology;            ///< who else is there
  std::vector<net::PlannedOp> ops;   ///< the operations to run, in order
  spec::History* history = nullptr;  ///< where to record invoke/ok/fail/info (never null)
};

/// A client as the harness sees it: a simulated node that runs its planned operations.
class CounterClient : public net::SimNode {
 public:
  /// True once every planned operation has completed (ok, fail or info).
  [[nodiscard]] virtual bool done() const = 0;
};

/// The cast of a run: how to make each replica and each client.
struct Cast {
  /// Makes replica number `index` (0-based).
  std::function<std::unique_ptr<CounterReplica>(int index, const net::Topology& topology)>
      make_replica;
  /// Makes a client from its setup.
  std::function<std::unique_ptr<CounterClient>(const ClientSetup& setup)> make_client;
};

/// Options of one run.
struct RunOptions {
  /// Called for every trace event (the demo's coloured log, trace files, tests); may be empty.
  std::function<void(const net::TraceEvent&)> observer;
  /// Bound on simulated events, so that a livelocked cast still ends (it is then STUCK).
  std::uint64_t max_events = 5'000'000;
};

/// What a run produced.
struct RunResult {
  spec::RunRecord record;    ///< history, final replica states, majority windows
  spec::Verdict verdict;     ///< the checkers' findings
  std::uint64_t digest = 0;  ///< the simulated network's digest of the whole run
  net::SimStats stats;       ///< what the network did
};

/// Runs `cast` through `scenario` with `seed`: the fault timeline plays out while the clients
/// work; then the network heals, crashed replicas restart, and the run continues until it is
/// quiet; then every checker runs.
RunResult run_counter(const net::Scenario& scenario, std::uint64_t seed, const Cast& cast,
                      const RunOptions& options = {});

}  // namespace ladder::level0
