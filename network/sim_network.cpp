/// \file
/// The simulated engine. Reading order: the event queue and its slabs, the digest, then
/// SimNetwork::Impl top to bottom (setup, the event loop, messages, timers, faults, majority
/// windows), then the thin public wrappers and the trace formatter. What it shares with
/// UdpNetwork (partitions and cuts, the majority rule, a message's draws) lives in
/// network/detail/, so the two engines cannot drift apart.

#include "network/sim_network.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <utility>

#include <fmt/format.h>

#include "network/detail/connectivity.hpp"
#include "network/detail/majority.hpp"
#include "network/detail/message_faults.hpp"
#include "network/detail/timeline.hpp"

namespace ladder::net {
namespace {

/// What a queue entry stands for.
enum class EventKind : std::uint8_t { deliver, timer, fault };

/// One entry of the event queue. It is kept small (24 bytes) because the heap moves entries on
/// every push and pop; the message or timer it stands for waits in a slab.
struct QueueEntry {
  Time time = 0;          ///< when it happens
  std::uint64_t seq = 0;  ///< tie-breaker: events at equal times run in scheduling order
  std::uint32_t slot =
      0;  ///< deliver: message slab index; timer: timer slab; fault: timeline index
  EventKind kind = EventKind::deliver;
};

/// The heap comparison: std's heaps keep the greatest on top, so "later" puts the earliest there.
struct Later {
  bool operator()(const QueueEntry& a, const QueueEntry& b) const {
    if (a.time != b.time) return a.time > b.time;
    return a.seq > b.seq;
  }
};

/// A message on its way.
struct Message {
  NodeId from = 0;
  NodeId to = 0;
  std::string payload;
};

/// An armed timer. Its slot stays taken until its queue entry pops, cancelled or not, so the
/// entry never refers to a reused slot; `generation` tells a stale TimerId from the current one.
struct Timer {
  NodeId node = 0;
  std::uint32_t incarnation = 0;  ///< the node's incarnation when armed: a crash kills the timer
  std::uint32_t generation = 0;
  bool armed = false;
  std::uint64_t tag = 0;
};

/// A vector of reusable records: a run keeps a bounded number of messages in flight, so after a
/// warm-up no send allocates (and a payload's string buffer is reused when it fits in SSO).
template <typename T>
struct Slab {
  std::vector<T> items;
  std::vector<std::uint32_t> free_slots;

  std::uint32_t acquire() {
    if (!free_slots.empty()) {
      const std::uint32_t slot = free_slots.back();
      free_slots.pop_back();
      return slot;
    }
    items.emplace_back();
    assert(items.size() <= UINT32_MAX && "slab index overflow");
    return static_cast<std::uint32_t>(items.size() - 1);
  }
  void release(std::uint32_t slot) {
    assert(slot < items.size());
    free_slots.push_back(slot);
  }
};

/// FNV-1a, 64 bits. Integers are fed as LEB128 varints (seven bits per byte, low bits first):
/// independent of the machine's byte order, and short, because FNV-1a costs a multiplication
/// per byte and small numbers (node ids, lengths, early times) then take one or two bytes.
class Fnv1a {
 public:
  void byte(std::uint8_t b) { hash_ = (hash_ ^ b) * kPrime; }
  void varint(std::uint64_t v) {
    while (v >= 0x80U) {
      byte(static_cast<std::uint8_t>(v | 0x80U));
      v >>= 7U;
    }
    byte(static_cast<std::uint8_t>(v));
  }
  /// Length first, so that ("ab", "c") and ("a", "bc") hash differently.
  void bytes(std::string_view s) {
    varint(s.size());
    for (const char c : s)
      byte(static_cast<std::uint8_t>(c));
  }
  [[nodiscard]] std::uint64_t value() const { return hash_; }

 private:
  static constexpr std::uint64_t kOffset = 0xcbf29ce484222325U;
  static constexpr std::uint64_t kPrime = 0x100000001b3U;
  std::uint64_t hash_ = kOffset;
};

}  // namespace

struct SimNetwork::Impl {
  SimNetwork* self;  // for the NodeContext handed to nodes
  Topology topology;
  FaultPlan plan;
  Rng rng;
  NodeId node_count;

