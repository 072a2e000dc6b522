#pragma once
/// \file
/// The real datagram engine: every node gets a UDP socket on loopback, and every datagram passes
/// a fault injector that applies the same FaultPlan as the simulated engine, in real time.
///
/// One datagram's journey:
///
///     send(from, to, payload)        any thread: posts to the injector and returns at once
///       -> the injector decides      its own thread: cut? dropped? response lost? delay? copy?
///       -> a timer waits the delay   later datagrams may overtake it: that is reordering
///       -> from's socket sends       a real UDP datagram, one frame (network/frame.hpp) in it
///       -> to's socket receives      malformed or stranger datagrams are counted and dropped
///       -> the injector checks       cut meanwhile? receiver down? else the receiver runs
///
/// The sockets belong to the network, not to the nodes: they are the nodes' network cards, so a
/// node's crash does not close its port, and the receiving side knows the sender by the port a
/// datagram came from.
///
/// What is reproducible and what is not. The injector draws every choice from one seeded Rng in
/// the order datagrams reach it, with the same draws per datagram as SimNetwork. When a single
/// thread sends, the same seed gives the same choices for the same datagrams. When several node
/// threads send, the order in which their datagrams reach the injector depends on the operating
/// system's scheduling, and so do the choices: the seed makes the PLAN reproducible (the
/// probabilities, the timeline), not the run. That is the point of level 2: real threads, real
/// sockets, real nondeterminism.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "network/fault_plan.hpp"
#include "network/frame.hpp"
#include "network/sim_network.hpp"
#include "network/types.hpp"

namespace ladder::net {

/// The largest body one UDP datagram over IPv4 can carry: its 65,507 bytes of payload hold the
/// frame's header and the body.
inline constexpr std::size_t kMaxUdpBodyBytes = 65'507 - kFrameHeaderBytes;

/// One datagram as a node receives it.
struct Datagram {
  NodeId from = 0;       ///< the sender, known by the port the datagram came from
  NodeId to = 0;         ///< the receiver
  std::string payload;   ///< the frame's body
  Time received_ms = 0;  ///< when the injector delivered it, in ms since the network started
};

/// Where the network hands a node's datagrams. It runs on the injector's thread: keep it short,
/// typically a post onto the node's own executor (Inbox::receiver() does exactly that).
using Receiver = std::function<void(Datagram)>;

/// What the level does when the timeline (or apply_now) crashes or restarts one of its nodes.
///
/// Both run on the injector's thread, one at a time, between datagrams: no datagram reaches the
/// node while they run. A crash hook may stop and join the node's thread, as long as that
/// thread never waits for the injector (send, note, attach and the queries never do).
struct NodeHooks {
  /// The node crashed: stop its thread and forget its volatile state. The network has already
  /// marked it down and detached its receiver, so nothing more is delivered to it.
  std::function<void(NodeId)> crash;
  /// The node restarts: start a fresh one (from what it persisted) and attach() its receiver.
  std::function<void(NodeId)> restart;
};

/// Counts of what the real network did; the first fields mean what SimStats's do.
struct UdpStats {
  std::uint64_t sent = 0;            ///< datagrams handed to the network by send()
  std::uint64_t delivered = 0;       ///< datagrams handed to a live node's receiver
  std::uint64_t dropped = 0;         ///< lost at random (drop or response loss)
  std::uint64_t duplicated = 0;      ///< extra copies scheduled
  std::uint64_t cut = 0;             ///< lost to a partition or one-way cut (at send or delivery)
  std::uint64_t to_down_node = 0;    ///< lost because the receiver was down or had no receiver
  std::uint64_t from_down_node = 0;  ///< sent by a node the network already considered crashed
  std::uint64_t wire_sent = 0;       ///< UDP datagrams the injector's sockets sent
  std::uint64_t wire_received = 0;   ///< UDP datagrams the nodes' sockets received
  std::uint64_t wire_errors = 0;     ///< UDP sends that failed (counted, then lost)
  std::uint64_t malformed = 0;       ///< received datagrams that were not one valid frame
  std::uint64_t strangers = 0;       ///< valid frames from a port that belongs to no node
};

/// The real network: one injector thread with an io_context, one loopback UDP socket per node.
///
/// Use: construct, set_observer() and set_hooks() if wanted, attach() a receiver per node,
/// start(), send() from any thread, and stop() (or destroy) at the end. Every socket, timer
/// and the thread are gone when stop() returns.
///
/// Time 0 is the moment start() is called; the plan's timeline plays out on timers from there,
/// with the same semantics as SimNetwork: partitions and one-way cuts accumulate until a heal,
/// and are checked both when a datagram is sent and when it arrives; a crashed node's
/// datagrams are lost until it restarts.
class UdpNetwork {
 public:
  /// A network for `topology` that applies `plan`, drawing every random choice from `seed`.
  /// Preconditions (asserted): the plan's probabilities are in [0, 1], 0 <= delay_min_ms <=
  /// delay_max_ms, the timeline is sorted and names only nodes of the topology.
  UdpNetwork(Topology topology, FaultPlan plan, std::uint64_t seed);
  /// Stops the network if it runs.
  ~UdpNetwork();
  UdpNetwork(const UdpNetwork&) = delete;
  UdpNetwork& operator=(const UdpNetwork&) = delete;

