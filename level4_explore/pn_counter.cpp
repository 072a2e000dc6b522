#include "level4_explore/pn_counter.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ladder::level4::pn {

Counter merge(const Counter& mine, const Counter& theirs) {
  Counter merged;
  for (std::size_t i = 0; i < kMaxReplicas; ++i) {
    merged.p[i] = std::max(mine.p[i], theirs.p[i]);
    merged.n[i] = std::max(mine.n[i], theirs.n[i]);
  }
  return merged;
}

Counter merge_by_sum(const Counter& mine, const Counter& theirs) {
  Counter merged;
  for (std::size_t i = 0; i < kMaxReplicas; ++i) {
    merged.p[i] = static_cast<std::uint8_t>(mine.p[i] + theirs.p[i]);
    merged.n[i] = static_cast<std::uint8_t>(mine.n[i] + theirs.n[i]);
  }
  return merged;
}

std::int64_t value(const Counter& counter) {
  std::int64_t total = 0;
  for (std::size_t i = 0; i < kMaxReplicas; ++i) {
    total += counter.p[i];
    total -= counter.n[i];
  }
  return total;
}

std::string describe(const Counter& counter, std::size_t replicas) {
  assert(replicas <= kMaxReplicas && "describe: at most kMaxReplicas entries");
  const auto used = static_cast<std::ptrdiff_t>(replicas);
  return fmt::format("p[{}] n[{}]", fmt::join(counter.p.begin(), counter.p.begin() + used, ","),
                     fmt::join(counter.n.begin(), counter.n.begin() + used, ","));
}

namespace {

void add_local(Replica& replica, std::int8_t delta) {
  assert(delta != 0 && "a LocalAdd adds something");
  std::uint8_t& entry =
      delta > 0 ? replica.counter.p[replica.self] : replica.counter.n[replica.self];
  const int amount = delta > 0 ? delta : -delta;
  assert(entry + amount <= std::numeric_limits<std::uint8_t>::max() && "an entry fits a byte");
  entry = static_cast<std::uint8_t>(entry + amount);
}

Sends gossip(const Replica& replica) {
  Sends sends;
  for (std::uint8_t to = 0; to < replica.replicas; ++to) {
    if (to == replica.self) continue;
    sends.items[sends.count++] = Send{to, replica.counter};
  }
  return sends;
}

}  // namespace

StepResult step(const Replica& replica, const Input& input, MergeFn merge_fn) {
  assert(replica.replicas >= 2 && "a PN-counter has at least two replicas");
  assert(replica.replicas <= kMaxReplicas && "at most kMaxReplicas replicas");
  assert(replica.self < replica.replicas && "self is one of the replicas");
  StepResult result{replica, {}};
  if (const auto* add = std::get_if<LocalAdd>(&input)) {
    add_local(result.next, add->delta);
  } else if (const auto* receive = std::get_if<Receive>(&input)) {
    assert(receive->from < replica.replicas && "a Receive comes from a replica");
    assert(receive->from != replica.self && "a Receive comes from a peer");
    result.next.counter = merge_fn(replica.counter, receive->counter);
  } else {
    result.actions = gossip(replica);
  }
  assert(result.next.self == replica.self && "step never changes who a replica is");
  assert(result.actions.count <= replica.replicas - 1 && "at most one send per peer");
  return result;
}

}  // namespace ladder::level4::pn
