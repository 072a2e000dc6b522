#pragma once
/// \file
/// Level 3 in production: one replica of the pure core (step.hpp) on a real UDP socket, Asio
/// timers, a durable log with fsync (durable_log.hpp) and a RESP2 front door (resp_server.hpp),
/// on one thread and one io_context. The code the simulator tests is the code that runs: the
/// runtime only turns events into inputs and executes actions, under the driver's duties of
/// step.hpp and the contract of action.hpp.
///
/// ## The event loop, with group commit
///
///     wake up: the socket is readable, the front door sent a request to this replica, or a
///              timer fired
///     batch:   the door's local requests, then up to batch_max datagrams the kernel already
///              holds (drained without blocking); step() each, in order:
///                Persist            -> staged on the log (only the batch's last one is written)
///                SetTimer, Cancel   -> at once
///                Send               -> at once when its step's Persist lets it go first and
///                                      every strict Persist before that one is on disk (rule
///                                      P5: a primary's Prepares), else held
///                ReplyToClient      -> held until the end of the batch
///     flush:   every held action that waits for no unsynced strict Persist, in order (rule
///              P4: a lazy Persist binds nothing, so the replies of a commit leave here)
///              if the batch persisted strictly: write, then ONE fdatasync
///              then every other held Send and ReplyToClient, in order
///              a lazy Persist left unsynced is written by the next sync, or kLazySyncDelay later
///
/// Rule P2 holds: every send follows the sync of every strict Persist before it. One fsync covers
/// the whole batch, which is what makes 50 concurrent clients cheap (durable_log.hpp explains why
/// writing only a batch's last Persist is enough).
///
/// The fdatasync runs on the loop's thread, which waits for it. A disk thread that let the loop
/// step on during the sync was built and measured: it was no faster here, on 2 cores, where
/// handing each sync over and back costs two more thread wake-ups per node per round
/// (bench/RESULTS.md, "Level 3's runtime").
///
/// ## Addresses
///
/// Replicas are known by the UDP addresses of cluster.json: a datagram from one of them comes
/// from that replica's node id. A client's Request may come from anywhere (a `ladder client`, or
/// another node's front door): the runtime remembers the address each client id's requests last
/// came from, and sends that client's replies there. A Request arrives as Receive from node
/// n + client id, as in the simulator. A Reply that arrives belongs to this node's own front door.
///
/// ## Start
///
/// The data dir holds the log `rN.log` and a marker `rN.marker`, written once the first boot's
/// state is on disk:
///
/// | marker | log           | start                                                              |
/// |--------|---------------|--------------------------------------------------------------------|
/// | no     | no records    | first boot: boot(config); its state is persisted, then the marker |
/// | any    | records       | Recovered{the last record, nonce} (rule P3)                        |
/// | yes    | gone or empty | Recovered{nullopt, nonce}: the disk was lost; recover from peers (R0)
/// |
///
/// A corrupt log refuses to start (DiskError naming the file and the byte). The nonce is drawn
/// from std::random_device: the runtime is the one place where real randomness is allowed, and a
/// restart needs a nonce no earlier incarnation used.
///
/// ## Faults
///
/// With a FaultPlan, the node's outgoing datagrams pass the plan's message faults (drop,
/// duplicate, delay; net::UdpEndpoint). Messages between the door and its own replica do not
/// travel and see no faults. The plan's timeline is not applied.

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "level3_pure/core/replica.hpp"
#include "level3_pure/core/step.hpp"
#include "level3_pure/runtime/cluster_file.hpp"
#include "level3_pure/runtime/durable_log.hpp"
#include "level3_pure/runtime/resp_server.hpp"
#include "level3_pure/runtime/runtime_door.hpp"
#include "level3_pure/runtime/runtime_timer.hpp"
#include "network/fault_plan.hpp"
#include "network/udp_endpoint.hpp"

