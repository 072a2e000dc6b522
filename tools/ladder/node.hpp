#pragma once
/// \file
/// Level 1 across processes: `ladder node` runs one level 1 replica as a process of its own, and
/// `ladder client` makes one call on such a cluster, so that a reader can start three terminals,
/// kill a node with `kill -9`, and watch what the others and the client make of it.
///
///     ladder node --id 0 --cluster 7000,7001,7002     # r0 listens on 127.0.0.1:7000
///     ladder node --id 1 --cluster 7000,7001,7002     # r1 on 7001, r2 likewise
///     ladder client --cluster 7000,7001,7002 add 5 --seq 1
///     ladder client --cluster 7000,7001,7002 state
///
/// A cluster is the list of its replicas' ports, in replica order, the same on every command line:
/// node N listens on the N-th port, and calls `apply` on the others. Nodes bind 127.0.0.1 only.
/// There is no fault proxy between processes: the faults are the reader's own (kill -9, kill
/// -STOP). Within one process, `ladder demo 1` puts a proxy on every route instead.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ladder::tools {

/// `ladder node --id N --cluster PORT,PORT,...`.
struct NodeOptions {
  int id = 0;                          ///< which replica this process is: r0, r1, ...
  std::vector<std::uint16_t> cluster;  ///< every replica's port, in replica order
  /// How long this node, as a primary, waits for each backup's `apply`.
  std::chrono::milliseconds backup_deadline{150};
};

/// Serves as replica `id` until SIGINT or SIGTERM, printing a line when it listens, for each
/// backup it skips, and its final counter and apply log when it stops. 0 after a clean stop;
/// throws UsageError for an id outside the cluster or a port 0, and boost::system::system_error
/// when its port cannot be bound.
int run_node(const NodeOptions& options);

/// `ladder client --cluster PORT,PORT,... add DELTA | read | state`.
struct ClientVerbOptions {
  std::vector<std::uint16_t> cluster;  ///< every replica's port, in replica order
  std::string operation;               ///< "add", "read" or "state"
  std::int64_t delta = 0;              ///< add: how much
  std::uint32_t client = 0;            ///< add: the request id's client
  std::uint64_t seq = 1;               ///< add: the request id's sequence number, >= 1
  int replica = 0;                     ///< add, read: the replica called (the one taken as primary)
  std::chrono::milliseconds deadline{1000};  ///< each call's deadline
};

/// Makes one call and prints its outcome: the result, or the error with whether the call may
/// have run. `state` asks every replica for its counter and apply log and says whether they agree.
/// 0 when every call was answered, 1 when one failed; throws UsageError for a bad argument.
int run_client(const ClientVerbOptions& options);

/// Parses "7000,7001,7002" into ports; throws UsageError naming the bad entry.
[[nodiscard]] std::vector<std::uint16_t> parse_cluster(const std::string& text);

}  // namespace ladder::tools
