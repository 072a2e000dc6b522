/// \file
/// The real datagram engine on Boost.Asio. Reading order: UdpNetwork::Impl top to bottom (state and
/// its lock, tracing, the send path, the wire, the receive path, faults, the timeline, start and
/// stop), then the thin public wrappers. What it shares with SimNetwork (partitions and cuts,
/// the majority rule, a datagram's draws) lives in network/detail/, so the two cannot drift apart.
///
/// Threads. Everything that decides, touches a socket or a timer, or changes the network's state
/// runs on the injector's thread. Other threads reach it in two ways: send() and note() post
/// and return at once; apply_now(), heal_all() and restart_all() post and wait (run_on_io).
/// The state that other threads may read (up, blocked, counters, windows, receivers) changes
/// only on the injector's thread and only under `mutex`; the injector reads it without the
/// lock, since it is the only writer.

#include "network/udp_network.hpp"

#include <atomic>
#include <cassert>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>  // before Asio's awaitable.hpp, which forgets it in Boost 1.74

#include <fmt/format.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "network/detail/connectivity.hpp"
#include "network/detail/io_thread.hpp"
#include "network/detail/majority.hpp"
#include "network/detail/message_faults.hpp"
#include "network/detail/timeline.hpp"
#include "network/frame.hpp"
#include "network/rng.hpp"

namespace ladder::net {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

/// Asked of the kernel for every socket, so that a burst does not overflow a receive buffer
/// before the injector reads it. The kernel may grant less (net.core.rmem_max).
constexpr int kReceiveBufferBytes = 1 << 20;

/// The frame limit N (the version byte and the body) that fits one datagram.
constexpr std::size_t kMaxFrameBytes = 1 + kMaxUdpBodyBytes;

}  // namespace

struct UdpNetwork::Impl {
  Impl(Topology t, FaultPlan p, std::uint64_t seed)
      : topology(t),
        plan(std::move(p)),
        rng(seed),
        node_count(static_cast<NodeId>(t.size())),
        timeline_timer(io),
        up(node_count, true),
        links(node_count),
        receivers(node_count) {
    assert(topology.replicas >= 0 && topology.clients >= 0);
    assert(topology.replicas <= detail::kMaxReplicasForMajority &&
           "majority_windows enumerates subsets");
    detail::assert_plan_fits(plan, node_count);
    sockets.reserve(node_count);
    for (NodeId id = 0; id < node_count; ++id)
      sockets.emplace_back(io);
    majority.update(available(), 0);
  }

  // ---- State ---------------------------------------------------------------------------------

  const Topology topology;
  const FaultPlan plan;
  Rng rng;  // injector's thread only
  const NodeId node_count;

  asio::io_context io;  // declared before the sockets and timers: destroyed after them
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;
  std::vector<udp::socket> sockets;                  // by node id; each node's network card
  std::vector<udp::endpoint> endpoints;              // by node id; written by start() only
  std::map<std::uint16_t, NodeId> node_of_port;      // written by start() only
  asio::steady_timer timeline_timer;                 // the next timeline event
  std::map<std::uint64_t, asio::steady_timer> held;  // datagrams waiting out their delay
  std::uint64_t next_hold = 0;
  bool stopping = false;  // injector's thread only

  Clock::time_point epoch;           // time 0; written by start() before `started` is set
  std::atomic<bool> started{false};  // release/acquire: publishes epoch and the endpoints

  std::function<void(const TraceEvent&)> observer;  // set before start(): read-only afterwards
  NodeHooks hooks;                                  // set before start(): read-only afterwards

  // Changed only on the injector's thread (or before start), always under `mutex`.
  mutable std::mutex mutex;
  std::vector<bool> up;
  detail::Connectivity links;  // partitions and cuts accumulate until a heal clears them all
  std::vector<std::shared_ptr<const Receiver>> receivers;  // attach() may write from any thread
  UdpStats counters;
  detail::MajorityWindows majority;

  // ---- Helpers -------------------------------------------------------------------------------

