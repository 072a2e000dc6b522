#pragma once
/// \file
/// A PN-counter, the replicated counter without a protocol: a state-based CRDT as a pure core.
///
/// Each replica holds two vectors with one entry per replica: `p[i]`, the increments replica i
/// made as far as this replica knows, and `n[i]`, its decrements. A replica changes only its own
/// entries (a local add), and learns the others' by merging a peer's whole state: entry by entry,
/// the larger one wins. Because that merge is commutative, associative and idempotent, messages
/// may be dropped (a later gossip carries the same news), duplicated (merging twice is merging
/// once) and reordered (the newer state dominates the older): the replicas converge without
/// views, primaries or acknowledgements. The price: the counter cannot enforce anything global
/// (no "never below zero"), and a read may be stale.
///
/// The core is level 3's shape: `step(replica, input) -> {next replica, actions}`, with the merge
/// passed in as a plain function pointer, so that exercise 10's reader can plug their own merge
/// in and level 4 can explore it (pn_model.hpp).

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

namespace ladder::level4::pn {

/// The most replicas a PN-counter here has (the vectors are fixed-size, so states copy cheaply).
inline constexpr std::size_t kMaxReplicas = 4;

/// A replica's counter: one increment and one decrement total per replica. Entries are bytes:
/// level 4 explores a handful of adds, and small states are what makes millions of them fit.
struct Counter {
  std::array<std::uint8_t, kMaxReplicas> p{};  ///< p[i]: replica i's increments, as known here
  std::array<std::uint8_t, kMaxReplicas> n{};  ///< n[i]: replica i's decrements, as known here
  /// Counters compare entry by entry (p first): a total order, for sorting messages.
  friend auto operator<=>(const Counter&, const Counter&) = default;
};

/// What merging a peer's counter into one's own gives. A plain function pointer, not a
/// std::function: the model copies and stores it with every exploration (and exercise 10's reader
/// writes one).
using MergeFn = Counter (*)(const Counter& mine, const Counter& theirs);
/// The counter's value. Same reason for a plain pointer.
using ValueFn = std::int64_t (*)(const Counter& counter);

/// The CRDT's merge: entry by entry, the larger (the least upper bound of the two states).
Counter merge(const Counter& mine, const Counter& theirs);
/// The counter's value: the sum of the increments minus the sum of the decrements.
std::int64_t value(const Counter& counter);
/// The classic wrong merge, for pictures and tests: entry by entry, the SUM. It looks like
/// "combine what we both counted", but a replica that hears the same news twice (a duplicate, or
/// its own counts coming back in a peer's state) counts it twice.
Counter merge_by_sum(const Counter& mine, const Counter& theirs);

/// "p[2,0,1] n[0,1,0]" for the first `replicas` entries: compact, for labels and messages.
std::string describe(const Counter& counter, std::size_t replicas);

/// One replica: who it is, how many replicas there are, and its counter.
struct Replica {
  std::uint8_t self = 0;      ///< this replica's index, below replicas
  std::uint8_t replicas = 0;  ///< the cluster's size, 2 .. kMaxReplicas
  Counter counter;            ///< what it knows
  /// Replicas compare field by field.
  friend auto operator<=>(const Replica&, const Replica&) = default;
};

/// A client's add at this replica: +delta into p[self], or -delta into n[self]. Never fails: a
/// CRDT accepts every local update at once (that is its availability).
struct LocalAdd {
  std::int8_t delta = 0;  ///< the amount, not 0
};
/// A peer's whole counter arrived: merge it in.
struct Receive {
  std::uint8_t from = 0;  ///< the sender
  Counter counter;        ///< its counter when it sent
};
/// The gossip timer fired: send the whole counter to every peer.
struct GossipTimer {};
/// What the core is fed.
using Input = std::variant<LocalAdd, Receive, GossipTimer>;

/// An action: send `counter` to replica `to`. The driver may lose, duplicate or delay it.
struct Send {
  std::uint8_t to = 0;  ///< the peer
  Counter counter;      ///< this replica's counter, whole
};

/// At most one Send per peer: a fixed-size list, so that a step allocates nothing.
struct Sends {
  std::array<Send, kMaxReplicas - 1> items{};  ///< items[0 .. count)
  std::uint8_t count = 0;                      ///< how many are used
  /// The used items.
  const Send* begin() const { return items.data(); }
  /// One past the last used item.
  const Send* end() const { return items.data() + count; }
};

/// What step() returns: the replica after the input, and the sends it asks for, in peer order.
struct StepResult {
  Replica next;   ///< the replica after the input
  Sends actions;  ///< Sends, to each peer in index order (a gossip), else none
};

/// The core's one transition. Pure: the same replica, input and merge give the same result.
/// Preconditions (asserted): 2 <= replicas <= kMaxReplicas, self < replicas, a LocalAdd's delta is
/// not 0 and its entry does not overflow a byte, a Receive comes from another replica in range.
StepResult step(const Replica& replica, const Input& input, MergeFn merge_fn = &merge);

}  // namespace ladder::level4::pn