  Time now = 0;
  std::uint64_t next_seq = 0;
  bool started = false;
  std::vector<QueueEntry> queue;  // a binary heap under Later
  Slab<Message> messages;
  Slab<Timer> timers;
  std::size_t in_flight = 0;

  std::vector<SimNode*> nodes;
  std::vector<bool> up;
  std::vector<std::uint32_t> incarnation;  // bumped at each crash: older timers are dead

  detail::Connectivity links;  // partitions and cuts accumulate until a heal clears them all

  SimStats stats;
  Fnv1a digest;
  std::function<void(const TraceEvent&)> observer;
  SendDecider decider;  // empty: the original draw-what-you-need path

  detail::MajorityWindows majority;

  Impl(SimNetwork* owner, Topology t, FaultPlan p, std::uint64_t seed)
      : self(owner),
        topology(t),
        plan(std::move(p)),
        rng(seed),
        node_count(static_cast<NodeId>(t.size())),
        nodes(node_count, nullptr),
        up(node_count, true),
        incarnation(node_count, 0),
        links(node_count) {
    assert(topology.replicas >= 0 && topology.clients >= 0);
    assert(topology.replicas <= detail::kMaxReplicasForMajority &&
           "majority_windows enumerates subsets");
    detail::assert_plan_fits(plan, node_count);
    // Room for a typical run's messages in flight, so that warm-up does not reallocate often.
    queue.reserve(1024);
    messages.items.reserve(1024);
    update_majority();
  }

  // ---- Tracing -------------------------------------------------------------------------------

  void trace(TraceKind kind, NodeId from, NodeId to, std::string_view payload,
             std::string_view detail) {
    assert(now >= 0 && "virtual time starts at 0");
    digest.varint(static_cast<std::uint64_t>(now));
    digest.byte(static_cast<std::uint8_t>(kind));
    digest.varint(from);
    digest.varint(to);
    digest.bytes(payload);
    digest.bytes(detail);
    if (observer) observer(TraceEvent{now, kind, from, to, payload, detail});
  }

  // ---- The event loop ------------------------------------------------------------------------

  void schedule(Time at, EventKind kind, std::uint32_t slot) {
    assert(at >= now && "an event cannot be scheduled in the past");
    queue.push_back(QueueEntry{at, next_seq++, slot, kind});
    std::push_heap(queue.begin(), queue.end(), Later{});
  }

  void start() {
    assert(!started && "start() is called once");
    for (NodeId id = 0; id < node_count; ++id) {
      assert(nodes[id] != nullptr && "every node must be attached before start()");
    }
    started = true;
    for (std::size_t i = 0; i < plan.timeline.size(); ++i) {
      schedule(plan.timeline[i].at_ms, EventKind::fault, static_cast<std::uint32_t>(i));
    }
    for (NodeId id = 0; id < node_count; ++id) {
      NodeContext ctx(*self, id);
      nodes[id]->on_start(ctx);
    }
  }

  bool step() {
    assert(started && "start() the network before stepping it");
    if (queue.empty()) return false;
    std::pop_heap(queue.begin(), queue.end(), Later{});
    const QueueEntry entry = queue.back();
    queue.pop_back();
    assert(entry.time >= now && "the clock never runs backwards");
    now = entry.time;
    switch (entry.kind) {
      case EventKind::deliver:
        deliver(entry.slot);
        break;
      case EventKind::timer:
        fire(entry.slot);
        break;
      case EventKind::fault:
        apply(plan.timeline[entry.slot]);
        break;
    }
    return true;
  }

  // ---- Messages ------------------------------------------------------------------------------

  [[nodiscard]] bool is_blocked(NodeId from, NodeId to) const { return links.is_blocked(from, to); }

  void enqueue_message(NodeId from, NodeId to, std::string payload, Time delay) {
    const std::uint32_t slot = messages.acquire();
    Message& message = messages.items[slot];
    message.from = from;
    message.to = to;
    message.payload = std::move(payload);
    ++in_flight;
    schedule(now + delay, EventKind::deliver, slot);
  }

