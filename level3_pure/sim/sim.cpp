/// \file
/// The simulator, told top to bottom in the manner of TigerBeetle's VOPR:
///
/// 1. the seed, and every fault parameter drawn from it (describe_parameters prints them);
/// 2. the cast: a driver per replica and per client around the pure core (sim_nodes.hpp);
/// 3. the network's random faults, steered: each send's drawn fault applies unless the spec
///    forgives it (the shrinker's lever) or the liveness phase has begun;
/// 4. phase 1: the scenario plays out while the clients work;
/// 5. phase 2, liveness: everything heals, crashed replicas restart, random faults stop, and the
///    cluster must settle and every client finish within a stated bound, else STUCK;
/// 6. the checkers of counter_spec: lost, duplicated, diverged, stuck, every read;
/// 7. the line that reproduces the run.

#include "level3_pure/sim/sim.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <memory>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "level3_pure/sim/sim_apply_log.hpp"
#include "level3_pure/sim/sim_nodes.hpp"
#include "protocol/codec.hpp"
#include "protocol/config.hpp"

namespace ladder::level3 {
namespace {

/// The stream of the seed's Rng that restart nonces come from, apart from the network's draws.
constexpr std::uint64_t kNonceStream = 0x6e6f6e6365U;  // "nonce"

// ---- 1. The seed and its parameters -------------------------------------------------------------

std::string describe_event(const net::TimelineEvent& event, const net::Topology& topology) {
  const auto names = [&topology](const std::vector<net::NodeId>& ids) {
    std::vector<std::string> out;
    for (const net::NodeId id : ids)
      out.push_back(topology.name(id));
    return fmt::format("{}", fmt::join(out, " "));
  };
  switch (event.kind) {
    case net::TimelineKind::partition: {
      std::vector<std::string> sides;
      for (const auto& group : event.groups)
        sides.push_back(names(group));
      return fmt::format("{} ms partition {}", event.at_ms, fmt::join(sides, " | "));
    }
    case net::TimelineKind::cut:
      return fmt::format("{} ms cut {} -> {}", event.at_ms, names(event.from), names(event.to));
    case net::TimelineKind::heal:
      return fmt::format("{} ms heal", event.at_ms);
    case net::TimelineKind::crash:
    case net::TimelineKind::restart:
      break;
  }
  return fmt::format("{} ms {} {}", event.at_ms, net::to_string(event.kind),
                     topology.name(event.node));
}

// ---- 2. The cast --------------------------------------------------------------------------------

/// Everything a run owns. The history and the ledger outlive the nodes that write into them, and
/// the nodes outlive the network that calls them: members are destroyed in reverse order.
struct Cast {
  spec::History history;
  detail::ApplyLedger ledger;
  std::vector<std::unique_ptr<detail::ReplicaNode>> replicas;
  std::vector<std::unique_ptr<detail::ClientNode>> clients;

  Cast(const SimSpec& spec, const protocol::Config& cluster) : ledger(cluster.replicas) {
    const net::Rng nonces = net::Rng(spec.seed).fork(kNonceStream);
    for (int i = 0; i < cluster.replicas; ++i) {
      const ReplicaConfig config{static_cast<protocol::ReplicaId>(i), cluster, spec.variant,
                                 spec.choose_log};
      replicas.push_back(std::make_unique<detail::ReplicaNode>(
          config, nonces.fork(static_cast<std::uint64_t>(i)), ledger));
    }
    for (std::size_t c = 0; c < spec.ops.size(); ++c) {
      clients.push_back(std::make_unique<detail::ClientNode>(static_cast<spec::ClientId>(c),
                                                             cluster, spec.ops[c], history));
    }
  }

  [[nodiscard]] bool clients_done() const {
    return std::all_of(clients.begin(), clients.end(), [](const auto& c) { return c->done(); });
  }

