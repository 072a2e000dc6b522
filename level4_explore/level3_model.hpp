#pragma once
/// \file
/// Level 3's pure core as a Model for the explorer: every replica, every client and the network
/// between them as one value, and every event that can happen to it as a transition.
///
/// ## The global state
///
/// - every replica's Replica (step.hpp); a crashed replica keeps only what its disk holds. The
///   disk is stored apart only while it lags: P2 puts a Persist of the new durable fields before
///   anything else whenever they change, except a lazy Persist (P4: a higher commit number
///   alone) and a primary's new op, whose Prepares leave first (P5). Their state reaches the
///   disk at the replica's next step, as in the simulator (level3_pure/sim/sim_nodes.cpp); a crash
///   before that step keeps the older log, which is the window P4 and P5 open. The view and
///   last_normal_view never lag: neither rule applies to a step that changes them;
/// - which replicas are down, and which timers each node has armed. There is **no clock**: an
///   armed timer may fire at any moment, which is every interleaving a clock could produce;
/// - every client's ClientState and how many of its operations it has invoked;
/// - the messages in flight as a sorted multiset of (from, to, encoded message): canonical, so
///   two interleavings that leave the same messages in flight meet in one state;
/// - the faults used so far (drops, duplicates, crashes) and the timer firings, each under its
///   bound;
/// - what the clients saw: every acknowledged add with the view of its Reply.
///
/// ## The transitions
///
/// deliver any message in flight (to a crashed replica: it is lost, "down"), drop one, duplicate
/// one, fire any armed timer of a live node, crash a live replica (its timers and volatile state
/// are gone), restart a crashed one (Recovered with its disk and a nonce counted from the
/// crashes), and a client's next operation (client c's operations are add(+(c + 1)), so that sums
/// tell clients apart).
///
/// ## Why the space is finite
///
/// Drops, duplicates and crashes are each bounded. What remains unbounded is time: a primary's
/// heartbeat fires forever, and every view_change timer starts a view with a larger number. So
/// every timer firing spends one unit of a budget, `max_timeouts`: the bound on time. Without it
/// a single heartbeat could fire a million times. The liveness check knows: a state in which an
/// armed timer could not fire because the budget was spent is given the benefit of the doubt
/// (cut_by_bounds).
///
/// ## The invariants (violation())
///
/// Each message starts with the verdict it is (counter_spec's names) and names its evidence:
/// - **LOST** (I1): an add acknowledged in view v is held (in the log's suffix or folded into its
///   snapshot, by the client table) by every replica that is primary of a view >= v.
/// - **DUPLICATED** (I5): every replica's committed value is exactly the sum of the adds its
///   client table says it applied (client c's requests 1 .. seq); no log holds a request twice.
/// - **DIVERGED** (I3): two replicas with the same commit number hold the same snapshot.
/// - **BAD-READ**: none: the workload has no reads (a read through the log is an add of 0).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "counter_spec/history.hpp"
#include "level3_pure/core/client.hpp"
#include "level3_pure/core/replica.hpp"
#include "level3_pure/core/timer.hpp"
#include "network/types.hpp"
#include "protocol/config.hpp"

namespace ladder::level4 {

/// Which cluster to explore and how far. The defaults find the first-release flaw.
struct Level3Config {
  level3::Variant variant = level3::Variant::first_release;  ///< which rule V4 replicas run
  int replicas = 3;                                          ///< n, odd, 1 .. 7
  int clients = 1;                                           ///< 1 .. 4
  int ops = 1;             ///< operations per client, each an add: client c adds c + 1
  int max_drops = 1;       ///< messages the network may lose
  int max_duplicates = 0;  ///< messages the network may deliver twice
  int max_crashes = 0;     ///< replica crashes (each may be followed by a restart)
  int max_timeouts = 2;    ///< timer firings, of any timer at any node: the bound on time

