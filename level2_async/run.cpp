#include "level2_async/run.hpp"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "level2_async/client.hpp"
#include "level2_async/replica_node.hpp"
#include "network/inbox.hpp"

namespace ladder::level2 {

namespace asio = boost::asio;
using net::NodeId;
using net::Time;

protocol::Config fast_config(const net::Scenario& scenario) {
  const Time round_trip = 2 * scenario.faults.delay_max_ms;
  protocol::Config config;
  config.replicas = scenario.replicas;
  config.heartbeat_ms = 10;
  // A backup hears from its primary every heartbeat: silence for several of them, plus a
  // message's longest delay, means a lost primary, not a slow one.
  config.view_change_timeout_ms = std::max<Time>(60, 4 * config.heartbeat_ms + round_trip);
  config.client_retry_ms = std::max<Time>(40, round_trip + 20);
  config.recovery_retry_ms = std::max<Time>(30, round_trip + 10);
  assert(config.valid());
  return config;
}

namespace {

// How often phase 3 looks at the replicas.
constexpr std::chrono::milliseconds kSettlePoll{10};

// The replicas of a run: started at boot, stopped by the crash hook, started fresh (recovering)
// by the restart hook. The hooks run on the network's thread, the run's phases on the caller's:
// the mutex guards the table of nodes, never a replica's state, which its own thread owns.
class Cluster {
 public:
  Cluster(net::UdpNetwork& network, const net::Topology& topology, const RunOptions& options)
      : network_(network), topology_(topology), options_(options) {
    nodes_.resize(static_cast<std::size_t>(topology.replicas));
  }

  void boot_all() {
    for (int i = 0; i < topology_.replicas; ++i)
      start(topology_.replica(i), /*recovering=*/false);
  }

  // The crash hook: the machine dies, its thread stops, its memory is gone.
  void crash(NodeId id) {
    std::unique_ptr<ReplicaNode> dead;
    {
      const std::lock_guard lock(mutex_);
      dead = std::move(nodes_.at(id));
    }
    dead.reset();  // joins its thread, outside the lock
  }

  // The restart hook: a fresh machine with an empty memory, which recovers (R0).
  void restart(NodeId id) { start(id, /*recovering=*/true); }

  // Every replica's state, or nullopt for a replica that is down.
  std::vector<std::optional<ReplicaReport>> reports() {
    const std::lock_guard lock(mutex_);
    std::vector<std::optional<ReplicaReport>> all;
    for (auto& node : nodes_)
      all.push_back(node ? std::optional(node->report()) : std::nullopt);
    return all;
  }

  // Stops every replica (the network must be stopped) and returns their last states.
  std::vector<std::optional<ReplicaReport>> stop_all() {
    std::vector<std::optional<ReplicaReport>> all = reports();
    const std::lock_guard lock(mutex_);
    for (auto& node : nodes_)
      node.reset();
    return all;
  }

 private:
  void start(NodeId id, bool recovering) {
    ReplicaOptions replica;
    replica.self = id;
    replica.config = *options_.config;
    replica.topology = topology_;
    replica.variant = options_.variant;
    replica.recovering = recovering;
    // A nonce only needs to differ between this replica's restarts in one run (rule R0).
    replica.nonce = recovering ? ++restarts_ : 0;
    Note note;
    if (options_.observer) note = [this, id](std::string text) { network_.note(id, text); };
    auto node = std::make_unique<ReplicaNode>(network_, replica, std::move(note));
    const std::lock_guard lock(mutex_);
    assert(!nodes_.at(id) && "starting a replica that runs");
    nodes_.at(id) = std::move(node);
  }