namespace ladder::level3 {

/// How a node runs.
struct NodeOptions {
  ClusterFile cluster;                   ///< every replica's address and the timeouts
  int id = 0;                            ///< which replica this node is
  std::filesystem::path data_dir;        ///< holds rN.log and rN.marker; must exist
  Variant variant = Variant::fixed;      ///< which V4 the core runs
  std::optional<net::FaultPlan> faults;  ///< message faults on outgoing datagrams
  std::uint64_t seed = 0;                ///< the fault plan's seed
  /// From a RESP command's arrival to its answer, at most: then "-TIMEOUT" (outcome unknown).
  std::chrono::milliseconds door_deadline{2000};
  /// Requests the RESP door keeps outstanding at once (DoorOptions::max_in_flight).
  std::size_t door_in_flight = DoorOptions{}.max_in_flight;
  /// How long the door's next group may wait for the clients just answered (DoorOptions::linger).
  std::chrono::microseconds door_linger = DoorOptions{}.linger;
  /// The door's linger also ends after this long without a command (DoorOptions::linger_gap).
  std::chrono::microseconds door_linger_gap = DoorOptions{}.linger_gap;
  std::size_t batch_max = 256;   ///< inputs stepped per batch (per fsync), at most
  bool repair_disk = false;      ///< DurableLogOptions::repair
  bool preallocate_disk = true;  ///< DurableLogOptions::preallocate
  /// Where the RESP door listens; nullopt: the cluster file's port. 0: any free port (tests).
  std::optional<std::uint16_t> resp_port;
};

/// What a node counted; counters only grow.
struct NodeCounters {
  std::uint64_t datagrams = 0;      ///< datagrams read from the socket
  std::uint64_t malformed = 0;      ///< of which did not decode: counted and dropped
  std::uint64_t strangers = 0;      ///< replica messages from an address of no replica: dropped
  std::uint64_t stray_replies = 0;  ///< Replies for a client that is not this node's door's
  std::uint64_t unroutable = 0;     ///< replies to a client whose address is unknown: dropped
  std::uint64_t steps = 0;          ///< inputs stepped
  std::uint64_t batches = 0;        ///< batches flushed
  std::uint64_t syncs = 0;          ///< fdatasyncs (one per batch that persisted strictly)
  std::uint64_t lazy_syncs = 0;     ///< of which for a lazy Persist alone, kLazySyncDelay later
  /// Sends and ReplyToClients released before their batch's fsync, because every strict Persist
  /// before them was on disk already (a commit's replies: rule P4).
  std::uint64_t early_sends = 0;
  /// Sends that left before their own step's Persist was on disk: a primary's Prepares, whose
  /// backups then sync while the primary does (rule P5).
  std::uint64_t sends_first = 0;
  std::uint64_t sends = 0;  ///< Sends and ReplyToClients executed
};

/// How long a lazy Persist (a commit alone, rule P4) may wait for a sync of its own when no strict
/// one comes to carry it. Nothing waits for it; the delay only bounds how stale the disk's commit
/// number gets on an idle node.
inline constexpr std::chrono::milliseconds kLazySyncDelay{5};

/// One replica of a real cluster: the core, its disk, its socket, its timers and its door.
///
/// Everything runs on the io_context given to the constructor, which one thread runs; call
/// start(), stop() and the queries on that thread (or while it does not run).
class Node {
 public:
  /// Opens the disk (DiskError when it is corrupt or unusable) and binds the UDP socket and the
  /// RESP port (boost::system::system_error when taken). Nothing runs before start().
  /// Preconditions: options.id is a replica of options.cluster; the data dir exists.
  Node(boost::asio::io_context& io, NodeOptions options);
  /// Stops the node if it runs.
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  /// Boots or recovers (see the file comment), starts serving, and returns the "ready" line,
  /// e.g. "ready r1: udp 127.0.0.1:7301, resp 127.0.0.1:6381, disk DIR/r1.log (recovered: view 2,
  /// op 7, commit 7)". Throws DiskError when the first persist fails.
  std::string start();
  /// Closes the socket, the door and the timers, and writes a lazy Persist still unsynced (so a
  /// clean stop leaves the disk up to date). Idempotent. Throws DiskError when that write fails.
  void stop();