  /// Calls `observer` for every trace event, on the injector's thread, one at a time and in the
  /// order of their times (ms since start). Precondition: not started yet.
  void set_observer(std::function<void(const TraceEvent&)> observer);
  /// Sets the crash and restart hooks. Precondition: not started yet.
  void set_hooks(NodeHooks hooks);
  /// Sets where node `id`'s datagrams go (empty: nowhere, as if it were down). Any thread;
  /// typically before start() and from the restart hook.
  void attach(NodeId id, Receiver receiver);

  /// Binds one socket per node on 127.0.0.1 (ports chosen by the system), starts the injector's
  /// thread and the timeline. Throws boost::system::system_error when a socket cannot be bound.
  /// Precondition: not started before.
  void start();
  /// Closes every socket, cancels every held datagram and the timeline, and joins the thread.
  /// Idempotent. Datagrams sent afterwards are ignored. Not from a hook or a receiver.
  void stop();

  /// Hands a datagram to the injector and returns at once; any thread. A node the network
  /// considers crashed cannot send: its datagrams are counted and lost. Precondition
  /// (asserted): both ids are in the topology and payload.size() <= max_payload_bytes().
  void send(NodeId from, NodeId to, std::string payload, MessageClass cls = MessageClass::request);
  /// Adds a node's own remark to the trace; any thread.
  void note(NodeId node, std::string text);

  /// Applies one timeline event now (partition, cut, heal, crash, restart), as if the plan had
  /// scheduled it; returns when it has been applied (hooks included). Not from a node's thread
  /// whose crash hook joins it: that would wait for itself.
  void apply_now(const TimelineEvent& event);
  /// Removes every partition and cut now (traced when there was one).
  void heal_all();
  /// Restarts every crashed node now, in id order.
  void restart_all();

  /// Milliseconds since start(); any thread. Precondition: started.
  [[nodiscard]] Time now() const;
  /// The UDP port of node `id`'s socket (valid after start()).
  [[nodiscard]] std::uint16_t port(NodeId id) const;
  /// The largest payload send() accepts: what one frame in one datagram can carry.
  [[nodiscard]] std::size_t max_payload_bytes() const;
  /// True unless the node is crashed.
  [[nodiscard]] bool is_up(NodeId id) const;
  /// True when a datagram sent now from `from` to `to` would not be cut.
  [[nodiscard]] bool connected(NodeId from, NodeId to) const;
  /// The topology the network was built for.
  [[nodiscard]] const Topology& topology() const;
  /// A snapshot of the counters.
  [[nodiscard]] UdpStats stats() const;
  /// The windows so far in which a majority of replicas was up and pairwise connected both
  /// ways, in ms since start. The last window is closed at now().
  [[nodiscard]] std::vector<Window> majority_windows() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ladder::net