  net::UdpNetwork& network_;
  net::Topology topology_;
  const RunOptions& options_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<ReplicaNode>> nodes_;  // by id; null while crashed
  std::atomic<std::uint64_t> restarts_{0};
};

// The clients: one coroutine each, all on one thread, recording into one history.
class Clients {
 public:
  Clients(net::UdpNetwork& network, const net::Scenario& scenario, std::uint64_t seed,
          const RunOptions& options)
      : network_(network), topology_(scenario.topology()) {
    auto plans = net::plan_workload(scenario.workload, seed);
    assert(plans.size() == static_cast<std::size_t>(topology_.clients));
    for (int c = 0; c < topology_.clients; ++c) {
      inboxes_.push_back(std::make_unique<net::Inbox>(io_.get_executor()));
      network.attach(topology_.client(c), inboxes_.back()->receiver());
      ClientOptions client;
      client.index = c;
      client.topology = topology_;
      client.config = *options.config;
      client.ops = std::move(plans[static_cast<std::size_t>(c)]);
      client.give_up_ms = options.give_up_ms;
      if (!options.script.empty()) {
        client.after_ok = [this, &options] { run_script(options.script); };
      }
      const NodeId id = topology_.client(c);
      Note note;
      if (options.observer) note = [&network, id](std::string text) { network.note(id, text); };
      asio::co_spawn(io_,
                     run_client(
                         std::move(client), *inboxes_.back(),
                         [&network, id](NodeId to, std::string body, net::MessageClass cls) {
                           network.send(id, to, std::move(body), cls);
                         },
                         [&network] { return network.now(); }, std::move(note), history_),
                     asio::detached);
    }
  }

  // The restart hook for a client: its network card delivers to its inbox again.
  void reattach(NodeId id) {
    const int c = topology_.client_index(id);
    network_.attach(id, inboxes_.at(static_cast<std::size_t>(c))->receiver());
  }

  // Runs every client to its end (each operation is bounded by the give-up deadline).
  void run_to_end() {
    std::thread thread([this] { io_.run(); });
    thread.join();
    for (int c = 0; c < topology_.clients; ++c)
      network_.attach(topology_.client(c), {});
  }

  // The history; read it once run_to_end() returned.
  [[nodiscard]] const spec::History& history() const { return history_; }

 private:
  // After each acknowledged operation, on the clients' thread: the faults scripted for it.
  void run_script(const std::vector<ScriptedFault>& script) {
    ++acknowledged_;
    for (const ScriptedFault& fault : script) {
      if (fault.after_ok == acknowledged_) network_.apply_now(fault.event);
    }
  }

  net::UdpNetwork& network_;
  net::Topology topology_;
  asio::io_context io_;
  std::vector<std::unique_ptr<net::Inbox>> inboxes_;
  spec::History history_;
  int acknowledged_ = 0;
};

// Phase 2's wait: until the last crash, partition or cut of the timeline has happened. Heals and
// restarts are not waited for: the run heals and restarts everything next anyway.
void wait_for_last_fault(const net::UdpNetwork& network, const net::FaultPlan& plan) {
  Time last = -1;
  for (const net::TimelineEvent& event : plan.timeline) {
    if (event.kind != net::TimelineKind::heal && event.kind != net::TimelineKind::restart) {
      last = std::max(last, event.at_ms);
    }
  }
  const Time now = network.now();
  if (last >= now) std::this_thread::sleep_for(std::chrono::milliseconds(last - now + 1));
}

// True when every replica is up, in normal status, in one view, with everything it holds
// committed and the same counter.
bool settled(const std::vector<std::optional<ReplicaReport>>& reports) {
  if (reports.empty() || !reports.front()) return false;
  const ReplicaReport& first = *reports.front();
  return std::all_of(reports.begin(), reports.end(), [&](const auto& r) {
    return r && r->status == Status::normal && r->view == first.view &&
           r->commit_number == first.commit_number && r->op_number == r->commit_number &&
           r->value == first.value;
  });
}

// Phase 3: waits until the replicas settle or `bound_ms` passes; returns their states.
std::vector<std::optional<ReplicaReport>> settle(Cluster& cluster, Time bound_ms, bool& done) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(bound_ms);
  std::vector<std::optional<ReplicaReport>> reports = cluster.reports();
  while (!(done = settled(reports)) && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(kSettlePoll);
    reports = cluster.reports();
  }
  return reports;
}

spec::ReplicaState to_state(const net::Topology& topology, int index,
                            const std::optional<ReplicaReport>& report) {
  spec::ReplicaState state;
  state.name = topology.name(topology.replica(index));
  // A replica still recovering holds no counter yet, only an empty memory (R0): like a crashed
  // one, it is left out of the value checks. If it never recovers, the run says STUCK.
  state.up = report.has_value() && report->status != Status::recovering;
  if (state.up) {
    state.value = report->value;
    state.has_apply_log = report->apply_log_complete;
    state.applied = report->applied;
  }
  return state;
}

std::vector<spec::Interval> to_intervals(const std::vector<net::Window>& windows) {
  std::vector<spec::Interval> intervals;
  for (const net::Window& window : windows)
    intervals.push_back(spec::Interval{window.begin, window.end});
  return intervals;
}

// "r0 normal v3 op 12 commit 12 =40, r1 view_change v4 ..."
std::string describe_replicas(const net::Topology& topology,
                              const std::vector<std::optional<ReplicaReport>>& reports) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const std::string name = topology.name(topology.replica(static_cast<int>(i)));
    const auto& r = reports[i];
    parts.push_back(r ? fmt::format("{} {} v{} op {} commit {} ={}", name, to_string(r->status),
                                    r->view, r->op_number, r->commit_number, r->value)
                      : fmt::format("{} down", name));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

// Replicas that never got back to normal status: the cluster cannot serve, whatever the history
// says (the STUCK checker needs a waiting operation to notice).
void report_unsettled(spec::Verdict& verdict, const net::Topology& topology,
                      const std::vector<std::optional<ReplicaReport>>& reports, Time bound_ms) {
  const bool all_normal = std::all_of(reports.begin(), reports.end(), [](const auto& r) {
    return r && r->status == Status::normal;
  });
  if (all_normal || verdict.has(spec::FindingKind::stuck)) return;
  spec::Finding finding{spec::FindingKind::stuck, bound_ms,
                        fmt::format("the replicas did not settle within {} ms after the network "
                                    "healed: {}",
                                    bound_ms, describe_replicas(topology, reports))};
  const auto before =
      std::find_if(verdict.findings.begin(), verdict.findings.end(),
                   [](const spec::Finding& f) { return f.kind == spec::FindingKind::bad_read; });
  verdict.findings.insert(before, std::move(finding));
}

}  // namespace

