#pragma once
/// \file
/// The protocol's parameters: cluster size and the named timeouts of docs/protocol.md, with their
/// defaults, and the two pieces of arithmetic every rule uses (who is primary, how many make a
/// quorum).

#include <cassert>
#include <cstddef>

#include "network/types.hpp"
#include "protocol/messages.hpp"

namespace ladder::protocol {

/// The parameters both implementations read. All times are milliseconds (virtual at level 3,
/// real at level 2); the rules of docs/protocol.md name them.
struct Config {
  /// n, the number of replicas: odd, 1 .. kMaxReplicas. Tolerates f = (n - 1) / 2 failures.
  int replicas = 3;
  /// The primary's heartbeat period (rule N7): a Commit, or the latest uncommitted Prepare again.
  net::Time heartbeat_ms = 50;
  /// How long a backup waits without hearing from its primary before it starts a view change
  /// (rule V1), and how long a view change may take before the next one starts (rule V6).
  net::Time view_change_timeout_ms = 200;
  /// How long a client waits for a Reply before it sends the same request to the next replica
  /// (rule C2).
  net::Time client_retry_ms = 300;
  /// How long a recovering replica waits for enough RecoveryResponses before it asks again
  /// (rule R3).
  net::Time recovery_retry_ms = 200;

  /// f = (n - 1) / 2, the number of replicas that may fail.
  [[nodiscard]] int f() const { return (replicas - 1) / 2; }
  /// f + 1, the size of every quorum (a majority of n).
  [[nodiscard]] int quorum() const { return f() + 1; }
  /// The primary of view `view`: view mod n.
  [[nodiscard]] ReplicaId primary(ViewNumber view) const {
    assert(replicas >= 1 && "a cluster has at least one replica");
    return static_cast<ReplicaId>(view % static_cast<ViewNumber>(replicas));
  }
  /// True when n is odd and within 1 .. kMaxReplicas, and every timeout is positive.
  [[nodiscard]] bool valid() const {
    const bool size_ok =
        replicas >= 1 && replicas % 2 == 1 && static_cast<std::size_t>(replicas) <= kMaxReplicas;
    const bool times_ok = heartbeat_ms > 0 && view_change_timeout_ms > heartbeat_ms &&
                          client_retry_ms > 0 && recovery_retry_ms > 0;
    return size_ok && times_ok;
  }
};

}  // namespace ladder::protocol
