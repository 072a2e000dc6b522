#include "level0/level0.hpp"

#include <memory>

#include "level0/naive_client.hpp"
#include "level0/naive_replica.hpp"

namespace ladder::level0 {

Cast naive_cast() {
  Cast cast;
  cast.make_replica = [](int index, const net::Topology& topology) {
    (void)index, (void)topology;  // every naive replica is the same
    return std::make_unique<NaiveReplica>();
  };
  cast.make_client = [](const ClientSetup& setup) { return std::make_unique<NaiveClient>(setup); };
  return cast;
}

RunResult run(const net::Scenario& scenario, std::uint64_t seed, const RunOptions& options) {
  return run_counter(scenario, seed, naive_cast(), options);
}

}  // namespace ladder::level0