  [[nodiscard]] Time now() const {
    assert(started.load(std::memory_order_acquire) && "UdpNetwork: call start() first");
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - epoch).count();
  }

  // The time for trace lines and windows: 0 for what apply_now() does before start().
  [[nodiscard]] Time clock() const { return started.load(std::memory_order_acquire) ? now() : 0; }

  template <class Update>
  void count(Update update) {
    const std::lock_guard lock(mutex);
    update(counters);
  }

  [[nodiscard]] bool on_injector() { return io.get_executor().running_in_this_thread(); }

  // Runs `action` on the injector's thread and waits for it; exceptions come back to the caller.
  // Before start() and after stop() no other thread runs, so the caller's thread is the one.
  template <class Action>
  void run_on_io(Action action) {
    if (!thread.joinable()) {
      action();
      return;
    }
    detail::run_on_io(io, action);
  }

  // ---- Tracing -------------------------------------------------------------------------------

  void trace(TraceKind kind, NodeId from, NodeId to, std::string_view payload,
             std::string_view detail) {
    if (observer) observer(TraceEvent{clock(), kind, from, to, payload, detail});
  }

  // ---- The send path (injector's thread) -----------------------------------------------------

  // Decides a datagram's fate, with the same draws in the same order as SimNetwork::send.
  void inject(NodeId from, NodeId to, std::string payload, MessageClass cls) {
    if (stopping) return;
    count([](UdpStats& s) { ++s.sent; });
    trace(TraceKind::send, from, to, payload, {});
    if (!up[from]) {
      count([](UdpStats& s) { ++s.from_down_node; });
      trace(TraceKind::drop, from, to, payload, "sender down");
      return;
    }
    if (links.is_blocked(from, to)) {
      count([](UdpStats& s) { ++s.cut; });
      trace(TraceKind::drop, from, to, payload, "cut");
      return;
    }
    const detail::MessageFate fate = detail::draw_message_fate(rng, plan, cls);
    if (!fate.drop_reason.empty()) {
      count([](UdpStats& s) { ++s.dropped; });
      trace(TraceKind::drop, from, to, payload, fate.drop_reason);
      return;
    }
    auto frame = std::make_shared<const std::string>(encode_frame(payload));
    if (fate.copy_delay_ms) {
      count([](UdpStats& s) { ++s.duplicated; });
      trace(TraceKind::duplicate, from, to, payload, {});
      hold(from, to, frame, *fate.copy_delay_ms);
    }
    hold(from, to, std::move(frame), fate.delay_ms);
  }

  // Keeps a datagram off the wire for `delay_ms` on its own timer, so that later ones overtake.
  void hold(NodeId from, NodeId to, std::shared_ptr<const std::string> frame, Time delay_ms) {
    if (delay_ms == 0) {
      transmit(from, to, std::move(frame));
      return;
    }
    const std::uint64_t id = next_hold++;
    auto& timer = held.try_emplace(id, io, std::chrono::milliseconds(delay_ms)).first->second;
    timer.async_wait([this, id, from, to, frame = std::move(frame)](error_code ec) mutable {
      held.erase(id);  // the handler was moved out of the timer: erasing it is safe
      if (ec || stopping) return;
      transmit(from, to, std::move(frame));
    });
  }

  // ---- The wire ------------------------------------------------------------------------------

  void transmit(NodeId from, NodeId to, std::shared_ptr<const std::string> frame) {
    const asio::const_buffer bytes = asio::buffer(*frame);
    sockets[from].async_send_to(
        bytes, endpoints[to],
        [this, from, to, frame = std::move(frame)](error_code ec, std::size_t) {
          if (ec == asio::error::operation_aborted) return;  // stop() closed the socket
          if (ec) {
            count([](UdpStats& s) { ++s.wire_errors; });
            const std::string why = fmt::format("wire: {}", ec.message());
            trace(TraceKind::drop, from, to, std::string_view(*frame).substr(kFrameHeaderBytes),
                  why);
            return;
          }
          count([](UdpStats& s) { ++s.wire_sent; });
        });
  }

  // ---- The receive path (injector's thread) --------------------------------------------------

  // Reads node `to`'s socket until stop() closes it. The buffer holds one byte more than the
  // largest valid datagram, so that an oversized one shows up as malformed instead of being cut
  // silently to a size that might parse.
  asio::awaitable<void> receive_loop(NodeId to) {
    std::vector<char> buffer(kFrameHeaderBytes + kMaxUdpBodyBytes + 1);
    for (;;) {
      udp::endpoint source;
      error_code ec;
      const std::size_t n = co_await sockets[to].async_receive_from(
          asio::buffer(buffer), source, asio::redirect_error(asio::use_awaitable, ec));
      if (stopping || ec == asio::error::operation_aborted) co_return;
      if (ec) continue;  // e.g. an ICMP error for an earlier send: nothing was received
      on_datagram(to, source, std::string_view(buffer.data(), n));
    }
  }

  void on_datagram(NodeId to, const udp::endpoint& source, std::string_view bytes) {
    count([](UdpStats& s) { ++s.wire_received; });
    FrameResult frame = decode_datagram(bytes, kMaxFrameBytes);
    if (!frame) {
      count([](UdpStats& s) { ++s.malformed; });
      const std::string why = fmt::format("malformed: {}", frame.error().message);
      trace(TraceKind::drop, to, to, {}, why);
      return;
    }
    const std::optional<NodeId> from = sender(source);
    if (!from) {
      count([](UdpStats& s) { ++s.strangers; });
      const std::string why = fmt::format("stranger: {}", source.port());
      trace(TraceKind::drop, to, to, frame.body(), why);
      return;
    }
    deliver(*from, to, std::move(frame).body());
  }

  [[nodiscard]] std::optional<NodeId> sender(const udp::endpoint& source) const {
    if (source.address() != endpoints.front().address()) return std::nullopt;
    const auto found = node_of_port.find(source.port());
    if (found == node_of_port.end()) return std::nullopt;
    return found->second;
  }

  void deliver(NodeId from, NodeId to, std::string payload) {
    // A partition that began while the datagram was held or on the wire loses it, as a cable
    // cut would.
    if (links.is_blocked(from, to)) {
      count([](UdpStats& s) { ++s.cut; });
      trace(TraceKind::drop, from, to, payload, "cut");
      return;
    }
    std::shared_ptr<const Receiver> receiver;
    {
      const std::lock_guard lock(mutex);  // attach() may write receivers from another thread
      receiver = receivers[to];
    }
    if (!up[to] || !receiver || !*receiver) {
      count([](UdpStats& s) { ++s.to_down_node; });
      trace(TraceKind::drop, from, to, payload, "down");
      return;
    }
    // Counted and traced once the receiver has it, so that whoever sees the count or the
    // trace line can rely on the datagram being in the node's hands.
    (*receiver)(Datagram{from, to, payload, now()});
    count([](UdpStats& s) { ++s.delivered; });
    trace(TraceKind::deliver, from, to, payload, {});
  }

  // ---- Faults (injector's thread) ------------------------------------------------------------

  void apply(const TimelineEvent& event) { detail::play_timeline_event(*this, event); }

  // A partition or a one-way cut. The links change under the lock: connected() may read them
  // from another thread meanwhile.
  void cut(const TimelineEvent& event) {
    {
      const std::lock_guard lock(mutex);
      links.apply(event);
    }
    update_majority();
    trace(TraceKind::partition, 0, 0, {}, detail::describe_fault(event, topology));
  }

  void heal(bool always_trace) {
    bool anything = false;
    {
      const std::lock_guard lock(mutex);
      anything = links.heal();
    }
    update_majority();
    if (anything || always_trace) trace(TraceKind::heal, 0, 0, {}, {});
  }

  // Marks the node down and detaches its receiver before the hook runs, so that the hook can
  // take the node apart while nothing more is delivered to it.
  void crash(NodeId node) {
    assert(node < node_count);
    if (!up[node]) return;  // crashing a crashed node changes nothing
    {
      const std::lock_guard lock(mutex);
      up[node] = false;
      receivers[node].reset();
    }
    update_majority();
    trace(TraceKind::crash, node, node, {}, {});
    if (hooks.crash) hooks.crash(node);
  }

  void restart(NodeId node) {
    assert(node < node_count);
    if (up[node]) return;
    {
      const std::lock_guard lock(mutex);
      up[node] = true;
    }
    update_majority();
    trace(TraceKind::restart, node, node, {}, {});
    if (hooks.restart) hooks.restart(node);
  }

  [[nodiscard]] bool available() const {
    return detail::majority_available(topology.replicas, up, links);
  }

  void update_majority() {
    const bool now_available = available();
    const Time t = clock();
    const std::lock_guard lock(mutex);
    majority.update(now_available, t);
  }

  // ---- The timeline (injector's thread) ------------------------------------------------------

  // Plays the plan's timeline in order: equal times keep the file's order, as in SimNetwork.
  asio::awaitable<void> play_timeline() {
    for (const TimelineEvent& event : plan.timeline) {
      timeline_timer.expires_at(epoch + std::chrono::milliseconds(event.at_ms));
      error_code ec;
      co_await timeline_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (stopping || ec) co_return;
      apply(event);
    }
  }

  // ---- Start and stop ------------------------------------------------------------------------

  void start() {
    assert(!thread.joinable() && !stopping && "UdpNetwork::start() called twice");
    const auto loopback = asio::ip::make_address("127.0.0.1");
    for (udp::socket& socket : sockets) {
      socket.open(udp::v4());
      socket.set_option(udp::socket::receive_buffer_size(kReceiveBufferBytes));
      socket.bind(udp::endpoint(loopback, 0));
      endpoints.push_back(socket.local_endpoint());
      node_of_port.emplace(endpoints.back().port(), static_cast<NodeId>(endpoints.size() - 1));
    }
    assert(node_of_port.size() == node_count && "the system gave two sockets one port");
    epoch = Clock::now();
    started.store(true, std::memory_order_release);
    for (NodeId id = 0; id < node_count; ++id)
      asio::co_spawn(io, receive_loop(id), detail::rethrow);
    asio::co_spawn(io, play_timeline(), detail::rethrow);
    work.emplace(io.get_executor());
    thread = std::thread([this] { io.run(); });
  }

  void stop() {
    if (!thread.joinable()) return;
    assert(!on_injector() && "UdpNetwork::stop() from a hook or receiver would join itself");
    run_on_io([this] {
      stopping = true;
      error_code ignored;
      for (udp::socket& socket : sockets)
        socket.close(ignored);
      timeline_timer.cancel();
      for (auto& [id, timer] : held)
        timer.cancel();
    });
    // With every socket closed and every timer cancelled, each handler finishes and run()
    // returns.
    work.reset();
    thread.join();
    assert(held.empty() && "every held datagram's handler ran");
  }
};