  /// Settled: every replica up, in normal status, in one view, with everything committed, at one
  /// commit number; and every client done. Values are not compared: that is DIVERGED's job.
  [[nodiscard]] bool settled() const {
    const auto& first = replicas.front()->state();
    if (!first) return false;
    for (const auto& node : replicas) {
      const auto& state = node->state();
      if (!state || state->status != Status::normal) return false;
      if (state->view != first->view) return false;
      if (state->op_number() != state->commit_number()) return false;
      if (state->commit_number() != first->commit_number()) return false;
    }
    return clients_done();
  }
};

protocol::Config cluster_of(const net::Scenario& scenario) {
  protocol::Config cluster;  // the timeouts of docs/protocol.md, in virtual milliseconds
  cluster.replicas = scenario.replicas;
  assert(cluster.valid() && "level 3 runs an odd number of replicas, at most kMaxReplicas");
  return cluster;
}

// ---- 3. The network's random faults, steered ----------------------------------------------------

/// Decides, for each send, whether the fault the network drew for it applies.
class FaultSteering {
 public:
  FaultSteering(const SimSpec& spec, const SimHooks& hooks, std::vector<AppliedFault>& applied)
      : kept_(spec.kept_faults ? &*spec.kept_faults : nullptr),
        hooks_(&hooks),
        applied_(&applied) {}

  /// From now on every random fault is forgiven: the liveness phase's calm weather.
  void calm() { calm_ = true; }

  void operator()(const net::SendInfo& info, net::SendDecision& decision) const {
    const char* kind = decision.drop            ? "drop"
                       : decision.response_lost ? "response lost"
                       : decision.duplicate     ? "duplicate"
                                                : nullptr;
    bool forgiven = false;
    if (kind != nullptr) {
      const bool kept =
          kept_ == nullptr || std::binary_search(kept_->begin(), kept_->end(), info.index);
      if (calm_ || !kept) {
        decision.drop = decision.response_lost = decision.duplicate = false;
        forgiven = true;
      } else {
        applied_->push_back(AppliedFault{info.index, kind});
      }
    }
    if (hooks_->on_send) hooks_->on_send(info, decision, forgiven);
  }