  /// The replica's state now.
  [[nodiscard]] const Replica& replica() const { return replica_; }
  /// INFO's `key:value` lines: replica, role, view, op, commit, value, status, the disk's layout
  /// (`disk:in-place` or `disk:append`, NodeOptions::preallocate_disk), and counters.
  [[nodiscard]] std::string info() const;
  /// One line for the end: "r1 stopped: backup view 2 op 9 commit 9 value 17".
  [[nodiscard]] std::string summary() const;
  /// What the node counted.
  [[nodiscard]] const NodeCounters& counters() const { return counters_; }
  /// The socket's counters (the fault plan's drops and copies included).
  [[nodiscard]] const net::EndpointStats& network_stats() const { return endpoint_.stats(); }
  /// The front door's counters.
  [[nodiscard]] const DoorStats& door_stats() const { return door_.stats(); }
  /// The UDP port the node's socket is bound to.
  [[nodiscard]] std::uint16_t udp_port() const { return endpoint_.local().port(); }
  /// The RESP port (valid after the constructor).
  [[nodiscard]] std::uint16_t resp_port() const { return resp_.port(); }
  /// What the disk held and did at open.
  [[nodiscard]] const DiskReport& disk_report() const { return disk_.report(); }

 private:
  // A Send or ReplyToClient held until the strict Persists taken before it are on disk.
  struct Held {
    Action action;
    std::uint64_t needs = 0;  // strict Persists that must be on disk before it leaves
  };
  void wait_for_datagrams();
  void run_batch();
  void schedule_batch();
  void on_datagram(const net::UdpEndpoint::Address& source, std::string_view bytes);
  void on_timer(Timer timer);
  void step_on(const Input& input);
  void take(const Action& action);
  void flush();
  void release(std::vector<Held>::const_iterator first, std::vector<Held>::const_iterator last);
  void sync_now();
  void execute_reply(const ReplyToClient& reply);
  void door_send(protocol::ReplicaId to, const protocol::Message& message);
  [[nodiscard]] std::optional<protocol::ReplicaId> replica_at(
      const net::UdpEndpoint::Address& source) const;
  [[nodiscard]] std::filesystem::path marker_path() const;
  [[nodiscard]] RespServerOptions door_server_options();

  boost::asio::io_context& io_;
  NodeOptions options_;
  ReplicaConfig config_;
  std::vector<net::UdpEndpoint::Address> addresses_;  // by replica id
  DurableLog disk_;
  Replica replica_;
  net::UdpEndpoint endpoint_;
  std::array<std::unique_ptr<OneShot>, 3> timers_;  // heartbeat, view_change, recovery
  FrontDoor door_;
  RespServer resp_;

  // A batch in progress: the Sends and replies held until the batch's fsync. Strict Persists are
  // numbered; each held action records how many had been staged when it was taken, and may leave
  // once that many are synced (P2). A lazy Persist is staged without a number (P4).
  bool staged_ = false;              // something is staged and not yet synced
  std::uint64_t strict_staged_ = 0;  // strict Persists staged so far
  std::uint64_t strict_synced_ = 0;  // of which on disk
  std::vector<Held> held_;           // needs never decrease along it
  bool sends_first_ = false;         // the step being taken may send before its Persist (P5)
  OneShot lazy_sync_;                // syncs a lazy Persist that no strict one carried
  std::deque<Receive> local_;        // the door's requests to this replica, not yet stepped
  bool batch_posted_ = false;
  std::array<std::optional<net::UdpEndpoint::Address>, protocol::kMaxClients> client_address_{};
  std::array<bool, protocol::kMaxClients> client_local_{};  // its requests came from our door

  std::string start_kind_;  // "first boot", "recovered: ...", "disk lost: ..."
  bool started_ = false;
  bool stopped_ = false;
  NodeCounters counters_;
};

}  // namespace ladder::level3