// ---- UdpNetwork --------------------------------------------------------------------------------

UdpNetwork::UdpNetwork(Topology topology, FaultPlan plan, std::uint64_t seed)
    : impl_(std::make_unique<Impl>(topology, std::move(plan), seed)) {}

UdpNetwork::~UdpNetwork() {
  stop();
}

void UdpNetwork::set_observer(std::function<void(const TraceEvent&)> observer) {
  assert(!impl_->started && "set_observer() before start()");
  impl_->observer = std::move(observer);
}

void UdpNetwork::set_hooks(NodeHooks hooks) {
  assert(!impl_->started && "set_hooks() before start()");
  impl_->hooks = std::move(hooks);
}

void UdpNetwork::attach(NodeId id, Receiver receiver) {
  assert(id < impl_->node_count && "attach: id outside the topology");
  auto shared = receiver ? std::make_shared<const Receiver>(std::move(receiver)) : nullptr;
  const std::lock_guard lock(impl_->mutex);
  impl_->receivers[id] = std::move(shared);
}

void UdpNetwork::start() {
  impl_->start();
}

void UdpNetwork::stop() {
  impl_->stop();
}

void UdpNetwork::send(NodeId from, NodeId to, std::string payload, MessageClass cls) {
  assert(from < impl_->node_count && "sender outside the topology");
  assert(to < impl_->node_count && "receiver outside the topology");
  assert(payload.size() <= max_payload_bytes() && "payload too large for one datagram");
  Impl* impl = impl_.get();
  asio::post(impl->io, [impl, from, to, payload = std::move(payload), cls]() mutable {
    impl->inject(from, to, std::move(payload), cls);
  });
}

