#include "level4_explore/pn_model.hpp"

#include <cassert>
#include <stdexcept>

#include <fmt/format.h>

namespace ladder::level4::pn {

std::string Config::describe() const {
  return fmt::format("replicas {}, adds {}, drops {}, duplicates {}, in flight {}", replicas, adds,
                     drops, duplicates, max_in_flight);
}

void Config::validate() const {
  auto require = [](bool ok, const char* field, std::size_t low, std::size_t high,
                    std::size_t got) {
    if (!ok) {
      throw std::invalid_argument(
          fmt::format("PN-counter model: {} must be {} .. {}, got {}", field, low, high, got));
    }
  };
  require(replicas >= 2 && replicas <= kMaxReplicas, "replicas", 2, kMaxReplicas, replicas);
  require(max_in_flight >= 1 && max_in_flight <= kMaxInFlight, "max_in_flight", 1, kMaxInFlight,
          max_in_flight);
  // An entry is a byte: a replica's own entries reach at most `adds`.
  require(adds <= 200, "adds", 0, 200, adds);
}

namespace {

// The in-flight multiset is kept sorted with zeroed unused slots, so equal multisets are equal
// states (and equal bytes).
void insert(State& state, const Message& message) {
  assert(state.in_flight_count < kMaxInFlight && "insert: room in the network");
  std::size_t at = state.in_flight_count++;
  while (at > 0 && message < state.in_flight[at - 1]) {
    state.in_flight[at] = state.in_flight[at - 1];
    --at;
  }
  state.in_flight[at] = message;
}

void remove(State& state, std::size_t slot) {
  assert(slot < state.in_flight_count && "remove: a message in flight");
  for (std::size_t i = slot; i + 1 < state.in_flight_count; ++i)
    state.in_flight[i] = state.in_flight[i + 1];
  state.in_flight[--state.in_flight_count] = Message{};
}

Replica replica_of(const State& state, std::uint8_t index, std::uint8_t replicas) {
  return Replica{index, replicas, state.replicas[index]};
}

}  // namespace

Model::Model(const Config& config, MergeFn merge_fn, ValueFn value_fn)
    : config_(config), merge_(merge_fn), value_(value_fn) {
  config_.validate();
  assert(merge_ != nullptr && "a merge function");
  assert(value_ != nullptr && "a value function");
}

State Model::initial() const {
  State state;
  state.adds_left = config_.adds;
  state.drops_left = config_.drops;
  state.duplicates_left = config_.duplicates;
  return state;
}

State Model::after_add(const State& state, std::uint8_t replica, std::int8_t delta) const {
  State next = state;
  const StepResult result =
      step(replica_of(state, replica, config_.replicas), LocalAdd{delta}, merge_);
  assert(result.actions.count == 0 && "a local add sends nothing");
  next.replicas[replica] = result.next.counter;
  ++(delta > 0 ? next.truth.p[replica] : next.truth.n[replica]);
  --next.adds_left;
  return next;
}

State Model::after_gossip(const State& state, std::uint8_t replica) const {
  State next = state;
  const StepResult result =
      step(replica_of(state, replica, config_.replicas), GossipTimer{}, merge_);
  for (const Send& send : result.actions)
    insert(next, Message{replica, send.to, send.counter});
  return next;
}

State Model::after_deliver(const State& state, std::size_t slot) const {
  State next = state;
  const Message& message = state.in_flight[slot];
  const StepResult result = step(replica_of(state, message.to, config_.replicas),
                                 Receive{message.from, message.counter}, merge_);
  assert(result.actions.count == 0 && "a receive sends nothing");
  next.replicas[message.to] = result.next.counter;
  remove(next, slot);
  return next;
}

void Model::successors(const State& state, std::vector<std::pair<Event, State>>& out) const {
  const std::uint8_t replicas = config_.replicas;
  for (std::uint8_t r = 0; r < replicas && state.adds_left > 0; ++r) {
    for (const std::int8_t delta : {std::int8_t{1}, std::int8_t{-1}})
      out.emplace_back(Event{EventKind::add, r, delta, {}}, after_add(state, r, delta));
  }
  const bool room_for_gossip = state.in_flight_count + replicas - 1 <= config_.max_in_flight;
  for (std::uint8_t r = 0; r < replicas && room_for_gossip; ++r)
    out.emplace_back(Event{EventKind::gossip, r, 0, {}}, after_gossip(state, r));
  for (std::size_t slot = 0; slot < state.in_flight_count; ++slot) {
    const Message& message = state.in_flight[slot];
    // Equal messages sit side by side: the same event, the same successor.
    if (slot > 0 && message == state.in_flight[slot - 1]) continue;
    out.emplace_back(Event{EventKind::deliver, 0, 0, message}, after_deliver(state, slot));
    if (state.drops_left > 0) {
      State next = state;
      remove(next, slot);
      --next.drops_left;
      out.emplace_back(Event{EventKind::drop, 0, 0, message}, next);
    }
    if (state.duplicates_left > 0 && state.in_flight_count < config_.max_in_flight) {
      State next = state;
      insert(next, message);
      --next.duplicates_left;
      out.emplace_back(Event{EventKind::duplicate, 0, 0, message}, next);
    }
  }
}

std::optional<std::string> Model::violation(const State& state) const {
  const std::size_t replicas = config_.replicas;
  for (std::size_t r = 0; r < replicas; ++r) {
    const Counter& counter = state.replicas[r];
    if (counter.p[r] != state.truth.p[r] || counter.n[r] != state.truth.n[r]) {
      return fmt::format(
          "replica {}'s own entries are p{} n{}, but it made {} increments and {} "
          "decrements: its own adds are not exact",
          r, counter.p[r], counter.n[r], state.truth.p[r], state.truth.n[r]);
    }
    for (std::size_t i = 0; i < replicas; ++i) {
      if (counter.p[i] > state.truth.p[i] || counter.n[i] > state.truth.n[i]) {
        return fmt::format(
            "replica {} counts p{} n{} of replica {}, which made only {} "
            "increments and {} decrements: an over-count",
            r, counter.p[i], counter.n[i], i, state.truth.p[i], state.truth.n[i]);
      }
    }
  }
  const std::int64_t truth = value_(state.truth);
  for (std::size_t r = 0; r < replicas; ++r) {
    Counter exchanged = state.replicas[r];
    for (std::size_t other = 0; other < replicas; ++other) {
      if (other != r) exchanged = merge_(exchanged, state.replicas[other]);
    }
    if (value_(exchanged) != truth) {
      return fmt::format(
          "replica {} would read {} after merging every other replica's counter, "
          "but the adds sum to {}: no convergence",
          r, value_(exchanged), truth);
    }
  }
  return std::nullopt;
}

void Model::encode(const State& state, std::string& bytes) const {
  const std::size_t replicas = config_.replicas;
  auto put = [&bytes](std::uint8_t byte) { bytes.push_back(static_cast<char>(byte)); };
  auto put_counter = [&](const Counter& counter) {
    for (std::size_t i = 0; i < replicas; ++i) {
      put(counter.p[i]);
      put(counter.n[i]);
    }
  };
  for (std::size_t r = 0; r < replicas; ++r)
    put_counter(state.replicas[r]);
  put_counter(state.truth);
  put(state.adds_left);
  put(state.drops_left);
  put(state.duplicates_left);
  put(state.in_flight_count);
  for (std::size_t slot = 0; slot < state.in_flight_count; ++slot) {
    const Message& message = state.in_flight[slot];
    put(static_cast<std::uint8_t>(message.from * kMaxReplicas + message.to));
    put_counter(message.counter);
  }
}

std::string Model::describe(const State& state) const {
  std::string text;
  for (std::uint8_t r = 0; r < config_.replicas; ++r)
    text += fmt::format("r{} {} | ", r, pn::describe(state.replicas[r], config_.replicas));
  text += "net {";
  for (std::size_t slot = 0; slot < state.in_flight_count; ++slot) {
    const Message& m = state.in_flight[slot];
    text += fmt::format("{}{}>{} {}", slot == 0 ? "" : ", ", m.from, m.to,
                        pn::describe(m.counter, config_.replicas));
  }
  text += fmt::format("}} | left a{} d{} u{}", state.adds_left, state.drops_left,
                      state.duplicates_left);
  return text;
}

std::string Model::describe(const Event& event) const {
  const auto message = [&] {
    return fmt::format("{}>{} {}", event.message.from, event.message.to,
                       pn::describe(event.message.counter, config_.replicas));
  };
  switch (event.kind) {
    case EventKind::add:
      return fmt::format("add r{} {:+}", event.replica, event.delta);
    case EventKind::gossip:
      return fmt::format("gossip r{}", event.replica);
    case EventKind::deliver:
      return "deliver " + message();
    case EventKind::drop:
      return "drop " + message();
    case EventKind::duplicate:
      return "duplicate " + message();
  }
  assert(false && "describe: an EventKind outside the enum");
  return "?";
}

bool Model::is_fault(const Event& event) const {
  return event.kind == EventKind::drop || event.kind == EventKind::duplicate;
}

bool Model::done(const State& state) const {
  if (state.in_flight_count != 0) return false;
  for (std::size_t r = 0; r < config_.replicas; ++r) {
    if (state.replicas[r] != state.truth) return false;
  }
  return true;
}

}  // namespace ladder::level4::pn
