#pragma once
/// \file
/// Linearizability, checked Wing–Gong style with memoisation, as Lowe's checker and Porcupine do.
///
/// A history is linearizable when every operation can be given one instant between its invoke
/// and its return at which it takes effect, so that the operations, in the order of those
/// instants, are a legal run of the sequential model (a counter, a register). The search:
///
/// 1. Lay out the invokes and returns on one time line (an event list).
/// 2. Walk it from the front. At an invoke, try to make that operation take effect now: if the
///    model accepts it, remember (the operation, the state before it), lift it out of the list and
///    start again from the front. This is "just-in-time" linearization: an operation is only
///    ever placed before the first return still in the list, so real-time order is kept.
/// 3. At a return, the operation it ends was not placed in time: undo the last placement and try
///    the next invoke after it. With nothing left to undo, the history is not linearizable.
/// 4. Memoisation: the set of placed operations and the model's state say everything about the
///    future of the search, so a (set, state) pair seen before is a dead end and is skipped.
///
/// Operations whose outcome is unknown (Jepsen's `info`, or never completed) return at +infinity:
/// they may take effect at any time after their invoke, or never. Failed operations did not
/// happen and are not part of the input. Unknown operations are what makes the search expensive:
/// one that never took effect stays a candidate to the end, so each multiplies the work
/// (bench/RESULTS.md has the figures).

#include <cassert>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "counter_spec/history.hpp"

namespace ladder::spec {

/// The operations the sequential models know.
enum class CallKind {
  add,    ///< counter: add `value` (a delta)
  read,   ///< counter or register: read, expecting `result`
  write,  ///< register: set to `value`
  cas,    ///< register: if it holds `expected`, set it to `value` (an ok cas succeeded)
};

/// "add", "read", "write", "cas".
const char* to_string(CallKind kind);

/// One operation of a history as the linearizability checker sees it: what was asked, what came
/// back, and the interval in which it may take effect.
struct Call {
  std::size_t index = 0;               ///< position in the history's calls
  ClientId client = 0;                 ///< which client made it
  CallKind kind = CallKind::read;      ///< the operation
  std::int64_t value = 0;              ///< add: the delta; write, cas: the value written
  std::int64_t expected = 0;           ///< cas: the value it compares with
  std::optional<std::int64_t> result;  ///< read that returned ok: the value read
  Time invoked = 0;                    ///< when it was invoked
  std::optional<Time> returned;        ///< when it returned ok; nullopt: unknown (+infinity)
  std::size_t line = 0;                ///< the line of its invoke in a JSONL file (0: none)