void UdpNetwork::note(NodeId node, std::string text) {
  assert(node < impl_->node_count && "note from a node outside the topology");
  Impl* impl = impl_.get();
  asio::post(impl->io, [impl, node, text = std::move(text)] {
    if (!impl->stopping) impl->trace(TraceKind::note, node, node, text, {});
  });
}

void UdpNetwork::apply_now(const TimelineEvent& event) {
  Impl& impl = *impl_;
  impl.run_on_io([&impl, &event] { impl.apply(event); });
}

void UdpNetwork::heal_all() {
  Impl& impl = *impl_;
  impl.run_on_io([&impl] { impl.heal(/*always_trace=*/false); });
}

void UdpNetwork::restart_all() {
  Impl& impl = *impl_;
  impl.run_on_io([&impl] {
    for (NodeId id = 0; id < impl.node_count; ++id)
      impl.restart(id);
  });
}

Time UdpNetwork::now() const {
  return impl_->now();
}

std::uint16_t UdpNetwork::port(NodeId id) const {
  assert(impl_->started && "port() after start()");
  assert(id < impl_->node_count);
  return impl_->endpoints[id].port();
}

std::size_t UdpNetwork::max_payload_bytes() const {
  return kMaxUdpBodyBytes;
}

bool UdpNetwork::is_up(NodeId id) const {
  assert(id < impl_->node_count);
  const std::lock_guard lock(impl_->mutex);
  return impl_->up[id];
}

bool UdpNetwork::connected(NodeId from, NodeId to) const {
  assert(from < impl_->node_count && to < impl_->node_count);
  const std::lock_guard lock(impl_->mutex);
  return !impl_->links.is_blocked(from, to);
}

const Topology& UdpNetwork::topology() const {
  return impl_->topology;
}

UdpStats UdpNetwork::stats() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->counters;
}

std::vector<Window> UdpNetwork::majority_windows() const {
  const Time t = impl_->clock();
  const std::lock_guard lock(impl_->mutex);
  return impl_->majority.windows(t);
}

}  // namespace ladder::net
