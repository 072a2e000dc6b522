/// \file
/// Level 3's cluster as a Model: the invariants checked in every reachable state. Each is one
/// small function; violation() asks them in order and returns the first finding.

#include <optional>
#include <string>

#include <fmt/format.h>

#include "level4_explore/level3_model.hpp"

namespace ladder::level4 {

namespace {

using Finding = std::optional<std::string>;

// True when `log` holds request `id`: in its suffix, or folded into its snapshot. A client sends
// request seq k + 1 only after k completed, so a client table record of seq >= k means k is in.
bool holds(const protocol::Log& log, const spec::RequestId& id) {
  for (const protocol::Request& request : log.suffix) {
    if (request.id == id) return true;
  }
  for (const protocol::ClientRecord& record : log.snapshot.clients) {
    if (record.request.client == id.client) return record.request.seq >= id.seq;
  }
  return false;
}

// LOST (I1): an add acknowledged in view v is in the log of every primary of a view >= v.
Finding lost(const Level3State& state) {
  for (const Acknowledged& ack : state.acknowledged) {
    for (std::size_t r = 0; r < state.replicas.size(); ++r) {
      const level3::Replica& replica = state.replicas[r];
      const bool up = (state.down & (1U << r)) == 0;
      if (!up || replica.role() != level3::Role::primary || replica.view < ack.view) continue;
      if (holds(replica.log, ack.request)) continue;
      return fmt::format(
          "LOST: {} was acknowledged to its client in view {}, but r{}, primary of view {}, does "
          "not hold it ({})",
          spec::to_string(ack.request), ack.view, r, replica.view, replica.describe());
    }
  }
  return std::nullopt;
}

// DUPLICATED (I5): the committed value is the sum of exactly the adds the client table says were
// applied (client c's requests 1 .. seq, each add(+(c + 1))), and no log holds a request twice.
Finding duplicated(const Level3State& state) {
  for (const level3::Replica& replica : state.replicas) {
    const protocol::Log& log = replica.log;
    std::int64_t expected = 0;
    for (const protocol::ClientRecord& record : log.snapshot.clients) {
      for (std::uint64_t seq = 1; seq <= record.request.seq; ++seq) {
        expected += Level3Model::operation(static_cast<int>(record.request.client),
                                           static_cast<int>(seq - 1))
                        .delta;
      }
    }
    if (log.snapshot.value != expected) {
      return fmt::format(
          "DUPLICATED: r{} holds {} after op {}, but the requests its client table says it "
          "applied sum to {}",
          replica.config.self, log.snapshot.value, log.commit_number(), expected);
    }
    for (std::size_t i = 0; i < log.suffix.size(); ++i) {
      const spec::RequestId& id = log.suffix[i].id;
      bool twice = false;
      for (std::size_t j = 0; j < i; ++j)
        twice = twice || log.suffix[j].id == id;
      if (twice) {
        return fmt::format("DUPLICATED: r{}'s log holds {} twice ({})", replica.config.self,
                           spec::to_string(id), replica.describe());
      }
    }
  }
  return std::nullopt;
}

// DIVERGED (I3): replicas that committed up to the same op hold the same snapshot.
Finding diverged(const Level3State& state) {
  for (std::size_t a = 0; a < state.replicas.size(); ++a) {
    for (std::size_t b = a + 1; b < state.replicas.size(); ++b) {
      const protocol::Snapshot& first = state.replicas[a].log.snapshot;
      const protocol::Snapshot& second = state.replicas[b].log.snapshot;
      if (first.commit_number != second.commit_number || first == second) continue;
      return fmt::format(
          "DIVERGED: r{} and r{} both committed ops 1 .. {} but hold different snapshots "
          "(value {} and {})",
          a, b, first.commit_number, first.value, second.value);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> Level3Model::violation(const State& state) const {
  if (Finding finding = lost(state)) return finding;
  if (Finding finding = duplicated(state)) return finding;
  return diverged(state);
}

}  // namespace ladder::level4
