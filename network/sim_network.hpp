#pragma once
/// \file
/// The simulated engine: one thread, a virtual clock, an event queue ordered by (time, sequence
/// number) and one seeded generator. The same topology, fault plan and seed give the same run,
/// event for event, on every machine and build type.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "network/fault_plan.hpp"
#include "network/rng.hpp"
#include "network/types.hpp"

namespace ladder::net {

/// Whether a message is a response to a client's call: responses are also subject to
/// FaultPlan::response_loss_probability ("the call ran, the reply was lost").
enum class MessageClass { request, response };

/// Identifies an armed timer so that it can be cancelled.
using TimerId = std::uint64_t;

/// What a trace line reports.
enum class TraceKind {
  send,       ///< `from` handed a message for `to` to the network
  deliver,    ///< the message reached `to`
  drop,       ///< the message was lost; `detail` says why: "random", "response lost", "cut", "down"
  duplicate,  ///< the network will deliver a second copy of the message
  timer,      ///< a timer of node `to` fired; `detail` is its tag
  crash,      ///< node `to` crashed
  restart,    ///< node `to` restarted
  partition,  ///< a partition or one-way cut began; `detail` describes it
  heal,       ///< every partition and cut was removed
  note,       ///< a node's own remark (a client invoking an operation, a replica applying one)
};

/// The name of a trace kind as printed: "send", "deliver", ...
const char* to_string(TraceKind kind);

/// One event of a run, as observers see it. The views are valid only during the callback.
struct TraceEvent {
  Time time = 0;                     ///< virtual time of the event
  TraceKind kind = TraceKind::note;  ///< what happened
  NodeId from = 0;                   ///< sender (for messages) or the node itself
  NodeId to = 0;                     ///< receiver (for messages) or the node itself
  std::string_view payload;          ///< the message's bytes, or a note's text
  std::string_view detail;  ///< why a message was dropped, a timer's tag, a partition's shape
};

/// Counts of what the network did during a run.
struct SimStats {
  std::uint64_t sent = 0;          ///< messages handed to the network
  std::uint64_t delivered = 0;     ///< messages that reached a live node
  std::uint64_t dropped = 0;       ///< lost at random (drop or response loss)
  std::uint64_t duplicated = 0;    ///< extra copies scheduled
  std::uint64_t cut = 0;           ///< lost to a partition or one-way cut
  std::uint64_t to_down_node = 0;  ///< lost because the receiver was down
  std::uint64_t timers_fired = 0;  ///< timers that fired
};

/// An interval [begin, end) of virtual time.
struct Window {
  Time begin = 0;  ///< first millisecond in the window
  Time end = 0;    ///< first millisecond after it
};

/// The network's random choices for one message (what FaultPlan's probabilities and delay range
/// decided), as a SendDecider sees and may change them.
struct SendDecision {
  bool drop = false;           ///< lost at random (FaultPlan::drop_probability)
  bool response_lost = false;  ///< a response lost (FaultPlan::response_loss_probability)
  Time delay_ms = 0;           ///< how long the message travels
  bool duplicate = false;      ///< delivered a second time (FaultPlan::duplicate_probability)
  Time copy_delay_ms = 0;      ///< how long the second copy travels, when duplicated
};

/// Which message a SendDecision is about.
struct SendInfo {
  std::uint64_t index = 0;                   ///< the send's number in the run, from 0
  NodeId from = 0;                           ///< the sender
  NodeId to = 0;                             ///< the receiver
  MessageClass cls = MessageClass::request;  ///< whether it is a response
};

/// Sees, and may change, the random choices the network drew for a send before it acts on them:
/// the hook that lets a trace record every choice and a replay forgive some of them (shrinking).
/// Delays it sets must be >= 0. See SimNetwork::set_send_decider.
using SendDecider = std::function<void(const SendInfo& info, SendDecision& decision)>;

class SimNetwork;

/// What a node may do while it handles an event: send, arm and cancel timers, read the clock, note.
class NodeContext {
 public:
  /// A context acting as node `self` on `net`.
  NodeContext(SimNetwork& net, NodeId self) : net_(&net), self_(self) {}
  /// The node this context acts for.
  [[nodiscard]] NodeId self() const { return self_; }
  /// The current virtual time.
  [[nodiscard]] Time now() const;
  /// Hands a message to the network, which may drop, delay or duplicate it.
  void send(NodeId to, std::string payload, MessageClass cls = MessageClass::request);
  /// Arms a timer that fires `after_ms` from now with `tag`, unless cancelled or the node crashes
  /// first.
  TimerId set_timer(Time after_ms, std::uint64_t tag);
  /// Cancels a timer; cancelling one that already fired or was cancelled is allowed and does
  /// nothing.
  void cancel_timer(TimerId id);
  /// Adds a line of the node's own to the trace (and so to the digest).
  void note(std::string_view text);

