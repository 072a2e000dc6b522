#pragma once
/// \file
/// cluster.json: where the replicas of a level 3 cluster of processes listen, and the protocol's
/// timeouts they share. `ladder cluster up` writes it; `ladder node` and `ladder client` read it.
///
///     {"format": "ladder-cluster", "version": 1, "host": "127.0.0.1",
///      "replicas": [{"id": 0, "udp": 7300, "resp": 6380},
///                   {"id": 1, "udp": 7301, "resp": 6381},
///                   {"id": 2, "udp": 7302, "resp": 6382}],
///      "timeouts": {"heartbeat_ms": 50, "view_change_ms": 200, "client_retry_ms": 300}}
///
/// `replicas` lists every replica once, in id order (ids 0 .. n-1, n odd): its UDP port (the
/// protocol's datagrams, replica to replica and client to replica) and its RESP port (the Redis
/// front door). `timeouts` is optional, and so is each of its fields (protocol::Config's defaults).
/// The reader is strict, like the scenario reader: an unknown field, a missing one, a port out
/// of range or used twice is an error naming the file and the JSON pointer of the value.

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocol/config.hpp"

namespace ladder::level3 {

/// One replica's two ports.
struct ClusterMember {
  int id = 0;              ///< the replica's id, its index in ClusterFile::replicas
  std::uint16_t udp = 0;   ///< the protocol's datagrams
  std::uint16_t resp = 0;  ///< the RESP2 front door
  /// Members compare field by field.
  friend bool operator==(const ClusterMember&, const ClusterMember&) = default;
};

/// The whole file: the host every replica listens on, the replicas, and the protocol's timeouts.
struct ClusterFile {
  std::string host = "127.0.0.1";       ///< an IPv4 address (loopback by default)
  std::vector<ClusterMember> replicas;  ///< ids 0 .. n-1, in order
  protocol::Config config;              ///< n (== replicas.size()) and the timeouts

  /// A cluster of `n` replicas on loopback: replica i has UDP port `udp_base` + i and RESP port
  /// `resp_base` + i, with the default timeouts. Precondition (asserted): n odd, 1 .. 15, and
  /// every port fits 1 .. 65535.
  static ClusterFile local(int n, std::uint16_t udp_base, std::uint16_t resp_base);
};

/// A cluster file that cannot be used: what() names the file, the JSON pointer and the problem.
class ClusterFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reads and validates `file`. Throws ClusterFileError (also for an unreadable or non-JSON file).
ClusterFile load_cluster_file(const std::filesystem::path& file);
/// Validates the JSON text `text`; `source` names it in errors.
ClusterFile parse_cluster_file(const std::string& text, const std::string& source);
/// The file's JSON text (what parse_cluster_file accepts again), with every timeout written.
std::string to_json_text(const ClusterFile& cluster);
/// Writes to_json_text(cluster) to `file`. Throws std::runtime_error naming the file on failure.
void write_cluster_file(const std::filesystem::path& file, const ClusterFile& cluster);

}  // namespace ladder::level3