 private:
  const std::vector<std::uint64_t>* kept_;
  const SimHooks* hooks_;
  std::vector<AppliedFault>* applied_;
  bool calm_ = false;
};

// ---- 4 and 5. The phases ------------------------------------------------------------------------

net::Time timeline_end(const net::FaultPlan& plan) {
  net::Time end = -1;
  for (const net::TimelineEvent& event : plan.timeline)
    end = std::max(end, event.at_ms);
  return end;
}

/// Steps while `go_on()` holds, the queue is not empty and the event budget lasts.
template <typename Predicate>
void run_while(net::SimNetwork& network, std::uint64_t& events, std::uint64_t max_events,
               Predicate go_on) {
  while (events < max_events && go_on() && network.step())
    ++events;
}

/// What keeps a cluster from counting as settled, for the STUCK finding's evidence.
std::string unsettled(const Cast& cast, const net::Topology& topology) {
  std::vector<std::string> parts;
  for (const auto& node : cast.replicas) {
    const auto& state = node->state();
    parts.push_back(state ? state->describe() : "a replica down");
  }
  for (std::size_t c = 0; c < cast.clients.size(); ++c) {
    const ClientState& client = cast.clients[c]->state();
    if (cast.clients[c]->done()) continue;
    const std::string name = topology.name(topology.client(static_cast<int>(c)));
    parts.push_back(client.outstanding ? fmt::format("{} waiting for {}", name,
                                                     spec::to_string(client.outstanding->id))
                                       : fmt::format("{} not done", name));
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

// ---- 6. The checkers ----------------------------------------------------------------------------

std::vector<spec::ReplicaState> final_states(const Cast& cast, const net::SimNetwork& network) {
  const net::Topology& topology = network.topology();
  std::vector<spec::ReplicaState> states;
  for (std::size_t i = 0; i < cast.replicas.size(); ++i) {
    const auto& state = cast.replicas[i]->state();
    spec::ReplicaState out;
    out.name = topology.name(topology.replica(static_cast<int>(i)));
    out.up = state.has_value();
    out.value = state ? state->value() : 0;
    const auto& applied = cast.ledger.applied(static_cast<int>(i));
    out.has_apply_log = applied.has_value();
    if (applied) {
      for (const protocol::Request& request : *applied) {
        if (request.op.kind == spec::OpKind::add) out.applied.push_back(request.id);
      }
    }
    states.push_back(std::move(out));
  }
  return states;
}

void add_stuck(spec::Verdict& verdict, std::string evidence, net::Time waited_ms) {
  // Findings are ordered lost, duplicated, diverged, stuck, bad_read.
  const auto before =
      std::find_if(verdict.findings.begin(), verdict.findings.end(),
                   [](const spec::Finding& f) { return f.kind == spec::FindingKind::bad_read; });
  verdict.findings.insert(before,
                          spec::Finding{spec::FindingKind::stuck, waited_ms, std::move(evidence)});
}

/// The request the first LOST or DUPLICATED finding is about, read off the apply logs.
std::optional<spec::RequestId> culprit_of(const SimResult& result) {
  if (result.verdict.ok()) return std::nullopt;
  const spec::FindingKind kind = result.verdict.findings.front().kind;
  for (const spec::ReplicaState& replica : result.record.replicas) {
    if (!replica.up || !replica.has_apply_log) continue;
    std::vector<spec::RequestId> applied = replica.applied;
    std::sort(applied.begin(), applied.end());
    if (kind == spec::FindingKind::duplicated) {
      const auto twice = std::adjacent_find(applied.begin(), applied.end());
      if (twice != applied.end()) return *twice;
    }
    if (kind == spec::FindingKind::lost) {
      for (const spec::Operation& op : result.record.history.operations()) {
        if (op.kind != spec::OpKind::add || op.outcome != spec::Outcome::ok || !op.request)
          continue;
        if (!std::binary_search(applied.begin(), applied.end(), *op.request)) return op.request;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

SimSpec make_spec(const net::Scenario& scenario, std::uint64_t seed, Variant variant) {
  SimSpec spec;
  spec.scenario = scenario;
  spec.seed = seed;
  spec.variant = variant;
  spec.ops = net::plan_workload(scenario.workload, seed);
  return spec;
}

std::string describe_parameters(const SimSpec& spec) {
  const net::Scenario& scenario = spec.scenario;
  const net::FaultPlan& faults = scenario.faults;
  const net::Topology topology = scenario.topology();
  std::vector<std::string> timeline;
  for (const net::TimelineEvent& event : faults.timeline)
    timeline.push_back(describe_event(event, topology));
  std::size_t ops = 0;
  for (const auto& client : spec.ops)
    ops += client.size();
  std::string text = fmt::format(
      "seed           {}\n"
      "variant        {}\n"
      "scenario       {}\n"
      "topology       {} replicas, {} clients, {} operations\n"
      "drop           {}\n"
      "duplicate      {}\n"
      "delay          {}..{} ms\n"
      "response loss  {}\n"
      "timeline       {}\n",
      spec.seed, to_string(spec.variant), scenario.name, topology.replicas, topology.clients, ops,
      faults.drop_probability, faults.duplicate_probability, faults.delay_min_ms,
      faults.delay_max_ms, faults.response_loss_probability,
      timeline.empty() ? std::string("nothing scheduled")
                       : fmt::format("{}", fmt::join(timeline, "; ")));
  if (spec.kept_faults) {
    text += fmt::format("kept faults    sends {}\n", fmt::join(*spec.kept_faults, " "));
  }
  return text;
}

SimResult run_sim(const SimSpec& spec, const SimHooks& hooks, const SimLimits& limits) {
  const net::Scenario& scenario = spec.scenario;
  const net::Topology topology = scenario.topology();
  assert(spec.ops.size() == static_cast<std::size_t>(topology.clients) && "one plan per client");
  assert(limits.liveness_ms > 0 && limits.max_events > 0);

  // 2. The cast, attached to a network that draws every fault from the seed.
  SimResult result;
  Cast cast(spec, cluster_of(scenario));
  net::SimNetwork network(topology, scenario.faults, spec.seed);
  for (int i = 0; i < topology.replicas; ++i)
    network.attach(topology.replica(i), *cast.replicas[static_cast<std::size_t>(i)]);
  for (int c = 0; c < topology.clients; ++c)
    network.attach(topology.client(c), *cast.clients[static_cast<std::size_t>(c)]);
  if (hooks.observer) network.set_observer(hooks.observer);

  // 3. Every send's drawn fault passes the steering before it applies.
  auto steering = std::make_shared<FaultSteering>(spec, hooks, result.faults);
  network.set_send_decider([steering](const net::SendInfo& info, net::SendDecision& decision) {
    (*steering)(info, decision);
  });
  network.start();

  // 4. Phase 1: the timeline plays out while the clients work. It ends once every scheduled fault
  //    has happened and every client is done, or the liveness bound passed since the last fault.
  const net::Time faults_end = timeline_end(scenario.faults);
  const net::Time phase1_deadline = std::max<net::Time>(faults_end, 0) + limits.liveness_ms;
  run_while(network, result.events, limits.max_events, [&] {
    const bool timeline_over = network.now() > faults_end;
    return !(timeline_over && cast.clients_done()) && network.now() <= phase1_deadline;
  });

  // 5. Phase 2, liveness: the weather clears. Partitions heal, crashed replicas restart, random
  //    faults stop. A correct cluster now settles within the bound; if it does not, it is STUCK.
  steering->calm();
  network.heal_all();
  network.restart_all();
  result.healed_at = network.now();
  const net::Time deadline = result.healed_at + limits.liveness_ms;
  run_while(network, result.events, limits.max_events,
            [&] { return !cast.settled() && network.now() <= deadline; });
  const bool settled = cast.settled();

  // 6. The checkers judge what the clients saw and where the replicas ended.
  result.record.history = cast.history;
  result.record.replicas = final_states(cast, network);
  for (const net::Window& window : network.majority_windows())
    result.record.majority_windows.push_back(spec::Interval{window.begin, window.end});
  result.record.stuck_after_ms = scenario.stuck_after_ms;
  result.record.linearizable_reads = true;
  result.record.end = network.now();
  result.verdict = spec::check_all(result.record);
  if (!settled && !result.verdict.has(spec::FindingKind::stuck)) {
    const bool budget = result.events >= limits.max_events;
    add_stuck(result.verdict,
              fmt::format("the cluster did not settle {} after the network healed at {} ms: {}",
                          budget ? fmt::format("within {} simulated events", limits.max_events)
                                 : fmt::format("within {} ms", limits.liveness_ms),
                          result.healed_at, unsettled(cast, topology)),
              network.now() - result.healed_at);
  }
  result.digest = network.digest();
  result.stats = network.stats();
  result.culprit = culprit_of(result);
  return result;
}

// ---- 7. The line that reproduces the run -------------------------------------------------------

std::string reproduce_line(const SimSpec& spec) {
  const std::string& name = spec.scenario.name;
  if (name.rfind("monkey-", 0) == 0) {
    return fmt::format("./run monkey 3 --variant {} --seed {} --runs 1", to_string(spec.variant),
                       spec.seed);
  }
  return fmt::format("./run demo 3 --scenario {} --seed {} --variant {}", name, spec.seed,
                     to_string(spec.variant));
}

std::string describe_payload(std::string_view payload) {
  return protocol::describe_datagram(payload);
}

std::string describe_timer_tag(std::string_view tag) {
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(tag.data(), tag.data() + tag.size(), number);
  if (error != std::errc{} || end != tag.data() + tag.size()) return {};
  if (number == detail::kThinkTag) return "think";
  if (number <= static_cast<std::uint64_t>(Timer::client_retry)) {
    return to_string(static_cast<Timer>(number));
  }
  return {};
}

}  // namespace ladder::level3
