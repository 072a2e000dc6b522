#include "level1_rpc/run.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "level1_rpc/replica.hpp"
#include "network/rng.hpp"

namespace ladder::level1 {
namespace {

using Clock = std::chrono::steady_clock;
using net::NodeId;
using net::Time;

// The run's trace: hands events to the caller's observer one at a time, from whichever thread
// they happen on, stamped with the milliseconds since the run began.
class Trace {
 public:
  Trace(std::function<void(const net::TraceEvent&)> observer, Clock::time_point start)
      : observer_(std::move(observer)), start_(start) {}

  [[nodiscard]] bool on() const { return static_cast<bool>(observer_); }

  [[nodiscard]] Time now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
  }

  void emit(net::TraceKind kind, NodeId from, NodeId to, std::string_view payload,
            std::string_view detail = {}) {
    if (!observer_) return;
    const std::lock_guard lock(mutex_);  // stamped under the lock, so times never go backwards
    observer_(net::TraceEvent{.time = now_ms(),
                              .kind = kind,
                              .from = from,
                              .to = to,
                              .payload = payload,
                              .detail = detail});
  }

  void note(NodeId node, std::string_view text) { emit(net::TraceKind::note, node, node, text); }

  // A string callback that notes each line as `node`'s, for the replicas and clients; empty when
  // nobody observes.
  std::function<void(const std::string&)> notes_of(NodeId node) {
    if (!on()) return nullptr;
    return [this, node](const std::string& line) { note(node, line); };
  }

 private:
  std::function<void(const net::TraceEvent&)> observer_;
  Clock::time_point start_;
  std::mutex mutex_;
};

// The replicas, the proxies on every route, and the state of the network between them: which
// routes are black-holed and which replicas are down. Every method is called with the
// Timeline's lock held or after the clients finished, so nothing here runs twice at once.
class Cluster {
 public:
  Cluster(const net::Scenario& scenario, std::uint64_t seed, const RunOptions& options,
          Trace& trace)
      : topology_(scenario.topology()), options_(options), trace_(trace) {
    const int n = topology_.replicas;
    for (int i = 0; i < n; ++i) {
      replicas_.push_back(make_replica(i, 0));
      ports_.push_back(replicas_.back()->port());
    }
    crashed_.assign(static_cast<std::size_t>(n), false);
    for (NodeId from = 0; from < static_cast<NodeId>(topology_.size()); ++from) {
      for (int i = 0; i < n; ++i) {
        const NodeId to = topology_.replica(i);
        if (from != to) add_route(from, to, scenario.faults, seed);
      }
    }
    for (int i = 0; i < n; ++i)
      replicas_[static_cast<std::size_t>(i)]->set_peers(peer_ports(i));
    windows_.push_back(spec::Interval{.begin = 0, .end = 0});  // everyone is up and connected
  }

  // The node id of client `c` (0-based).
  [[nodiscard]] NodeId client_node(int c) const { return topology_.client(c); }

  // The ports client `c` (0-based) reaches r0, r1, ... on: its own proxies.
  [[nodiscard]] std::vector<std::uint16_t> client_ports(int c) const {
    return route_ports(topology_.client(c));
  }

  void apply(const net::TimelineEvent& event) {
    switch (event.kind) {
      case net::TimelineKind::partition:
        for (std::size_t a = 0; a < event.groups.size(); ++a) {
          for (std::size_t b = 0; b < event.groups.size(); ++b) {
            if (a == b) continue;
            for (const NodeId x : event.groups[a]) {
              for (const NodeId y : event.groups[b])
                block(x, y);
            }
          }
        }
        break;
      case net::TimelineKind::cut:
        for (const NodeId x : event.from) {
          for (const NodeId y : event.to) {
            block(x, y);
            block(y, x);  // TCP needs both directions: a one-way cut stops the route both ways
          }
        }
        break;
      case net::TimelineKind::heal:
        heal();
        return;
      case net::TimelineKind::crash:
        crash(event.node);
        return;
      case net::TimelineKind::restart:
        restart(event.node);
        return;
    }
    const std::string detail = fmt::format("{} route(s) black-holed", blocked_.size());
    trace_.emit(net::TraceKind::partition, 0, 0, {}, detail);
    sync_routes();
  }