  void send(NodeId from, NodeId to, std::string payload, MessageClass cls) {
    assert(from < node_count && "sender outside the topology");
    assert(to < node_count && "receiver outside the topology");
    assert(up[from] && "a crashed node cannot send");
    ++stats.sent;
    trace(TraceKind::send, from, to, payload, {});
    if (decider) {
      send_decided(from, to, std::move(payload), cls);
      return;
    }
    if (is_blocked(from, to)) {
      ++stats.cut;
      trace(TraceKind::drop, from, to, payload, "cut");
      return;
    }
    const detail::MessageFate fate = detail::draw_message_fate(rng, plan, cls);
    if (!fate.drop_reason.empty()) {
      ++stats.dropped;
      trace(TraceKind::drop, from, to, payload, fate.drop_reason);
      return;
    }
    if (fate.copy_delay_ms) {
      ++stats.duplicated;
      trace(TraceKind::duplicate, from, to, payload, {});
      // The original keeps the earlier sequence number.
      enqueue_message(from, to, payload, fate.delay_ms);
      enqueue_message(from, to, std::move(payload), *fate.copy_delay_ms);
      return;
    }
    enqueue_message(from, to, std::move(payload), fate.delay_ms);
  }

  // The send path with a decider: every draw is made for every send, in a fixed order, so that
  // send i always gets the same numbers (see SimNetwork::set_send_decider).
  void send_decided(NodeId from, NodeId to, std::string payload, MessageClass cls) {
    SendDecision decision;
    decision.drop = rng.chance(plan.drop_probability);
    const bool response_lost = rng.chance(plan.response_loss_probability);
    decision.response_lost = cls == MessageClass::response && response_lost;
    decision.delay_ms = rng.between(plan.delay_min_ms, plan.delay_max_ms);
    decision.duplicate = rng.chance(plan.duplicate_probability);
    decision.copy_delay_ms = rng.between(plan.delay_min_ms, plan.delay_max_ms);
    decider(SendInfo{stats.sent - 1, from, to, cls}, decision);
    assert(decision.delay_ms >= 0 && "a decider cannot deliver before the send");
    assert(decision.copy_delay_ms >= 0 && "a decider cannot deliver before the send");
    if (is_blocked(from, to)) {
      ++stats.cut;
      trace(TraceKind::drop, from, to, payload, "cut");
      return;
    }
    if (decision.drop) {
      ++stats.dropped;
      trace(TraceKind::drop, from, to, payload, "random");
      return;
    }
    if (decision.response_lost) {
      ++stats.dropped;
      trace(TraceKind::drop, from, to, payload, "response lost");
      return;
    }
    if (decision.duplicate) {
      ++stats.duplicated;
      trace(TraceKind::duplicate, from, to, payload, {});
      enqueue_message(from, to, payload, decision.delay_ms);
      enqueue_message(from, to, std::move(payload), decision.copy_delay_ms);
      return;
    }
    enqueue_message(from, to, std::move(payload), decision.delay_ms);
  }

  void deliver(std::uint32_t slot) {
    assert(in_flight > 0);
    --in_flight;
    Message& message = messages.items[slot];
    const NodeId from = message.from;
    const NodeId to = message.to;
    // Move the payload out and free the slot before the handler runs: the handler may send, and
    // a send may grow the slab and move its records.
    const std::string payload = std::move(message.payload);
    messages.release(slot);
    // A partition that began while the message was in flight loses it, as a cable cut would.
    if (is_blocked(from, to)) {
      ++stats.cut;
      trace(TraceKind::drop, from, to, payload, "cut");
      return;
    }
    if (!up[to]) {
      ++stats.to_down_node;
      trace(TraceKind::drop, from, to, payload, "down");
      return;
    }
    ++stats.delivered;
    trace(TraceKind::deliver, from, to, payload, {});
    NodeContext ctx(*self, to);
    nodes[to]->on_message(ctx, from, payload);
  }

  // ---- Timers --------------------------------------------------------------------------------

  TimerId set_timer(NodeId node, Time after_ms, std::uint64_t tag) {
    assert(node < node_count && "timer for a node outside the topology");
    assert(after_ms >= 0 && "a timer cannot fire in the past");
    assert(up[node] && "a crashed node cannot arm timers");
    const std::uint32_t slot = timers.acquire();
    Timer& timer = timers.items[slot];
    assert(!timer.armed && "a free timer slot is never armed");
    timer.node = node;
    timer.incarnation = incarnation[node];
    timer.armed = true;
    timer.tag = tag;
    schedule(now + after_ms, EventKind::timer, slot);
    return (static_cast<TimerId>(timer.generation) << 32U) | slot;
  }