  /// "c1 read() -> 5 [10, 20]", "c0 add(+3) [4, ?]", "c2 cas(1, 2) [7, 9]".
  [[nodiscard]] std::string describe() const;
};

/// A sequential specification the checker can run: a state, the initial one, and a transition
/// that says whether an operation is legal in a state (and what state follows). States are
/// compared and hashed for the memo table.
template <class Model>
concept SequentialModel = requires(const Model model, const typename Model::State& state,
                                   const Call& call) {
  { model.init() } -> std::same_as<typename Model::State>;
  { model.step(state, call) } -> std::same_as<std::optional<typename Model::State>>;
  { model.supports(call.kind) } -> std::same_as<bool>;
  { model.describe(state) } -> std::convertible_to<std::string>;
  { model.name() } -> std::convertible_to<std::string>;
  { state == state } -> std::convertible_to<bool>;
  { std::hash<typename Model::State>{}(state) } -> std::convertible_to<std::size_t>;
};

/// What the checker found.
struct LinearizabilityResult {
  bool linearizable = false;  ///< true when some order of the calls explains the history
  /// Linearizable: one valid order (calls by index; unknown calls that never took effect are left
  /// out). Not linearizable: the longest partial linearization the search reached.
  std::vector<std::size_t> order;
  /// Not linearizable: the call that cannot be placed after `order` (its return came before any
  /// legal place for it).
  std::optional<std::size_t> blocking;
  std::string state_after_order;    ///< the model's state after `order`, described by the model
  std::size_t states_memoised = 0;  ///< distinct (placed set, state) pairs the search stored
};

/// Two sentences for a person: "linearizable: ..." or which call cannot be placed, after which
/// partial linearization, in which state.
std::string explain(const LinearizabilityResult& result, const std::vector<Call>& calls);

/// Checks that `calls[i].index == i`, that every return is at or after its invoke and that a
/// client's calls do not overlap (a client waits for one call before making the next). Throws
/// std::invalid_argument naming the call otherwise.
void validate_calls(const std::vector<Call>& calls);

namespace detail {

/// A set of placed calls in the compact form the memo table stores: the search places calls
/// roughly in time order, so the set is "every call below 64 * full_words" plus a few words of
/// bits above that. Equal sets have equal keys.
struct CallSetKey {
  std::size_t full_words = 0;        ///< words 0 .. full_words-1 are all ones
  std::vector<std::uint64_t> words;  ///< the words from full_words up to the last non-zero one
  std::uint64_t hash = 0;            ///< the set's Zobrist hash (CallSet::hash)
  /// Keys compare by the set they stand for.
  friend bool operator==(const CallSetKey&, const CallSetKey&) = default;
};

/// A set of call indices as bits, with an incremental hash and the bounds of its compact key.
class CallSet {
 public:
  /// An empty set of calls 0 .. size-1.
  explicit CallSet(std::size_t size) : words_((size + 63) / 64, 0) {}
  /// Adds call `i`; precondition: it is not in the set.
  void insert(std::size_t i);
  /// Removes call `i`; precondition: it is in the set.
  void erase(std::size_t i);
  /// A hash of the members: the XOR of one mixed value per member, kept up to date in O(1).
  [[nodiscard]] std::uint64_t hash() const { return hash_; }
  /// The compact form for the memo table.
  [[nodiscard]] CallSetKey key() const;

