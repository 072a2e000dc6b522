/// \file
/// The core under random interleavings: the in-test driver delivers messages in a random order,
/// drops and duplicates some, fires armed timers, crashes and restarts replicas, all drawn from a
/// seeded net::Rng. No run may trip an assertion, every step must keep P2, and in the fixed
/// variant replicas must agree on every committed prefix (I3). The full simulator, with clients
/// and checkers, is sim*.hpp's; this is the core's own smoke test of its assertions.

#include <map>

#include <catch2/catch.hpp>

#include "level3_pure/core/tests/core_support.hpp"
#include "network/rng.hpp"

namespace ladder::level3::test {
namespace {

// I3 across the cluster and across time: every snapshot with commit_number c that any replica
// ever held is the same. `seen` remembers the first snapshot of each commit number; a replica
// that later holds another one (a lost or reordered committed op) breaks it.
bool commit_agreement(const Cluster& cluster,
                      std::map<protocol::OpNumber, protocol::Snapshot>& seen) {
  for (const auto& replica : cluster.replicas) {
    if (cluster.crashed[replica.config.self]) continue;
    if (replica.status == Status::recovering) continue;
    const auto [it, inserted] = seen.emplace(replica.commit_number(), replica.log.snapshot);
    if (!inserted && !(it->second == replica.log.snapshot)) return false;
  }
  return true;
}

// True when no replica is crashed or recovering: crashing one more keeps a quorum.
bool all_up_and_normal(const Cluster& cluster) {
  for (const auto& replica : cluster.replicas) {
    if (cluster.crashed[replica.config.self]) return false;
    if (replica.status == Status::recovering) return false;
  }
  return true;
}

// What a random run saw.
struct RunResult {
  bool agreement = true;              // I3 held after every step
  protocol::OpNumber max_commit = 0;  // the largest commit_number any replica reached
};

// One random run of `steps` events; stops at the first I3 violation.
RunResult random_run(std::uint64_t seed, Variant variant, bool with_disk, int steps) {
  net::Rng rng(seed);
  Cluster cluster(variant);
  std::uint64_t next_seq = 1;
  std::uint64_t nonce = 1;
  RunResult result;
  std::map<protocol::OpNumber, protocol::Snapshot> seen;
  for (int i = 0; i < steps; ++i) {
    const auto id = static_cast<protocol::ReplicaId>(rng.below(3));
    const auto roll = rng.below(100);
    if (roll < 70 && !cluster.queue.empty()) {
      // Deliver a random message: reordering. Sometimes drop it, sometimes deliver it twice.
      const auto at = static_cast<std::ptrdiff_t>(rng.below(cluster.queue.size()));
      auto [to, message] = cluster.queue[static_cast<std::size_t>(at)];
      cluster.queue.erase(cluster.queue.begin() + at);
      if (rng.chance(0.1)) continue;
      if (rng.chance(0.05)) cluster.input(static_cast<protocol::ReplicaId>(to), message);
      cluster.input(static_cast<protocol::ReplicaId>(to), message);
    } else if (roll < 90) {
      // A client's request at a random replica: new, or a retry of the previous one.
      const auto seq = rng.chance(0.3) && next_seq > 1 ? next_seq - 1 : next_seq++;
      cluster.request(id, add(static_cast<spec::ClientId>(seq % 2), seq, 1));
    } else if (roll < 98) {
      if (!cluster.armed[id].empty()) {
        cluster.fire(id, cluster.armed[id][rng.below(cluster.armed[id].size())]);
      }
    } else if (cluster.crashed[id]) {
      cluster.restart(id, with_disk, nonce++);
    } else if (all_up_and_normal(cluster)) {
      cluster.crash(id);  // at most f = 1 replica down or recovering at a time
    }
    for (const auto& replica : cluster.replicas) {
      result.max_commit = std::max(result.max_commit, replica.commit_number());
    }
    if (!commit_agreement(cluster, seen)) {
      result.agreement = false;
      return result;
    }
  }
  return result;
}

TEST_CASE("Random interleavings keep P2 and commit agreement (I3) in the fixed variant",
          "[level3][random]") {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    INFO("seed " << seed);
    const RunResult run = random_run(seed, Variant::fixed, /*with_disk=*/seed % 2 == 0, 1500);
    CHECK(run.agreement);
    CHECK(run.max_commit > 0);  // the faults did not stop every request
  }
}

TEST_CASE(
    "Random interleavings break commit agreement in the first-release variant, without "
    "tripping an assertion",
    "[level3][random][first-release]") {
  // The planted flaw breaks I3 under interleavings like these; the core must run on without
  // crashing (so the simulator's checkers get to report it) and still commit.
  int broken = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    INFO("seed " << seed);
    const RunResult run = random_run(seed, Variant::first_release, seed % 2 == 0, 1500);
    CHECK(run.max_commit > 0);
    if (!run.agreement) ++broken;
  }
  CHECK(broken > 0);
}

}  // namespace
}  // namespace ladder::level3::test