  void cancel_timer(TimerId id) {
    const auto slot = static_cast<std::uint32_t>(id & 0xffffffffU);
    const auto generation = static_cast<std::uint32_t>(id >> 32U);
    if (slot >= timers.items.size()) return;
    Timer& timer = timers.items[slot];
    if (timer.generation == generation) timer.armed = false;  // its queue entry will be skipped
  }

  void fire(std::uint32_t slot) {
    Timer& timer = timers.items[slot];
    const NodeId node = timer.node;
    const std::uint64_t tag = timer.tag;
    const bool live = timer.armed && up[node] && timer.incarnation == incarnation[node];
    timer.armed = false;
    ++timer.generation;  // from now on the old TimerId no longer names this slot
    timers.release(slot);
    if (!live) return;
    ++stats.timers_fired;
    char text[24];
    const auto written = std::to_chars(std::begin(text), std::end(text), tag);
    assert(written.ec == std::errc{});
    trace(TraceKind::timer, node, node, {},
          std::string_view(text, static_cast<std::size_t>(written.ptr - text)));
    NodeContext ctx(*self, node);
    nodes[node]->on_timer(ctx, tag);
  }

  // ---- Faults --------------------------------------------------------------------------------

  void apply(const TimelineEvent& event) {
    detail::play_timeline_event(*this, event);
    update_majority();
  }

  // A partition or a one-way cut (apply() calls update_majority() after it).
  void cut(const TimelineEvent& event) {
    links.apply(event);
    trace(TraceKind::partition, 0, 0, {}, detail::describe_fault(event, topology));
  }

  void heal(bool always_trace) {
    const bool anything = links.heal();
    if (anything || always_trace) trace(TraceKind::heal, 0, 0, {}, {});
    update_majority();
  }

  void crash(NodeId node) {
    assert(node < node_count);
    if (!up[node]) return;  // crashing a crashed node changes nothing
    up[node] = false;
    ++incarnation[node];
    trace(TraceKind::crash, node, node, {}, {});
    update_majority();
    nodes[node]->on_crash();
  }

  void restart(NodeId node) {
    assert(node < node_count);
    if (up[node]) return;
    up[node] = true;
    trace(TraceKind::restart, node, node, {}, {});
    update_majority();
    NodeContext ctx(*self, node);
    nodes[node]->on_start(ctx);
  }

  // ---- Majority windows ----------------------------------------------------------------------