 private:
  static std::uint64_t bit(std::size_t i) { return std::uint64_t{1} << (i % 64); }
  std::vector<std::uint64_t> words_;
  std::uint64_t hash_ = 0;
  std::size_t full_words_ = 0;  // words below this are all ones
  std::size_t top_words_ = 0;   // words at and above this are all zero
};

/// One invoke or return on the time line, linked so that placed calls can be lifted out and put
/// back in O(1) (Knuth's dancing links).
struct Entry {
  std::size_t call = 0;    ///< the call it belongs to
  bool is_return = false;  ///< false: the invoke
  std::size_t match = 0;   ///< an invoke: its return's position (npos when unknown)
  std::size_t prev = 0;    ///< previous entry in the list (kHead for the first)
  std::size_t next = 0;    ///< next entry in the list (kHead past the last)
};

/// The sentinel's position in the entry list: the list is circular through it.
inline constexpr std::size_t kHead = 0;
/// "No entry".
inline constexpr std::size_t kNone = static_cast<std::size_t>(-1);

/// The invokes and returns of `calls` in time order, positions 1..; position 0 is the sentinel.
/// At equal times invokes come first: calls that touch in the same millisecond count as
/// concurrent (the benefit of the doubt, as in check_reads).
std::vector<Entry> build_entries(const std::vector<Call>& calls);
/// Lifts a placed call's invoke (and its return, if any) out of the list.
void lift(std::vector<Entry>& entries, std::size_t invoke);
/// Puts a lifted call back, exactly where it was.
void unlift(std::vector<Entry>& entries, std::size_t invoke);

}  // namespace detail

/// Is the history of `calls` linearizable with respect to `model`? Preconditions: validate_calls
/// passes and the model supports every call's kind.
template <SequentialModel Model>
LinearizabilityResult check_linearizability(const std::vector<Call>& calls, const Model& model) {
  using State = typename Model::State;
  struct Placed {
    std::size_t entry;  // the invoke of the placed call
    State before;       // the model's state before it took effect
  };
  // The placed calls are kept as two sets: calls that returned (placed roughly in time order, so
  // their set stays compact) and unknown calls (few, and possibly never placed: in the first set
  // they would be holes that keep its compact key from shrinking).
  struct Memo {
    detail::CallSetKey returned;
    detail::CallSetKey unknown;
    State state;
    bool operator==(const Memo&) const = default;
  };
  struct MemoHash {
    std::size_t operator()(const Memo& memo) const {
      return static_cast<std::size_t>(memo.returned.hash ^
                                      (memo.unknown.hash * 0xff51afd7ed558ccdULL) ^
                                      (std::hash<State>{}(memo.state) * 0x9e3779b97f4a7c15ULL));
    }
  };

  std::vector<detail::Entry> entries = detail::build_entries(calls);
  std::size_t returns_left = 0;
  std::vector<std::size_t> slot(calls.size());  // a call's index within its set
  for (const Call& call : calls) {
    slot[call.index] = call.returned ? returns_left++ : call.index - returns_left;
  }
  detail::CallSet placed_returned(returns_left);
  detail::CallSet placed_unknown(calls.size() - returns_left);
  const auto set_of = [&](const Call& call) -> detail::CallSet& {
    return call.returned ? placed_returned : placed_unknown;
  };

  std::unordered_set<Memo, MemoHash> seen;
  std::vector<Placed> stack;
  State state = model.init();
  LinearizabilityResult result;
  std::size_t best_depth = 0;
  std::optional<State> best_state;
  // Records the deepest dead end: the placed calls and the call whose return stopped them.
  const auto remember_dead_end = [&](std::size_t blocking_call) {
    if (result.blocking && stack.size() <= best_depth) return;
    best_depth = stack.size();
    result.order.clear();
    for (const Placed& p : stack)
      result.order.push_back(entries[p.entry].call);
    result.blocking = blocking_call;
    best_state = state;
  };

  std::size_t at = entries[detail::kHead].next;
  while (returns_left > 0) {
    assert(at != detail::kHead && "a return is always ahead while returns are left");
    const detail::Entry entry = entries[at];
    if (!entry.is_return) {
      const Call& call = calls[entry.call];
      std::optional<State> after = model.step(state, call);
      // An unknown call that leaves the state as it is (a read nobody heard back from) never
      // needs to be placed: placing it would only double the memo table.
      if (after && !call.returned && *after == state) after.reset();
      if (after) {
        set_of(call).insert(slot[entry.call]);
        if (seen.insert(Memo{placed_returned.key(), placed_unknown.key(), *after}).second) {
          stack.push_back(Placed{at, state});
          state = std::move(*after);
          if (call.returned) --returns_left;
          detail::lift(entries, at);
          at = entries[detail::kHead].next;
          continue;
        }
        set_of(call).erase(slot[entry.call]);
      }
      at = entry.next;
      continue;
    }
    // A return before its call was placed: back up and try the next candidate instead.
    remember_dead_end(entry.call);
    if (stack.empty()) {
      result.linearizable = false;
      result.state_after_order = model.describe(*best_state);
      result.states_memoised = seen.size();
      return result;
    }
    const Placed last = std::move(stack.back());
    stack.pop_back();
    state = last.before;
    const Call& undone = calls[entries[last.entry].call];
    set_of(undone).erase(slot[undone.index]);
    if (undone.returned) ++returns_left;
    detail::unlift(entries, last.entry);
    at = entries[last.entry].next;
  }
  result.linearizable = true;
  result.blocking.reset();
  result.order.clear();
  for (const Placed& p : stack)
    result.order.push_back(entries[p.entry].call);
  result.state_after_order = model.describe(state);
  result.states_memoised = seen.size();
  return result;
}

}  // namespace ladder::spec