RunResult run(const net::Scenario& scenario, std::uint64_t seed, const RunOptions& options) {
  const net::Topology topology = scenario.topology();
  RunOptions effective = options;
  if (!effective.config) effective.config = fast_config(scenario);
  effective.config->replicas = topology.replicas;
  assert(effective.config->valid() && "level 2 needs an odd number of replicas, up to 15");
  assert(effective.give_up_ms > 0 && effective.settle_ms > 0);
  const auto started = std::chrono::steady_clock::now();

  net::UdpNetwork network(topology, scenario.faults, seed);
  if (effective.observer) network.set_observer(effective.observer);
  Cluster cluster(network, topology, effective);
  Clients clients(network, scenario, seed, effective);
  // A crashed client's network card is detached by the network; it only needs reattaching.
  network.set_hooks(net::NodeHooks{.crash =
                                       [&cluster, &topology](NodeId id) {
                                         if (topology.is_replica(id)) cluster.crash(id);
                                       },
                                   .restart =
                                       [&cluster, &clients, &topology](NodeId id) {
                                         if (topology.is_replica(id)) {
                                           cluster.restart(id);
                                         } else {
                                           clients.reattach(id);
                                         }
                                       }});
  cluster.boot_all();
  network.start();

  //! [run-phases]
  // 1. The scenario plays: the clients work while the timeline strikes.
  clients.run_to_end();
  // 2. The weather clears.
  wait_for_last_fault(network, scenario.faults);
  network.heal_all();
  network.restart_all();
  // 3. The replicas settle, or the bound passes.
  bool converged = false;
  settle(cluster, effective.settle_ms, converged);
  //! [run-phases]

  RunResult result;
  result.record.majority_windows = to_intervals(network.majority_windows());
  result.record.end = network.now();
  network.stop();
  const std::vector<std::optional<ReplicaReport>> reports = cluster.stop_all();

  result.record.history = clients.history();
  for (int i = 0; i < topology.replicas; ++i) {
    result.record.replicas.push_back(to_state(topology, i, reports[static_cast<std::size_t>(i)]));
    if (reports[static_cast<std::size_t>(i)]) {
      result.replicas.push_back(*reports[static_cast<std::size_t>(i)]);
    }
  }
  result.record.stuck_after_ms = scenario.stuck_after_ms;
  result.record.linearizable_reads = true;
  result.verdict = spec::check_all(result.record);
  if (!converged) report_unsettled(result.verdict, topology, reports, effective.settle_ms);
  result.stats = network.stats();
  result.settled = converged;
  result.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  return result;
}

}  // namespace ladder::level2