 private:
  SimNetwork* net_;
  NodeId self_;
};

/// A participant of a simulated run: a replica or a client of some level.
class SimNode {
 public:
  virtual ~SimNode() = default;
  /// Called at the start of the run and again after each restart (with fresh volatile state).
  virtual void on_start(NodeContext& ctx) { (void)ctx; }
  /// A message arrived.
  virtual void on_message(NodeContext& ctx, NodeId from, std::string_view payload) = 0;
  /// A timer armed by this node fired.
  virtual void on_timer(NodeContext& ctx, std::uint64_t tag) { (void)ctx, (void)tag; }
  /// The node crashed: forget everything volatile. Nothing may be sent from here.
  virtual void on_crash() {}
};

/// The simulated network. Single threaded; the caller drives it with step() or the run_* calls.
class SimNetwork {
 public:
  /// A network for `topology` that applies `plan`, drawing every random choice from `seed`.
  SimNetwork(Topology topology, FaultPlan plan, std::uint64_t seed);
  ~SimNetwork();
  SimNetwork(const SimNetwork&) = delete;
  SimNetwork& operator=(const SimNetwork&) = delete;

  /// Connects node `id` to its handler. Every node of the topology must be attached before start().
  void attach(NodeId id, SimNode& node);
  /// Schedules the fault timeline and calls every node's on_start, in id order, at time 0.
  void start();
  /// Processes the next event; false when the queue is empty.
  bool step();
  /// Processes every event due at or before `t`, then sets the clock to `t`.
  void run_until(Time t);
  /// Processes events until the queue is empty or `max_events` were processed; true when empty.
  bool run_until_quiet(std::uint64_t max_events);

  /// Removes every partition and cut now (traced).
  void heal_all();
  /// Restarts every crashed node now (traced).
  void restart_all();

  /// The current virtual time.
  [[nodiscard]] Time now() const;
  /// True unless the node is crashed.
  [[nodiscard]] bool is_up(NodeId id) const;
  /// True when a message sent now from `from` to `to` would not be cut by a partition.
  [[nodiscard]] bool connected(NodeId from, NodeId to) const;
  /// Messages handed to the network and not yet delivered or dropped (copies included).
  [[nodiscard]] std::size_t in_flight() const;
  /// The topology the network was built for.
  [[nodiscard]] const Topology& topology() const;
  /// What the network did so far.
  [[nodiscard]] const SimStats& stats() const;
  /// A 64-bit FNV-1a hash of every trace event so far: equal digests mean equal runs.
  [[nodiscard]] std::uint64_t digest() const;
  /// The windows so far in which a majority of replicas was up and pairwise connected both ways.
  /// The last window is closed at now().
  [[nodiscard]] std::vector<Window> majority_windows() const;

  /// Calls `observer` for every trace event (for logs, trace files and tests); empty to stop.
  void set_observer(std::function<void(const TraceEvent&)> observer);

  /// Installs `decider` (before start()), which then sees every send's random choices before the
  /// network acts on them and may change them.
  ///
  /// With a decider installed the network draws the same numbers for every send, in a fixed order
  /// (drop, response loss, delay, duplicate, copy delay) whatever their outcome, so that send i's
  /// choices depend only on the seed, the plan and i: changing one send's decision does not shift
  /// the random numbers of the sends after it. Runs without a decider draw only what they need, as
  /// before, and keep their digests. A message cut by a partition is still lost, whatever the
  /// decision says.
  void set_send_decider(SendDecider decider);

  /// Used by NodeContext; see there.
  void send(NodeId from, NodeId to, std::string payload, MessageClass cls);
  /// Used by NodeContext; see there.
  TimerId set_timer(NodeId node, Time after_ms, std::uint64_t tag);
  /// Used by NodeContext; see there.
  void cancel_timer(TimerId id);
  /// Used by NodeContext; see there.
  void note(NodeId node, std::string_view text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// One trace line: "  120 ms  deliver  r0 -> c0  value 5", using `describe` to render payloads
/// (the payload itself when empty).
std::string format_trace_event(const TraceEvent& event, const Topology& topology,
                               const std::function<std::string(std::string_view)>& describe = {});

}  // namespace ladder::net
