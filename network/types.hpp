#pragma once
/// \file
/// The few names every part of the network shares: node ids, time, topology.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ladder::net {

/// A node's address on the network. Replicas are 0 .. replicas-1, clients follow them.
using NodeId = std::uint32_t;

/// Time in milliseconds: virtual on the simulated engine, since start on the real one.
using Time = std::int64_t;

/// Who is on the network: `replicas` replicas named r0, r1, ... and `clients` clients named c0, c1,
/// ...
///
/// Scenario files and traces name nodes this way, so that "r1" means the same node in a
/// file, a log line and a diagram.
struct Topology {
  int replicas = 3;  ///< number of replicas, ids 0 .. replicas-1
  int clients = 1;   ///< number of clients, ids replicas .. replicas+clients-1

  /// Total number of nodes.
  [[nodiscard]] int size() const { return replicas + clients; }
  /// The id of replica `i` (0-based).
  [[nodiscard]] NodeId replica(int i) const;
  /// The id of client `i` (0-based).
  [[nodiscard]] NodeId client(int i) const;
  /// True when `id` is a replica.
  [[nodiscard]] bool is_replica(NodeId id) const { return id < static_cast<NodeId>(replicas); }
  /// The index of a client id among the clients (0-based); precondition: not a replica.
  [[nodiscard]] int client_index(NodeId id) const;
  /// "r1", "c0", ... ; "?7" for an id outside the topology.
  [[nodiscard]] std::string name(NodeId id) const;
  /// The id named "r1", "c0", ...; nullopt for a name outside the topology.
  [[nodiscard]] std::optional<NodeId> parse(std::string_view name) const;
};

}  // namespace ladder::net
