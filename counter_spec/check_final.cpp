// The checkers that judge where the replicas ended: LOST, DUPLICATED and DIVERGED.

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "counter_spec/checkers.hpp"
#include "counter_spec/detail/adds.hpp"

namespace ladder::spec {
namespace {

using detail::Add;
using detail::Bounds;

// Evidence lists at most this many requests, then says how many more there were.
constexpr std::size_t kListed = 3;

// "a, b, c and 2 more": a list that stays one sentence however long the run was.
std::string listing(const std::vector<std::string>& items) {
  std::string text;
  const std::size_t shown = std::min(items.size(), kListed);
  for (std::size_t i = 0; i < shown; ++i) {
    text += i == 0 ? "" : (i + 1 == shown && shown == items.size() ? " and " : ", ");
    text += items[i];
  }
  if (items.size() > shown) text += fmt::format(" and {} more", items.size() - shown);
  return text;
}

// The acknowledged add that completed last: the freshest one a replica can have missed.
const Add* last_acknowledged(const std::vector<Add>& adds) {
  const Add* last = nullptr;
  for (const Add& add : adds) {
    if (add.outcome == Outcome::ok && (!last || *add.acknowledged >= *last->acknowledged)) {
      last = &add;
    }
  }
  return last;
}

// Acknowledged requests that are absent from the replica's apply log, in invoke order.
std::vector<std::string> missing_from_log(const ReplicaState& replica,
                                          const std::vector<Add>& adds) {
  std::vector<RequestId> applied = replica.applied;
  std::sort(applied.begin(), applied.end());
  std::vector<std::string> missing;
  for (const Add& add : adds) {
    if (add.outcome != Outcome::ok || !add.op.request) continue;
    if (!std::binary_search(applied.begin(), applied.end(), *add.op.request)) {
      missing.push_back(add.op.describe());
    }
  }
  return missing;
}

std::string lost_evidence(const ReplicaState& replica, const std::vector<Add>& adds,
                          const Bounds& bounds) {
  std::string text = fmt::format("replica {} holds {} but the acknowledged adds sum to {}",
                                 replica.name, replica.value, bounds.acknowledged);
  if (bounds.lower != bounds.acknowledged) {
    text += fmt::format(" and adds of unknown outcome can lower that only to {}", bounds.lower);
  }
  if (replica.has_apply_log) {
    const std::vector<std::string> missing = missing_from_log(replica, adds);
    if (!missing.empty()) return text + "; its apply log misses " + listing(missing);
  }
  const Add* last = last_acknowledged(adds);
  return text + (last ? fmt::format(" (last acknowledged: {})", last->op.describe())
                      : std::string(" (no add was acknowledged)"));
}

// How often each request occurs in the log, for those that occur more than once.
std::map<RequestId, int> applied_twice(const ReplicaState& replica) {
  std::map<RequestId, int> counts;
  for (const RequestId& id : replica.applied)
    ++counts[id];
  std::erase_if(counts, [](const auto& entry) { return entry.second < 2; });
  return counts;
}

std::string times(int count) {
  return count == 2 ? "twice" : fmt::format("{} times", count);
}

const Add* find_add(const std::vector<Add>& adds, const RequestId& id) {
  const auto it =
      std::find_if(adds.begin(), adds.end(), [&](const Add& add) { return add.op.request == id; });
  return it == adds.end() ? nullptr : &*it;
}

std::string over_bound_evidence(const ReplicaState& replica, const std::vector<Add>& adds,
                                const Bounds& bounds) {
  std::string text =
      fmt::format("replica {} holds {} but the adds that might have happened sum to at most {}",
                  replica.name, replica.value, bounds.upper);
  // A duplicate usually comes from a retry of an add whose reply was lost: name those.
  std::vector<std::string> unknown;
  for (const Add& add : adds) {
    if (add.unknown()) unknown.push_back(add.op.describe());
  }
  return text + (unknown.empty() ? std::string(" (every add was acknowledged or failed)")
                                 : " (unknown outcome: " + listing(unknown) + ")");
}

}  // namespace

std::vector<Finding> check_lost(const History& history, std::span<const ReplicaState> replicas) {
  const std::vector<Add> adds = detail::adds_of(history.operations());
  const Bounds bounds = detail::final_bounds(adds);
  std::vector<Finding> findings;
  for (const ReplicaState& replica : replicas) {
    if (!replica.up || replica.value >= bounds.lower) continue;
    findings.push_back(Finding{.kind = FindingKind::lost,
                               .amount = bounds.lower - replica.value,
                               .evidence = lost_evidence(replica, adds, bounds)});
  }
  return findings;
}

std::vector<Finding> check_duplicated(const History& history,
                                      std::span<const ReplicaState> replicas) {
  const std::vector<Add> adds = detail::adds_of(history.operations());
  const Bounds bounds = detail::final_bounds(adds);
  std::vector<Finding> findings;
  for (const ReplicaState& replica : replicas) {
    if (!replica.up) continue;
    const std::int64_t over = std::max<std::int64_t>(0, replica.value - bounds.upper);
    const std::map<RequestId, int> twice =
        replica.has_apply_log ? applied_twice(replica) : std::map<RequestId, int>{};
    if (over == 0 && twice.empty()) continue;

    // The apply log is the sharper evidence: it names the request even when the value, by luck
    // or by another loss, stays within the bounds.
    std::int64_t extra = 0;
    std::vector<std::string> named;
    for (const auto& [id, count] : twice) {
      const Add* add = find_add(adds, id);
      extra += (count - 1) * (add ? std::abs(add->delta) : 0);
      named.push_back(fmt::format("{} {} ({})", to_string(id), times(count),
                                  add ? add->op.describe() : std::string("not in the history")));
    }
    std::string evidence;
    if (!named.empty()) {
      evidence = fmt::format("replica {} applied {}", replica.name, listing(named));
      if (over > 0) {
        evidence +=
            fmt::format("; it holds {} but the adds that might have happened sum to at most {}",
                        replica.value, bounds.upper);
      }
    } else {
      evidence = over_bound_evidence(replica, adds, bounds);
    }
    findings.push_back(Finding{.kind = FindingKind::duplicated,
                               .amount = std::max(over, extra),
                               .evidence = std::move(evidence)});
  }
  return findings;
}

std::vector<Finding> check_diverged(std::span<const ReplicaState> replicas) {
  std::vector<std::string> live;
  std::vector<std::string> down;
  std::int64_t lowest = 0;
  std::int64_t highest = 0;
  for (const ReplicaState& replica : replicas) {
    if (!replica.up) {
      down.push_back(replica.name);
      continue;
    }
    lowest = live.empty() ? replica.value : std::min(lowest, replica.value);
    highest = live.empty() ? replica.value : std::max(highest, replica.value);
    live.push_back(fmt::format("{} holds {}", replica.name, replica.value));
  }
  if (lowest == highest) return {};
  assert(live.size() >= 2);
  std::string evidence = fmt::format("live replicas disagree: {}", fmt::join(live, ", "));
  if (!down.empty()) evidence += fmt::format(" ({} down, not counted)", fmt::join(down, ", "));
  return {Finding{
      .kind = FindingKind::diverged, .amount = highest - lowest, .evidence = std::move(evidence)}};
}

}  // namespace ladder::spec
