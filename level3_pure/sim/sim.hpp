#pragma once
/// \file
/// The deterministic simulator of level 3: the pure core of step.hpp and client.hpp, driven on the
/// simulated network of network/sim_network.hpp, judged by the checkers of counter_spec/.
///
/// A run is a function of a SimSpec (scenario, seed, variant, the clients' operations and which of
/// the network's random faults apply) and nothing else: run it again and it happens again, event
/// for event, with the same digest. sim.cpp tells the run top to bottom, in the manner of
/// TigerBeetle's VOPR: seed, every fault parameter, the run, the checkers, a liveness phase, and
/// the line that reproduces it.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "counter_spec/checkers.hpp"
#include "counter_spec/history.hpp"
#include "level3_pure/core/replica.hpp"
#include "network/scenario.hpp"
#include "network/sim_network.hpp"

namespace ladder::level3 {

/// Everything a simulated run depends on. Two equal specs give two equal runs.
struct SimSpec {
  net::Scenario scenario;                    ///< topology, workload shape, fault plan, STUCK bound
  std::uint64_t seed = 1;                    ///< the one seed every random choice is drawn from
  Variant variant = Variant::first_release;  ///< which rule V4 the replicas run
  /// What each client does (outer index: client), normally net::plan_workload(workload, seed).
  /// A shrunk trace keeps fewer operations than the seed would draw.
  std::vector<std::vector<net::PlannedOp>> ops;
  /// Which sends keep the fault (drop, response loss, duplicate) the network drew for them,
  /// by send index (sorted). nullopt: every drawn fault applies, as the seed says. The shrinker
  /// forgives faults by leaving their sends out.
  std::optional<std::vector<std::uint64_t>> kept_faults;
  /// Every replica's ReplicaConfig::choose_log: nullptr runs the variant's V4 (exercise 07 sets
  /// the reader's). A trace file cannot record a function: traces are of nullptr runs.
  LogChooser choose_log = nullptr;
};

/// The spec of a plain run: the scenario with the operations its workload draws from `seed`, and
/// every fault as drawn.
SimSpec make_spec(const net::Scenario& scenario, std::uint64_t seed,
                  Variant variant = Variant::first_release);

/// The bounds of a run: how long each phase may take, in virtual time and in events.
struct SimLimits {
  /// The liveness bound: after the network heals (partitions removed, crashed replicas restarted,
  /// random faults off), every replica must settle (normal status, one view, everything committed)
  /// and every client must finish within this many virtual milliseconds, else the run is STUCK.
  net::Time liveness_ms = 10'000;
  /// The most simulated events a run may take, so that a livelocked cluster still ends (STUCK).
  std::uint64_t max_events = 5'000'000;
};

/// One send whose drawn fault applied: what the trace records so that a replay can forgive it.
struct AppliedFault {
  std::uint64_t send = 0;  ///< the send's index in the run (net::SendInfo::index)
  std::string kind;        ///< "drop", "response lost" or "duplicate"
};

/// Hooks into a run, all optional. They observe; they never change the run.
struct SimHooks {
  /// Every trace event of the network, as it happens (the demo's log, the trace file).
  std::function<void(const net::TraceEvent&)> observer;
  /// Every send's random choices, after the spec's kept_faults were applied to them, and whether
  /// a drawn fault was forgiven (the trace file records them). Called right after the send's
  /// trace event.
  std::function<void(const net::SendInfo&, const net::SendDecision&, bool forgiven)> on_send;
};

/// What a run produced.
struct SimResult {
  spec::RunRecord record;  ///< history, final replica states (with apply logs), majority windows
  spec::Verdict verdict;   ///< every checker's findings, the liveness phase's STUCK included
  std::uint64_t digest =
      0;                ///< the network's digest of every trace event: equal runs, equal digests
  net::SimStats stats;  ///< what the network did
  std::uint64_t events = 0;          ///< simulated events processed (the benchmark's unit)
  net::Time healed_at = 0;           ///< when the liveness phase began
  std::vector<AppliedFault> faults;  ///< the random faults that applied, in send order
  /// The request the first LOST or DUPLICATED finding is about, when the apply logs name one
  /// (the diagram highlights it).
  std::optional<spec::RequestId> culprit;
};

/// Runs `spec` to its end and judges it. Deterministic: the same spec gives the same result.
SimResult run_sim(const SimSpec& spec, const SimHooks& hooks = {}, const SimLimits& limits = {});

/// The fault parameters of the run, one per line, as TigerBeetle's VOPR prints them before it
/// starts: seed, variant, topology, workload, drop, duplicate, delay, response loss, timeline.
std::string describe_parameters(const SimSpec& spec);

/// The command that runs the same scenario and seed again: the level 3 demo with the name, seed
/// and variant of the spec, or for a monkey scenario the level 3 monkey with the variant, the seed
/// and one run. A spec with kept faults or edited operations is reproduced by its trace file.
std::string reproduce_line(const SimSpec& spec);

/// Renders a payload of level 3's trace (a protocol datagram) for logs: protocol::describe.
std::string describe_payload(std::string_view payload);

/// Names a timer tag of level 3's trace: "heartbeat", "client_retry", "think", ...; "" if unknown.
std::string describe_timer_tag(std::string_view tag);

}  // namespace ladder::level3