  void update_majority() {
    majority.update(detail::majority_available(topology.replicas, up, links), now);
  }
};

// ---- NodeContext -------------------------------------------------------------------------------

Time NodeContext::now() const {
  return net_->now();
}

void NodeContext::send(NodeId to, std::string payload, MessageClass cls) {
  net_->send(self_, to, std::move(payload), cls);
}

TimerId NodeContext::set_timer(Time after_ms, std::uint64_t tag) {
  return net_->set_timer(self_, after_ms, tag);
}

void NodeContext::cancel_timer(TimerId id) {
  net_->cancel_timer(id);
}

void NodeContext::note(std::string_view text) {
  net_->note(self_, text);
}

// ---- SimNetwork --------------------------------------------------------------------------------

SimNetwork::SimNetwork(Topology topology, FaultPlan plan, std::uint64_t seed)
    : impl_(std::make_unique<Impl>(this, topology, std::move(plan), seed)) {}

SimNetwork::~SimNetwork() = default;

void SimNetwork::attach(NodeId id, SimNode& node) {
  assert(id < impl_->node_count && "attach: id outside the topology");
  assert(!impl_->started && "attach every node before start()");
  impl_->nodes[id] = &node;
}

void SimNetwork::start() {
  impl_->start();
}

bool SimNetwork::step() {
  return impl_->step();
}

void SimNetwork::run_until(Time t) {
  while (!impl_->queue.empty() && impl_->queue.front().time <= t)
    impl_->step();
  impl_->now = std::max(impl_->now, t);
}

bool SimNetwork::run_until_quiet(std::uint64_t max_events) {
  for (std::uint64_t i = 0; i < max_events; ++i) {
    if (!impl_->step()) return true;
  }
  return impl_->queue.empty();
}

void SimNetwork::heal_all() {
  impl_->heal(/*always_trace=*/false);
}

void SimNetwork::restart_all() {
  for (NodeId id = 0; id < impl_->node_count; ++id)
    impl_->restart(id);
}

Time SimNetwork::now() const {
  return impl_->now;
}

bool SimNetwork::is_up(NodeId id) const {
  assert(id < impl_->node_count);
  return impl_->up[id];
}

bool SimNetwork::connected(NodeId from, NodeId to) const {
  assert(from < impl_->node_count && to < impl_->node_count);
  return !impl_->is_blocked(from, to);
}

std::size_t SimNetwork::in_flight() const {
  return impl_->in_flight;
}

const Topology& SimNetwork::topology() const {
  return impl_->topology;
}

const SimStats& SimNetwork::stats() const {
  return impl_->stats;
}

std::uint64_t SimNetwork::digest() const {
  return impl_->digest.value();
}

std::vector<Window> SimNetwork::majority_windows() const {
  return impl_->majority.windows(impl_->now);
}

void SimNetwork::set_observer(std::function<void(const TraceEvent&)> observer) {
  impl_->observer = std::move(observer);
}

void SimNetwork::set_send_decider(SendDecider decider) {
  assert(!impl_->started && "install the decider before start(): every send must see it");
  impl_->decider = std::move(decider);
}

void SimNetwork::send(NodeId from, NodeId to, std::string payload, MessageClass cls) {
  impl_->send(from, to, std::move(payload), cls);
}

TimerId SimNetwork::set_timer(NodeId node, Time after_ms, std::uint64_t tag) {
  return impl_->set_timer(node, after_ms, tag);
}

void SimNetwork::cancel_timer(TimerId id) {
  impl_->cancel_timer(id);
}

void SimNetwork::note(NodeId node, std::string_view text) {
  assert(node < impl_->node_count && "note from a node outside the topology");
  impl_->trace(TraceKind::note, node, node, text, {});
}

// ---- Trace lines -------------------------------------------------------------------------------

const char* to_string(TraceKind kind) {
  switch (kind) {
    case TraceKind::send:
      return "send";
    case TraceKind::deliver:
      return "deliver";
    case TraceKind::drop:
      return "drop";
    case TraceKind::duplicate:
      return "duplicate";
    case TraceKind::timer:
      return "timer";
    case TraceKind::crash:
      return "crash";
    case TraceKind::restart:
      return "restart";
    case TraceKind::partition:
      return "partition";
    case TraceKind::heal:
      return "heal";
    case TraceKind::note:
      return "note";
  }
  assert(false && "unknown TraceKind");
  return "?";
}

namespace {

/// The payload as text, with bytes that a terminal would not show written as \xHH.
std::string printable(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else {
      out += fmt::format("\\x{:02x}", byte);
    }
  }
  return out;
}

}  // namespace

std::string format_trace_event(const TraceEvent& event, const Topology& topology,
                               const std::function<std::string(std::string_view)>& describe) {
  const auto render = [&](std::string_view payload) {
    return describe ? describe(payload) : printable(payload);
  };
  std::string who;
  std::string what;
  switch (event.kind) {
    case TraceKind::send:
    case TraceKind::deliver:
    case TraceKind::duplicate:
      who = fmt::format("{} -> {}", topology.name(event.from), topology.name(event.to));
      what = render(event.payload);
      break;
    case TraceKind::drop:
      who = fmt::format("{} -> {}", topology.name(event.from), topology.name(event.to));
      what = fmt::format("{}  ({})", render(event.payload), event.detail);
      break;
    case TraceKind::timer:
      who = topology.name(event.to);
      what = fmt::format("tag {}", event.detail);
      break;
    case TraceKind::crash:
    case TraceKind::restart:
      who = topology.name(event.to);
      break;
    case TraceKind::partition:
    case TraceKind::heal:
      what = std::string(event.detail);
      break;
    case TraceKind::note:
      who = topology.name(event.from);
      what = printable(event.payload);
      break;
  }
  std::string line =
      fmt::format("{:>6} ms  {:<10} {:<10} {}", event.time, to_string(event.kind), who, what);
  line.erase(line.find_last_not_of(' ') + 1);
  return line;
}

}  // namespace ladder::net
