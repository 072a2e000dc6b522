#pragma once
/// \file
/// The PN-counter (pn_counter.hpp) as a model for the explorer (explorer.hpp): a few replicas, a
/// bounded number of local adds, gossip, and a network that delivers the in-flight messages in
/// any order, drops and duplicates them (each a bounded number of times).
///
/// ## The global state
///
/// Every replica's counter, the in-flight messages as a multiset (sorted: two states that differ
/// only in the order messages were sent are one state, since delivery order is free anyway), the
/// budgets left (adds, drops, duplicates), and one ghost: `truth`, the counter of what really
/// happened (truth.p[i] is every increment replica i made). No replica reads the ghost; the
/// invariants compare against it.
///
/// ## The events
///
/// | event | enabled when | effect |
/// |---|---|---|
/// | add r ±1 | adds left | replica r's step on LocalAdd; truth records it |
/// | gossip r | room for replicas − 1 messages | replica r's step on GossipTimer; its Sends fly |
/// | deliver m | m in flight | m's target steps on Receive; m leaves the network |
/// | drop m (fault) | m in flight, drops left | m leaves the network |
/// | duplicate m (fault) | m in flight, duplicates left, room | a second m flies |
///
/// Gossip has no budget of its own: the in-flight capacity bounds it, and every counter is
/// bounded by the adds, so the graph is finite. That keeps liveness meaningful: from any state,
/// without faults, delivering everything and one gossip round converge the replicas.
///
/// ## The invariants (violation())
///
/// 1. **Own adds are exact**: replica r's own entries equal truth's (nothing a replica did
///    itself is lost or counted twice).
/// 2. **No over-count**: every entry of every replica is at most truth's (a replica never knows
///    more of replica i than replica i did: a duplicated message or a merge that adds shows here).
/// 3. **Convergence is one exchange away**: for every replica r, merging every other replica's
///    current counter into r's (in index order) gives truth's value. A merge that is not
///    commutative, or that loses entries, fails here.
///
/// done(): nothing in flight and every replica's counter equals truth (converged). With
/// Options::liveness, the explorer checks that done stays reachable without faults.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "level4_explore/pn_counter.hpp"

namespace ladder::level4::pn {

/// The most messages in flight at once.
inline constexpr std::size_t kMaxInFlight = 8;

/// The bounds of one exploration.
struct Config {
  std::uint8_t replicas = 2;       ///< 2 .. kMaxReplicas
  std::uint8_t adds = 2;           ///< local adds in all (each +1 or -1, at any replica)
  std::uint8_t drops = 1;          ///< messages the network may drop
  std::uint8_t duplicates = 1;     ///< messages the network may duplicate
  std::uint8_t max_in_flight = 2;  ///< the network's capacity, 1 .. kMaxInFlight
  /// "replicas 2, adds 2, drops 1, duplicates 1, in flight 2".
  std::string describe() const;
  /// Throws std::invalid_argument naming the field when a bound is out of range.
  void validate() const;
};

/// A message in flight: the counter `from` sent to `to`.
struct Message {
  std::uint8_t from = 0;  ///< the sender
  std::uint8_t to = 0;    ///< the target
  Counter counter;        ///< the sender's counter when it gossiped
  /// Messages compare field by field: the order of the in-flight multiset.
  friend auto operator<=>(const Message&, const Message&) = default;
};

/// One global state.
struct State {
  std::array<Counter, kMaxReplicas> replicas{};   ///< replica r's counter (r < Config::replicas)
  Counter truth;                                  ///< the ghost: every add that happened
  std::array<Message, kMaxInFlight> in_flight{};  ///< sorted; [in_flight_count ..) are zero
  std::uint8_t in_flight_count = 0;               ///< messages in the network
  std::uint8_t adds_left = 0;                     ///< local adds still possible
  std::uint8_t drops_left = 0;                    ///< drops still possible
  std::uint8_t duplicates_left = 0;               ///< duplicates still possible
  /// States compare field by field.
  friend bool operator==(const State&, const State&) = default;
};

/// What can happen.
enum class EventKind : std::uint8_t { add, gossip, deliver, drop, duplicate };

/// One event: a kind and what it is about.
struct Event {
  EventKind kind = EventKind::add;  ///< what happens
  std::uint8_t replica = 0;         ///< add, gossip: where
  std::int8_t delta = 0;            ///< add: +1 or -1
  Message message;                  ///< deliver, drop, duplicate: which message
};

/// The PN-counter model: a Model of explorer.hpp.
class Model {
 public:
  using State = pn::State;  ///< the global state
  using Event = pn::Event;  ///< a transition's label

  /// A model with these bounds and this merge and value (pn::merge and pn::value by default;
  /// exercise 10 passes the reader's). Throws std::invalid_argument for bad bounds.
  explicit Model(const Config& config, MergeFn merge_fn = &merge, ValueFn value_fn = &value);

  /// No adds yet, nothing in flight, every budget full.
  State initial() const;
  /// Every event possible in `state` and the state after it (identical messages once).
  void successors(const State& state, std::vector<std::pair<Event, State>>& out) const;
  /// The first of the three invariants that fails, naming the replica and entry, or nullopt.
  std::optional<std::string> violation(const State& state) const;
  /// The state's bytes: the used replicas' entries, truth, the messages, the budgets.
  void encode(const State& state, std::string& bytes) const;
  /// "r0 p[1,0] n[0,0] | r1 ... | net {0>1 p[1,0] n[0,0]} | left a1 d1 u1".
  std::string describe(const State& state) const;
  /// "add r0 +1", "gossip r1", "deliver 0>1 p[1,0] n[0,0]", "drop ...", "duplicate ...".
  std::string describe(const Event& event) const;
  /// Drops and duplicates are faults.
  bool is_fault(const Event& event) const;
  /// Nothing in flight and every replica equal to truth.
  bool done(const State& state) const;
  /// The bounds.
  const Config& config() const { return config_; }

 private:
  State after_add(const State& state, std::uint8_t replica, std::int8_t delta) const;
  State after_gossip(const State& state, std::uint8_t replica) const;
  State after_deliver(const State& state, std::size_t slot) const;

  Config config_;
  MergeFn merge_;
  ValueFn value_;
};

}  // namespace ladder::level4::pn
