#pragma once
/// \file
/// The simulator's apply logs: which requests each replica's counter holds, in order, so that
/// DUPLICATED can name the request applied twice and LOST the acknowledged one that is missing.
///
/// A replica's state holds only a snapshot (the folded counter), not the ops that made it. The
/// ledger watches every step from outside: when a replica's snapshot changes, it finds the known
/// snapshot the new one grew from (the replica's own, or one that arrived in a message's log) and
/// the ops of that log's suffix that were folded onto it. The core is not involved and cannot
/// tell. When no known snapshot explains the new one, the replica's apply log becomes unknown and
/// the checkers fall back on values alone: the ledger never guesses.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "counter_spec/history.hpp"
#include "protocol/messages.hpp"

namespace ladder::level3::detail {

/// The apply logs of every replica of one run.
class ApplyLedger {
 public:
  /// A ledger for `replicas` replicas, each starting with the empty snapshot and nothing applied.
  explicit ApplyLedger(int replicas);

  /// Replica `replica` is about to step on a message carrying `log` (StartView, NewState,
  /// DoViewChange, RecoveryResponse): remember it as a possible source of its next snapshot.
  void received_log(int replica, const protocol::Log& log);
  /// Replica `replica` stepped (or restarted) and now holds `log`.
  void stepped(int replica, const protocol::Log& log);

  /// The requests folded into the replica's counter, ops 1 .. commit_number in order; nullopt
  /// when the ledger could not follow how the replica got its snapshot.
  [[nodiscard]] const std::optional<std::vector<protocol::Request>>& applied(int replica) const;

 private:
  struct Track {
    protocol::Snapshot snapshot;
    std::vector<protocol::Request> suffix;
    std::optional<std::vector<protocol::Request>> applied = std::vector<protocol::Request>{};
    std::vector<protocol::Log> received;  // the latest logs that arrived, at most kRemembered
  };

  std::optional<std::vector<protocol::Request>> explain(const Track& track,
                                                        const protocol::Snapshot& next) const;
  std::optional<std::vector<protocol::Request>> prefix_of(const protocol::Snapshot& snapshot) const;

  std::vector<Track> tracks_;
  std::map<std::string, std::vector<protocol::Request>> by_snapshot_;  // snapshot key -> its ops
};

/// The snapshot after applying `request` to `snapshot` (rule A1), computed independently of the
/// core so that the ledger can check what the core did.
protocol::Snapshot apply(protocol::Snapshot snapshot, const protocol::Request& request);

}  // namespace ladder::level3::detail
