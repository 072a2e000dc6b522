#include "level0/harness.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include <fmt/format.h>

namespace ladder::level0 {

namespace {

using Replicas = std::vector<std::unique_ptr<CounterReplica>>;
using Clients = std::vector<std::unique_ptr<CounterClient>>;

// When the last scheduled fault happens; -1 for a plan without a timeline.
net::Time timeline_end(const net::FaultPlan& plan) {
  net::Time end = -1;
  for (const net::TimelineEvent& event : plan.timeline)
    end = std::max(end, event.at_ms);
  return end;
}

bool all_done(const Clients& clients) {
  return std::all_of(clients.begin(), clients.end(), [](const auto& c) { return c->done(); });
}

// When the clients last did anything: the latest invoke or completion in the history.
net::Time last_progress(const spec::History& history) {
  net::Time last = 0;
  for (const spec::Event& event : history.events())
    last = std::max(last, event.time);
  return last;
}

Replicas make_replicas(const Cast& cast, const net::Topology& topology) {
  Replicas replicas;
  for (int i = 0; i < topology.replicas; ++i) {
    replicas.push_back(cast.make_replica(i, topology));
    assert(replicas.back() != nullptr && "Cast::make_replica returned no replica");
  }
  return replicas;
}

Clients make_clients(const Cast& cast, const net::Topology& topology,
                     std::vector<std::vector<net::PlannedOp>> plan, spec::History& history) {
  assert(plan.size() == static_cast<std::size_t>(topology.clients) && "one plan per client");
  Clients clients;
  for (int i = 0; i < topology.clients; ++i) {
    ClientSetup setup{i, topology.client(i), topology, std::move(plan[static_cast<std::size_t>(i)]),
                      &history};
    clients.push_back(cast.make_client(setup));
    assert(clients.back() != nullptr && "Cast::make_client returned no client");
  }
  return clients;
}

// Phase 1: the scenario plays out. Steps until every scheduled fault has happened and every client
// is done, or the queue runs dry, or `budget` events were processed. Returns the events processed.
std::uint64_t play_scenario(net::SimNetwork& network, const Clients& clients, net::Time faults_end,
                            std::uint64_t budget) {
  std::uint64_t events = 0;
  // Events are processed in time order, so once the clock has passed `faults_end` every fault
  // scheduled at or before it has happened.
  while (events < budget && !(all_done(clients) && network.now() > faults_end)) {
    if (!network.step()) break;
    ++events;
  }
  return events;
}

std::vector<spec::ReplicaState> final_states(const net::SimNetwork& network,
                                             const Replicas& replicas) {
  const net::Topology& topology = network.topology();
  std::vector<spec::ReplicaState> states;
  for (int i = 0; i < topology.replicas; ++i) {
    const net::NodeId id = topology.replica(i);
    spec::ReplicaState state;
    state.name = topology.name(id);
    state.up = network.is_up(id);
    state.value = replicas[static_cast<std::size_t>(i)]->value();
    states.push_back(std::move(state));
  }
  return states;
}

std::vector<spec::Interval> to_intervals(const std::vector<net::Window>& windows) {
  std::vector<spec::Interval> intervals;
  for (const net::Window& window : windows) {
    assert(window.begin <= window.end && "a majority window ends before it begins");
    intervals.push_back(spec::Interval{window.begin, window.end});
  }
  return intervals;
}

// A cast that never went quiet within the event budget is livelocked: say so, also where the STUCK
// checker (which needs an outstanding operation) has nothing to say.
void report_livelock(spec::Verdict& verdict, std::uint64_t max_events, net::Time end) {
  spec::Finding finding{spec::FindingKind::stuck, 0,
                        fmt::format("the run did not go quiet within {} simulated events "
                                    "(at {} ms): some node keeps the network busy forever",
                                    max_events, end)};
  // Findings are ordered lost, duplicated, diverged, stuck, bad_read: insert after the checker's
  // own STUCK findings, before any bad_read.
  const auto before =
      std::find_if(verdict.findings.begin(), verdict.findings.end(),
                   [](const spec::Finding& f) { return f.kind == spec::FindingKind::bad_read; });
  verdict.findings.insert(before, std::move(finding));
}

}  // namespace

RunResult run_counter(const net::Scenario& scenario, std::uint64_t seed, const Cast& cast,
                      const RunOptions& options) {
  assert(cast.make_replica && "the cast has no replica factory");
  assert(cast.make_client && "the cast has no client factory");
  assert(options.max_events > 0 && "an event budget of 0 runs nothing");
  const net::Topology topology = scenario.topology();

  // The history must outlive the clients that record into it, and the nodes must outlive the
  // network that calls them: declaration order is destruction order in reverse.
  spec::History history;
  const Replicas replicas = make_replicas(cast, topology);
  const Clients clients =
      make_clients(cast, topology, net::plan_workload(scenario.workload, seed), history);
  net::SimNetwork network(topology, scenario.faults, seed);
  for (int i = 0; i < topology.replicas; ++i) {
    network.attach(topology.replica(i), *replicas[static_cast<std::size_t>(i)]);
  }
  for (int i = 0; i < topology.clients; ++i) {
    network.attach(topology.client(i), *clients[static_cast<std::size_t>(i)]);
  }
  if (options.observer) network.set_observer(options.observer);
  network.start();

  //! [harness-phases]
  // 1. The scenario plays out: faults happen on schedule while the clients work.
  std::uint64_t events =
      play_scenario(network, clients, timeline_end(scenario.faults), options.max_events);
  // 2. The weather clears: every partition heals, every crashed node restarts, and whatever is
  //    still in flight lands. Only now is it fair to ask whether the replicas agree.
  network.heal_all();
  network.restart_all();
  const bool quiet =
      events < options.max_events && network.run_until_quiet(options.max_events - events);
  // 3. A client that is still not done is waiting for something that will never come. Let the
  //    clock run on so that the STUCK checker sees it wait for longer than its threshold.
  if (quiet && !all_done(clients)) {
    network.run_until(std::max(network.now(), last_progress(history) + scenario.stuck_after_ms));
  }
  //! [harness-phases]

  RunResult result;
  result.record.history = history;
  result.record.replicas = final_states(network, replicas);
  result.record.majority_windows = to_intervals(network.majority_windows());
  result.record.stuck_after_ms = scenario.stuck_after_ms;
  result.record.end = network.now();
  result.verdict = spec::check_all(result.record);
  if (!quiet) report_livelock(result.verdict, options.max_events, network.now());
  result.digest = network.digest();
  result.stats = network.stats();

  for (int i = 0; i < topology.clients; ++i) {
    const auto client = static_cast<std::size_t>(i);
    assert((!clients[client]->done() || !history.outstanding(static_cast<spec::ClientId>(i))) &&
           "a client that says it is done still has an operation outstanding");
  }
  for (const spec::ReplicaState& state : result.record.replicas) {
    assert((!quiet || state.up) && "restart_all left a replica down");
  }
  return result;
}

}  // namespace ladder::level0
