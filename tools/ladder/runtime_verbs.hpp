#pragma once
/// \file
/// Level 3 in production from the command line: `ladder node` and `ladder client` with a cluster
/// file (level3_pure/runtime/cluster_file.hpp), and `ladder cluster up`, which writes one and
/// starts a node process per replica.
///
///     ladder cluster up --nodes 3 --dir /tmp/lc         # cluster.json, three nodes, Ctrl-C stops
///     redis-cli -p 6380 INCR c                          # the primary's RESP door
///     ladder client --cluster /tmp/lc/cluster.json add 5
///     ladder node --id 1 --cluster /tmp/lc/cluster.json --data-dir /tmp/lc/data-r1   # one by hand
///
/// `ladder node --cluster 7000,7001,7002` (a port list, not a file) is still level 1's node
/// (node.hpp): the verbs dispatch on the --cluster value (is_cluster_file()).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace ladder::tools {

/// True when a --cluster value names a cluster file (it ends in ".json" or is an existing file)
/// rather than level 1's list of ports.
[[nodiscard]] bool is_cluster_file(const std::string& cluster);

/// The level 3 front door's defaults (level3::DoorOptions), for the flags that set them: requests
/// in flight, the linger and its gap, in microseconds.
struct DoorDefaults {
  std::size_t in_flight;        ///< DoorOptions::max_in_flight
  std::uint64_t linger_us;      ///< DoorOptions::linger
  std::uint64_t linger_gap_us;  ///< DoorOptions::linger_gap
};
/// The one place they come from: level3::DoorOptions{}.
DoorDefaults door_defaults();

/// `ladder node --id N --cluster FILE --data-dir DIR [--variant V] [--faults F --seed S]`.
struct RuntimeNodeOptions {
  int id = 0;                                   ///< which replica
  std::filesystem::path cluster;                ///< the cluster file
  std::filesystem::path data_dir;               ///< holds rN.log and rN.marker; created if missing
  std::string variant = "fixed";                ///< "fixed" or "first-release"
  std::optional<std::filesystem::path> faults;  ///< a scenario file whose message faults apply
  std::uint64_t seed = 1;                       ///< the fault plan's seed
  bool repair_disk = false;                  ///< move a corrupt log aside; recover as a lost disk
  bool preallocate_disk = true;              ///< write records in place into zeros written ahead
  std::chrono::milliseconds deadline{2000};  ///< a RESP command's deadline
  /// Requests the RESP door keeps outstanding.
  std::size_t door_in_flight = door_defaults().in_flight;
  /// How long its next group may wait for more.
  std::uint64_t door_linger_us = door_defaults().linger_us;
  /// And without a command arriving, at most.
  std::uint64_t door_linger_gap_us = door_defaults().linger_gap_us;
  /// Serve under SCHED_BATCH (network/scheduling.hpp): a client woken by its answer does not
  /// preempt the node in the middle of answering the others. False: the default policy.
  bool batch_scheduling = true;
};

/// Runs replica `id` in the foreground until SIGINT or SIGTERM: prints its "ready" line, and at
/// the end a line with its state. 0 after a clean stop; 1 when it cannot start (a corrupt disk,
/// a taken port); throws UsageError for bad arguments.
int run_runtime_node(const RuntimeNodeOptions& options);

/// `ladder client --cluster FILE add DELTA | read [--client ID] [--deadline-ms MS]`.
struct RuntimeClientOptions {
  std::filesystem::path cluster;             ///< the cluster file
  std::string operation;                     ///< "add" or "read"
  std::int64_t delta = 0;                    ///< add: how much
  std::optional<std::uint32_t> client;       ///< the client id; the last one by default
  std::chrono::milliseconds deadline{2000};  ///< when to give up (the outcome is then unknown)
};

/// Makes one operation through the protocol's client core over UDP and prints "ok =VALUE"
/// (exit 0) or "unknown: ..." (exit 1).
int run_runtime_client(const RuntimeClientOptions& options);

/// `ladder cluster up --nodes N [--dir DIR] [--base-port P] [--resp-base-port R]`.
struct ClusterUpOptions {
  int nodes = 3;                                 ///< replicas, odd
  std::filesystem::path dir = "ladder-cluster";  ///< cluster.json, data-rN/ and rN.out go here
  std::uint16_t base_port = 7300;                ///< replica i's UDP port is base_port + i
  std::uint16_t resp_base_port = 6380;           ///< replica i's RESP port is resp_base_port + i
  std::string variant = "fixed";                 ///< the nodes' --variant
};

/// Writes DIR/cluster.json, starts one `ladder node` child per replica, prints how to talk to
/// them, reports a child that dies, and stops them all on Ctrl-C (SIGINT) or SIGTERM. 0 after a
/// clean stop, 1 when a node could not start.
int run_cluster_up(const ClusterUpOptions& options);

}  // namespace ladder::tools
