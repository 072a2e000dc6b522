// Node names: the same "r1" in a scenario file, a trace line and a diagram.

#include <catch2/catch.hpp>

#include "network/types.hpp"

using ladder::net::NodeId;
using ladder::net::Topology;

TEST_CASE("Topology numbers replicas first, then clients", "[topology]") {
  const Topology topology{3, 2};
  CHECK(topology.size() == 5);
  CHECK(topology.replica(2) == 2U);
  CHECK(topology.client(0) == 3U);
  CHECK(topology.client(1) == 4U);
  CHECK(topology.is_replica(2));
  CHECK_FALSE(topology.is_replica(3));
  CHECK(topology.client_index(4) == 1);
}

TEST_CASE("Topology names nodes r0.. and c0.., and ?N outside", "[topology]") {
  const Topology topology{3, 2};
  CHECK(topology.name(0) == "r0");
  CHECK(topology.name(2) == "r2");
  CHECK(topology.name(3) == "c0");
  CHECK(topology.name(4) == "c1");
  CHECK(topology.name(7) == "?7");
}

TEST_CASE("Topology::parse inverts name and rejects everything else", "[topology]") {
  const Topology topology{3, 2};
  for (NodeId id = 0; id < 5; ++id) {
    CHECK(topology.parse(topology.name(id)) == id);
  }
  for (const char* bad : {"", "r", "c", "r3", "c2", "x0", "r01", "r-1", "r+1", "r1 ", "R1", "?7"}) {
    INFO("name: '" << bad << "'");
    CHECK_FALSE(topology.parse(bad).has_value());
  }
}