  void heal() {
    // Every caller on a black-holed route has given up by now (its deadline passed) and hung
    // up; what it sent dies with its connection instead of arriving long after it was abandoned.
    for (auto& route : routes_) {
      if (blocked_.contains({route.from, route.to})) route.proxy->reset_all();
    }
    if (blocked_.empty()) return;
    blocked_.clear();
    trace_.emit(net::TraceKind::heal, 0, 0, {}, "every route carries traffic again");
    sync_routes();
  }

  void restart_crashed() {
    for (int i = 0; i < topology_.replicas; ++i) {
      if (crashed_[static_cast<std::size_t>(i)]) restart(topology_.replica(i));
    }
  }

  // Waits until no replica is running a call, seen twice in a row, for at most five seconds:
  // calls abandoned by their clients may still be finishing inside a replica.
  void wait_until_quiet() {
    const auto give_up = Clock::now() + std::chrono::seconds(5);
    int quiet_in_a_row = 0;
    while (quiet_in_a_row < 2 && Clock::now() < give_up) {
      const bool quiet = std::all_of(replicas_.begin(), replicas_.end(),
                                     [](const auto& r) { return !r || r->running() == 0; });
      quiet_in_a_row = quiet ? quiet_in_a_row + 1 : 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  [[nodiscard]] std::vector<spec::ReplicaState> states() const {
    std::vector<spec::ReplicaState> states;
    for (int i = 0; i < topology_.replicas; ++i) {
      const auto& replica = replicas_[static_cast<std::size_t>(i)];
      if (replica) {
        states.push_back(replica->state());
      } else {
        states.push_back(spec::ReplicaState{.name = topology_.name(topology_.replica(i)),
                                            .up = false,
                                            .value = 0,
                                            .has_apply_log = true,
                                            .applied = {}});
      }
    }
    return states;
  }

  [[nodiscard]] std::vector<net::ProxyStats> proxy_stats() const {
    std::vector<net::ProxyStats> stats;
    for (const auto& route : routes_)
      stats.push_back(route.proxy->stats());
    return stats;
  }

  // The windows in which a majority of replicas was up and pairwise connected, closed at `end`.
  [[nodiscard]] std::vector<spec::Interval> majority_windows(Time end) const {
    std::vector<spec::Interval> windows = windows_;
    if (window_open_) windows.back().end = end;
    return windows;
  }

  [[nodiscard]] Time now_ms() const { return trace_.now_ms(); }

 private:
  struct Route {
    NodeId from = 0;
    NodeId to = 0;
    std::unique_ptr<net::FaultProxy> proxy;
  };

  std::unique_ptr<Replica> make_replica(int index, std::uint16_t port) {
    auto replica =
        std::make_unique<Replica>(ReplicaOptions{.index = index,
                                                 .port = port,
                                                 .backup_deadline = options_.backup_deadline,
                                                 .threads = 4,
                                                 .log = trace_.notes_of(topology_.replica(index)),
                                                 .make_reply_cache = options_.make_reply_cache});
    replica->start();
    return replica;
  }

  void add_route(NodeId from, NodeId to, net::FaultPlan plan, std::uint64_t seed) {
    // A "response" is the reply to a client's call: replica-to-replica replies are not lost on
    // purpose (they can still be dropped as messages).
    if (topology_.is_replica(from)) plan.response_loss_probability = 0.0;
    net::ProxyOptions proxy;
    proxy.target_port = ports_[to];
    proxy.plan = plan;
    // One generator per route, forked from the run's seed, so that the faults on one route do not
    // depend on how many calls another route carried.
    proxy.seed = net::Rng(seed).fork(1 + from * 1000 + to).next();
    proxy.after_drop = net::AfterDrop::keep_open;  // a lost message is silence, not a hang-up
    for (const RouteFault& line : options_.script) {
      if (line.from == from && line.to == to) proxy.script.push_back(line.fault);
    }
    if (trace_.on()) {
      proxy.log = [this, from, to](const net::ProxyEvent& event) {
        const std::string call = fmt::format("call {}", event.call);
        switch (event.kind) {
          case net::ProxyEventKind::dropped_request:
            trace_.emit(net::TraceKind::drop, from, to, call, "request lost");
            break;
          case net::ProxyEventKind::dropped_reply:
            trace_.emit(net::TraceKind::drop, from, to, call, "response lost");
            break;
          case net::ProxyEventKind::reset:
            // A scripted reset of one call; the resets of a crash or a heal are told by those.
            if (event.call != 0)
              trace_.emit(net::TraceKind::drop, from, to, call, "connection reset");
            break;
          case net::ProxyEventKind::malformed:
            trace_.emit(net::TraceKind::drop, from, to, call, "malformed frame");
            break;
          default:
            break;
        }
      };
    }
    routes_.push_back(
        Route{.from = from, .to = to, .proxy = std::make_unique<net::FaultProxy>(proxy)});
    routes_.back().proxy->start();
  }

  [[nodiscard]] std::vector<std::uint16_t> route_ports(NodeId from) const {
    std::vector<std::uint16_t> ports(static_cast<std::size_t>(topology_.replicas), 0);
    for (const auto& route : routes_) {
      if (route.from == from) ports[route.to] = route.proxy->port();
    }
    return ports;
  }

  [[nodiscard]] std::vector<std::uint16_t> peer_ports(int replica) const {
    return route_ports(topology_.replica(replica));
  }

  void block(NodeId a, NodeId b) {
    if (a != b) blocked_.insert({a, b});
  }

  void crash(NodeId node) {
    if (!topology_.is_replica(node)) {
      trace_.note(node, "crash ignored: level 1 crashes replicas only");
      return;
    }
    auto& replica = replicas_[node];
    if (!replica) return;
    // Refuse new connections and reset the open ones first, so that no caller reaches the
    // replica between its death and the proxies learning of it.
    for (auto& route : routes_) {
      if (route.to != node) continue;
      route.proxy->refuse(true);
      route.proxy->reset_all();
    }
    replica.reset();  // stops the server: the counter and the apply log are gone
    crashed_[node] = true;
    trace_.emit(net::TraceKind::crash, node, node, {}, "its counter and apply log are gone");
    update_majority();
  }

  void restart(NodeId node) {
    if (!topology_.is_replica(node) || !crashed_[node]) return;
    const int index = static_cast<int>(node);
    replicas_[node] = make_replica(index, ports_[node]);
    replicas_[node]->set_peers(peer_ports(index));
    for (auto& route : routes_) {
      if (route.to == node) route.proxy->refuse(false);
    }
    crashed_[node] = false;
    trace_.emit(net::TraceKind::restart, node, node, {}, "counter 0, apply log empty");
    update_majority();
  }

  void sync_routes() {
    for (auto& route : routes_)
      route.proxy->partition(blocked_.contains({route.from, route.to}));
    update_majority();
  }

  // True when some majority of replicas is up and pairwise connected both ways.
  [[nodiscard]] bool majority_ok() const {
    const int n = topology_.replicas;
    assert(n < 16 && "the subset search below is for small clusters");
    for (unsigned mask = 0; mask < (1U << static_cast<unsigned>(n)); ++mask) {
      if (2 * std::popcount(mask) <= n) continue;
      bool ok = true;
      for (int a = 0; a < n && ok; ++a) {
        if (!(mask & (1U << static_cast<unsigned>(a)))) continue;
        ok = !crashed_[static_cast<std::size_t>(a)];
        for (int b = 0; b < n && ok; ++b) {
          if (a != b && (mask & (1U << static_cast<unsigned>(b)))) {
            ok = !blocked_.contains({static_cast<NodeId>(a), static_cast<NodeId>(b)});
          }
        }
      }
      if (ok) return true;
    }
    return false;
  }

  void update_majority() {
    const bool ok = majority_ok();
    if (ok == window_open_) return;
    if (ok) {
      windows_.push_back(spec::Interval{.begin = now_ms(), .end = now_ms()});
    } else {
      windows_.back().end = now_ms();
    }
    window_open_ = ok;
  }

  net::Topology topology_;
  const RunOptions& options_;
  Trace& trace_;
  std::vector<std::uint16_t> ports_;  // each replica's own port, kept across restarts
  std::vector<Route> routes_;
  std::vector<std::unique_ptr<Replica>> replicas_;  // null while crashed
  std::vector<bool> crashed_;
  std::set<std::pair<NodeId, NodeId>> blocked_;  // (from, to) routes that carry nothing
  std::vector<spec::Interval> windows_;
  bool window_open_ = true;
};

// The scenario's timeline, played on the clients' schedule (see run.hpp).
class Timeline {
 public:
  Timeline(std::vector<net::TimelineEvent> events, Cluster& cluster)
      : events_(std::move(events)), cluster_(cluster) {
    std::stable_sort(events_.begin(), events_.end(),
                     [](const auto& a, const auto& b) { return a.at_ms < b.at_ms; });
  }

  // Every event at or before `t` has happened when this returns.
  void advance_to(Time t) {
    const std::lock_guard lock(mutex_);
    while (next_ < events_.size() && events_[next_].at_ms <= t)
      cluster_.apply(events_[next_++]);
  }

  // Heals, restarts every crashed replica: the network after the run.
  void finish() {
    advance_to(std::numeric_limits<Time>::max());
    const std::lock_guard lock(mutex_);
    cluster_.heal();
    cluster_.restart_crashed();
  }

 private:
  std::vector<net::TimelineEvent> events_;
  Cluster& cluster_;
  std::mutex mutex_;
  std::size_t next_ = 0;
};

// What the clients share: the history (guarded) and the clock.
struct Recorder {
  std::mutex mutex;
  spec::History history;
};

void run_client(int index, const std::vector<net::PlannedOp>& ops, const RunOptions& options,
                Cluster& cluster, Timeline& timeline, Recorder& recorder, Trace& trace) {
  const auto id = static_cast<spec::ClientId>(index);
  CounterClient client(CounterClientOptions{.id = id,
                                            .replica_ports = cluster.client_ports(index),
                                            .retry = options.retry,
                                            .max_attempts = options.max_attempts,
                                            .failover_after = options.failover_after,
                                            .deadline = options.call_deadline,
                                            .log = trace.notes_of(cluster.client_node(index))});
  Time planned = 0;
  std::uint64_t seq = 0;
  for (const net::PlannedOp& op : ops) {
    std::this_thread::sleep_for(std::chrono::milliseconds(op.think_ms));
    planned += op.think_ms;
    timeline.advance_to(planned);
    const spec::RequestId request{.client = id, .seq = ++seq};
    {
      const std::lock_guard lock(recorder.mutex);
      recorder.history.invoke(cluster.now_ms(), id,
                              op.read ? spec::OpKind::read : spec::OpKind::add,
                              op.read ? 0 : op.delta, request);
    }
    const OpResult result = op.read ? client.read() : client.add(seq, op.delta);
    const std::lock_guard lock(recorder.mutex);
    const Time now = cluster.now_ms();
    switch (result.type) {
      case spec::EventType::ok:
        recorder.history.ok(now, id, op.read ? result.value : 0);
        break;
      case spec::EventType::fail:
        recorder.history.fail(now, id);
        break;
      case spec::EventType::info:
        recorder.history.info(now, id);
        break;
      case spec::EventType::invoke:
        assert(false && "an operation ends ok, fail or info");
        break;
    }
    const std::string what = op.read ? std::string("read") : fmt::format("add({:+})", op.delta);
    const std::string value =
        result.type == spec::EventType::ok ? fmt::format(" -> {}", result.value) : "";
    trace.note(cluster.client_node(index),
               fmt::format("{} {} {}{} (r{}, {} attempt{})", spec::to_string(request), what,
                           spec::to_string(result.type), value, client.primary(), result.attempts,
                           result.attempts == 1 ? "" : "s"));
    planned += options.call_ms;
  }
}

}  // namespace

RunResult run(const net::Scenario& scenario, std::uint64_t seed, const RunOptions& options) {
  assert(scenario.replicas >= 1 && scenario.workload.clients >= 1);
  const Clock::time_point start = Clock::now();
  Trace trace(options.observer, start);
  Cluster cluster(scenario, seed, options, trace);
  Timeline timeline(scenario.faults.timeline, cluster);
  Recorder recorder;
  const auto plan = net::plan_workload(scenario.workload, seed);

  std::vector<std::thread> clients;
  for (int c = 0; c < scenario.workload.clients; ++c) {
    clients.emplace_back(run_client, c, std::cref(plan[static_cast<std::size_t>(c)]),
                         std::cref(options), std::ref(cluster), std::ref(timeline),
                         std::ref(recorder), std::ref(trace));
  }
  for (auto& client : clients)
    client.join();
  timeline.finish();
  cluster.wait_until_quiet();

  RunResult result;
  result.record.history = std::move(recorder.history);
  result.record.replicas = cluster.states();
  result.record.end = cluster.now_ms();
  result.record.majority_windows = cluster.majority_windows(result.record.end);
  result.record.stuck_after_ms = scenario.stuck_after_ms;
  result.record.linearizable_reads = true;
  result.verdict = spec::check_all(result.record);
  for (const spec::Operation& op : result.record.history.operations()) {
    if (op.kind == spec::OpKind::add && op.outcome == spec::Outcome::info)
      ++result.unknown_outcomes;
  }
  result.proxy_stats = cluster.proxy_stats();
  return result;
}

}  // namespace ladder::level1
