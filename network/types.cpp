/// \file
/// Node names: replicas r0, r1, ... then clients c0, c1, ...

#include "network/types.hpp"

#include <cassert>
#include <charconv>

#include <fmt/format.h>

namespace ladder::net {

NodeId Topology::replica(int i) const {
  assert(0 <= i && "replica index must not be negative");
  assert(i < replicas && "replica index beyond the topology");
  return static_cast<NodeId>(i);
}

NodeId Topology::client(int i) const {
  assert(0 <= i && "client index must not be negative");
  assert(i < clients && "client index beyond the topology");
  return static_cast<NodeId>(replicas + i);
}

int Topology::client_index(NodeId id) const {
  assert(!is_replica(id) && "client_index of a replica");
  assert(id < static_cast<NodeId>(size()) && "client_index of an id beyond the topology");
  return static_cast<int>(id) - replicas;
}

std::string Topology::name(NodeId id) const {
  if (is_replica(id)) return fmt::format("r{}", id);
  if (id < static_cast<NodeId>(size())) return fmt::format("c{}", client_index(id));
  return fmt::format("?{}", id);
}

std::optional<NodeId> Topology::parse(std::string_view name) const {
  if (name.size() < 2) return std::nullopt;
  const char role = name.front();
  const std::string_view digits = name.substr(1);
  // Only the canonical spelling is accepted ("r1", not "r01" or "r+1"), so that
  // name(parse(s)) == s for every accepted s.
  if (digits.front() < '0' || digits.front() > '9') return std::nullopt;
  if (digits.size() > 1 && digits.front() == '0') return std::nullopt;
  int index = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  if (role == 'r' && index < replicas) return replica(index);
  if (role == 'c' && index < clients) return client(index);
  return std::nullopt;
}

}  // namespace ladder::net
