#pragma once
/// \file
/// Small simulated nodes that the network's tests drive: they record what reaches them and send
/// what a test tells them to.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "network/sim_network.hpp"

namespace ladder::net::test {

/// One message as a Recorder saw it.
struct Received {
  Time time = 0;        ///< when it arrived
  NodeId from = 0;      ///< who sent it
  std::string payload;  ///< what it said
};

/// A node that records every message, timer, start and crash, and runs optional hooks.
class Recorder : public SimNode {
 public:
  std::vector<Received> received;                     ///< messages, in arrival order
  std::vector<std::pair<Time, std::uint64_t>> fired;  ///< (time, tag) of every timer that fired
  int starts = 0;                                     ///< on_start calls
  int crashes = 0;                                    ///< on_crash calls
  std::function<void(NodeContext&)> start_hook;       ///< runs in on_start, if set
  std::function<void(NodeContext&, NodeId, std::string_view)> message_hook;  ///< in on_message
  std::function<void(NodeContext&, std::uint64_t)> timer_hook;               ///< in on_timer

  void on_start(NodeContext& ctx) override {
    ++starts;
    if (start_hook) start_hook(ctx);
  }
  void on_message(NodeContext& ctx, NodeId from, std::string_view payload) override {
    received.push_back(Received{ctx.now(), from, std::string(payload)});
    if (message_hook) message_hook(ctx, from, payload);
  }
  void on_timer(NodeContext& ctx, std::uint64_t tag) override {
    fired.emplace_back(ctx.now(), tag);
    if (timer_hook) timer_hook(ctx, tag);
  }
  void on_crash() override { ++crashes; }
};

/// A network with one Recorder per node of `topology`, attached but not started.
struct Bench {
  SimNetwork net;
  std::vector<Recorder> nodes;

  Bench(Topology topology, FaultPlan plan, std::uint64_t seed)
      : net(topology, std::move(plan), seed), nodes(static_cast<std::size_t>(topology.size())) {
    for (std::size_t i = 0; i < nodes.size(); ++i)
      net.attach(static_cast<NodeId>(i), nodes[i]);
  }
  /// The recorder of node `id`.
  Recorder& operator[](NodeId id) { return nodes[id]; }
};

/// A fault plan without random faults: every message arrives after exactly `delay_ms`.
inline FaultPlan reliable(Time delay_ms = 1) {
  FaultPlan plan;
  plan.delay_min_ms = delay_ms;
  plan.delay_max_ms = delay_ms;
  return plan;
}

/// Every trace event of a run, as formatted lines (for failure messages and order checks).
struct TraceLog {
  std::vector<TraceEvent> kinds_only;  // views are dead after the callback: only kind/time/nodes
  std::vector<std::string> details;    ///< each event's detail, copied
  std::vector<std::string> lines;      ///< each event formatted

  /// An observer that appends to this log.
  std::function<void(const TraceEvent&)> observer(const Topology& topology) {
    return [this, topology](const TraceEvent& event) {
      TraceEvent copy = event;
      copy.payload = {};
      copy.detail = {};
      kinds_only.push_back(copy);
      details.emplace_back(event.detail);
      lines.push_back(format_trace_event(event, topology));
    };
  }
  /// How many events of `kind` with `detail` were traced.
  [[nodiscard]] std::size_t count(TraceKind kind, std::string_view detail) const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < kinds_only.size(); ++i) {
      if (kinds_only[i].kind == kind && details[i] == detail) ++n;
    }
    return n;
  }
};

}  // namespace ladder::net::test
