#include "level3_pure/sim/sim_apply_log.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>

#include <fmt/format.h>

namespace ladder::level3::detail {
namespace {

// A replica keeps the last few logs that reached it: a view change gathers f + 1 of them.
constexpr std::size_t kRemembered = 8;

// A snapshot as a map key: every field, so that different snapshots never share a key.
std::string key_of(const protocol::Snapshot& snapshot) {
  std::string key = fmt::format("{}:{}", snapshot.commit_number, snapshot.value);
  for (const protocol::ClientRecord& record : snapshot.clients) {
    key += fmt::format(";{}#{}={}", record.request.client, record.request.seq, record.value);
  }
  return key;
}

}  // namespace

protocol::Snapshot apply(protocol::Snapshot snapshot, const protocol::Request& request) {
  if (request.op.kind == spec::OpKind::add) {
    // Two's complement addition without undefined behaviour, as rule A1 says.
    snapshot.value = static_cast<std::int64_t>(static_cast<std::uint64_t>(snapshot.value) +
                                               static_cast<std::uint64_t>(request.op.delta));
  }
  auto& clients = snapshot.clients;
  const auto at = std::lower_bound(clients.begin(), clients.end(), request.id.client,
                                   [](const protocol::ClientRecord& record, spec::ClientId id) {
                                     return record.request.client < id;
                                   });
  if (at != clients.end() && at->request.client == request.id.client) {
    *at = protocol::ClientRecord{request.id, snapshot.value};
  } else {
    clients.insert(at, protocol::ClientRecord{request.id, snapshot.value});
  }
  ++snapshot.commit_number;
  return snapshot;
}

ApplyLedger::ApplyLedger(int replicas) : tracks_(static_cast<std::size_t>(replicas)) {
  assert(replicas >= 1 && "a ledger needs a replica");
  by_snapshot_.emplace(key_of(protocol::Snapshot{}), std::vector<protocol::Request>{});
}

void ApplyLedger::received_log(int replica, const protocol::Log& log) {
  assert(replica >= 0 && static_cast<std::size_t>(replica) < tracks_.size());
  auto& received = tracks_[static_cast<std::size_t>(replica)].received;
  if (received.size() == kRemembered) received.erase(received.begin());
  received.push_back(log);
}

void ApplyLedger::stepped(int replica, const protocol::Log& log) {
  assert(replica >= 0 && static_cast<std::size_t>(replica) < tracks_.size());
  Track& track = tracks_[static_cast<std::size_t>(replica)];
  if (log.snapshot != track.snapshot) {
    track.applied = explain(track, log.snapshot);
    track.snapshot = log.snapshot;
    if (track.applied) by_snapshot_.emplace(key_of(track.snapshot), *track.applied);
  }
  track.suffix = log.suffix;
}

const std::optional<std::vector<protocol::Request>>& ApplyLedger::applied(int replica) const {
  assert(replica >= 0 && static_cast<std::size_t>(replica) < tracks_.size());
  return tracks_[static_cast<std::size_t>(replica)].applied;
}

std::optional<std::vector<protocol::Request>> ApplyLedger::prefix_of(
    const protocol::Snapshot& snapshot) const {
  const auto found = by_snapshot_.find(key_of(snapshot));
  if (found == by_snapshot_.end()) return std::nullopt;
  return found->second;
}

std::optional<std::vector<protocol::Request>> ApplyLedger::explain(
    const Track& track, const protocol::Snapshot& next) const {
  // Folds ops of `suffix` onto `base` until it reaches next's commit number: the requests applied,
  // if that gives exactly `next`.
  const auto fold = [&next](const protocol::Snapshot& base,
                            const std::optional<std::vector<protocol::Request>>& base_applied,
                            const std::vector<protocol::Request>& suffix)
      -> std::optional<std::vector<protocol::Request>> {
    if (!base_applied || next.commit_number < base.commit_number) return std::nullopt;
    if (next.commit_number - base.commit_number > suffix.size()) return std::nullopt;
    protocol::Snapshot snapshot = base;
    std::vector<protocol::Request> applied = *base_applied;
    for (std::size_t i = 0; snapshot.commit_number < next.commit_number; ++i) {
      snapshot = apply(std::move(snapshot), suffix[i]);
      applied.push_back(suffix[i]);
    }
    if (snapshot != next) return std::nullopt;
    return applied;
  };
  // The common case first: the replica committed ops of its own suffix.
  if (auto own = fold(track.snapshot, track.applied, track.suffix)) return own;
  // It took a snapshot someone had (a StartView's, a NewState's, its own disk's) ...
  if (auto known = prefix_of(next)) return known;
  // ... or took a log that arrived and applied ops of its suffix (V4, L1).
  for (auto log = track.received.rbegin(); log != track.received.rend(); ++log) {
    if (auto grown = fold(log->snapshot, prefix_of(log->snapshot), log->suffix)) return grown;
    // L1's other branch: the replica kept its own snapshot and appended the log's later ops.
    std::vector<protocol::Request> later;
    for (std::size_t i = 0; i < log->suffix.size(); ++i) {
      if (log->commit_number() + 1 + i > track.snapshot.commit_number)
        later.push_back(log->suffix[i]);
    }
    if (auto kept = fold(track.snapshot, track.applied, later)) return kept;
  }
  return std::nullopt;
}

}  // namespace ladder::level3::detail