  /// Empty when the configuration is usable, else what is wrong with which field.
  [[nodiscard]] std::string problem() const;
  /// One line: "first-release, 3 replicas, 1 client x 1 op, drops 1, duplicates 0, crashes 0,
  /// timeouts 2".
  [[nodiscard]] std::string describe() const;
  /// Configs compare field by field.
  friend bool operator==(const Level3Config&, const Level3Config&) = default;
};

/// A message in flight: its sender, its receiver and its body (protocol::encode). Stored
/// encoded, so that the network is canonical (sorted by these fields) and compact.
struct Packet {
  std::uint8_t from = 0;  ///< a network node: replica r is r, client c is replicas + c
  std::uint8_t to = 0;    ///< a network node
  std::string body;       ///< protocol::encode(message)
  /// Packets compare field by field, and sort by from, to, body.
  friend bool operator==(const Packet&, const Packet&) = default;
  /// The network's order.
  friend auto operator<=>(const Packet&, const Packet&) = default;
};

/// An add a client saw acknowledged: its request and the view of the Reply.
struct Acknowledged {
  spec::RequestId request;        ///< the add
  protocol::ViewNumber view = 0;  ///< the view the Reply came from
  /// Acknowledgements compare field by field.
  friend bool operator==(const Acknowledged&, const Acknowledged&) = default;
};

/// The whole system at one moment.
struct Level3State {
  std::vector<level3::Replica> replicas;  ///< by id; a crashed one holds its disk's fields only
  /// By replica id: the log its disk holds while it lags the replica's (a P4 or P5 Persist not
  /// yet written), else nullopt. Always nullopt for a crashed replica, and once the crashes are
  /// spent (no crash could reveal it).
  std::vector<std::optional<protocol::Log>> lagging_disk;
  std::uint32_t down = 0;                    ///< bit r: replica r is crashed
  std::vector<std::uint8_t> timers;          ///< per node, bit t: timer t (level3::Timer) is armed
  std::vector<level3::ClientState> clients;  ///< by id
  std::vector<std::uint8_t> invoked;         ///< per client, operations invoked so far
  std::vector<Packet> network;               ///< in flight, sorted (a multiset)
  std::uint8_t drops = 0;                    ///< faults used
  std::uint8_t duplicates = 0;               ///< faults used
  std::uint8_t crashes = 0;                  ///< faults used (also the restart nonces)
  std::uint8_t timeouts = 0;                 ///< timer firings used
  std::vector<Acknowledged> acknowledged;    ///< in the order the clients saw them
  /// States compare field by field.
  friend bool operator==(const Level3State&, const Level3State&) = default;
};

/// One transition of the global state.
struct Level3Event {
  /// What happens.
  enum class Kind : std::uint8_t {
    deliver,    ///< `packet` arrives at its receiver (lost if the receiver is down)
    drop,       ///< `packet` is lost (a fault)
    duplicate,  ///< `packet` gets a second copy in flight (a fault)
    timer,      ///< node `node`'s timer `timer` fires
    crash,      ///< replica `node` crashes (a fault)
    restart,    ///< replica `node` restarts from its disk
    invoke,     ///< client `node` (a client id) invokes its next operation
  };
  Kind kind = Kind::deliver;                       ///< what happens
  std::uint8_t node = 0;                           ///< timer, crash, restart, invoke: whom
  level3::Timer timer = level3::Timer::heartbeat;  ///< timer: which
  Packet packet;                                   ///< deliver, drop, duplicate: which message
  /// Events compare field by field.
  friend bool operator==(const Level3Event&, const Level3Event&) = default;
};

/// What executing an event did, for traces: called while Level3Model::apply runs.
class Level3Observer {
 public:
  virtual ~Level3Observer() = default;
  /// `from` sent `body` to `to`.
  virtual void sent(const Packet& packet) = 0;
  /// Something worth a line at node `node`: a role change, a client's invoke or ok, a recovery.
  virtual void note(std::uint8_t node, const std::string& text) = 0;
};

/// Level 3's cluster as a Model (explorer.hpp).
class Level3Model {
 public:
  using State = Level3State;  ///< the global state
  using Event = Level3Event;  ///< a transition

  /// A model of `config`. Throws std::invalid_argument with config.problem() when it is unusable.
  explicit Level3Model(Level3Config config);

  /// Every replica booted (its first timer armed), clients idle, nothing in flight.
  [[nodiscard]] State initial() const;
  /// Every event possible in `state`, within the bounds, with the state after it.
  void successors(const State& state, std::vector<std::pair<Event, State>>& out) const;
  /// The state after `event`; `observer` (optional) hears what happened. Precondition: `event`
  /// is one of successors(state)'s.
  [[nodiscard]] State apply(const State& state, const Event& event,
                            Level3Observer* observer = nullptr) const;
  /// The first broken invariant (LOST, DUPLICATED, DIVERGED), or nullopt.
  [[nodiscard]] std::optional<std::string> violation(const State& state) const;
  /// The canonical bytes of `state`, appended to `bytes`.
  void encode(const State& state, std::string& bytes) const;
  /// The state `bytes` encodes: the inverse of encode (the explorer keeps its frontier encoded).
  /// Precondition (asserted): `bytes` came from encode of this model.
  [[nodiscard]] State decode(std::string_view bytes) const;
  /// "r0 primary v0 op1 commit1 =1 | r1 ... | c0 done | 2 in flight".
  [[nodiscard]] std::string describe(const State& state) const;
  /// "deliver c0->r0 Request c0#1 add(+1)", "timer r1 view_change", "crash r2", ...
  [[nodiscard]] std::string describe(const Event& event) const;
  /// Drops, duplicates and crashes are faults; deliveries, timers, restarts and invokes are not.
  [[nodiscard]] bool is_fault(const Event& event) const;
  /// Every client invoked all its operations and has none outstanding.
  [[nodiscard]] bool done(const State& state) const;
  /// A live node has a timer armed that may not fire because max_timeouts is spent.
  [[nodiscard]] bool cut_by_bounds(const State& state) const;

  /// The configuration.
  [[nodiscard]] const Level3Config& config() const { return config_; }
  /// The network name of node `node`: "r1", "c0".
  [[nodiscard]] std::string node_name(std::uint8_t node) const;
  /// The operation client `client` invokes as its `index`-th (from 0): add(+(client + 1)).
  [[nodiscard]] static protocol::Op operation(int client, int index);

 private:
  void deliver(State& state, const Packet& packet, Level3Observer* observer) const;
  void run_replica(State& state, std::uint8_t id, const level3::Input& input,
                   Level3Observer* observer) const;
  void run_client(State& state, std::uint8_t id, const level3::ClientInput& input,
                  std::optional<protocol::ViewNumber> reply_view, Level3Observer* observer) const;
  void send(State& state, Packet packet, Level3Observer* observer) const;

  [[nodiscard]] State boot() const;

  Level3Config config_;
  protocol::Config cluster_;
  State initial_;  // boot()'s result, kept: decode starts from it
};

}  // namespace ladder::level4
