/// \file
/// Planning a workload: every client's operations, drawn before the run starts.

#include <cassert>

#include "network/rng.hpp"
#include "network/scenario.hpp"

namespace ladder::net {
namespace {

// The workload draws from its own fork of the seed, so the operations stay the same whatever
// the network draws (more faults, another level's message pattern) for the same seed.
constexpr std::uint64_t kWorkloadStream = 0x776f726b6c6f6164U;  // "workload"

}  // namespace

std::vector<std::vector<PlannedOp>> plan_workload(const Workload& workload, std::uint64_t seed) {
  assert(workload.clients >= 0 && workload.operations >= 0);
  assert(workload.delta_min <= workload.delta_max &&
         workload.think_min_ms <= workload.think_max_ms);
  const Rng root = Rng(seed).fork(kWorkloadStream);
  std::vector<std::vector<PlannedOp>> plan(static_cast<std::size_t>(workload.clients));
  for (std::size_t client = 0; client < plan.size(); ++client) {
    // One stream per client: adding a client does not change what the others do.
    Rng rng = root.fork(client);
    auto& ops = plan[client];
    ops.reserve(static_cast<std::size_t>(workload.operations));
    for (int i = 0; i < workload.operations; ++i) {
      PlannedOp op;
      // Every draw happens for every operation, so a different read probability changes which
      // operations are reads but not the deltas and pauses of the others.
      const double roll = rng.unit();
      op.read = roll < workload.read_probability;
      const std::int64_t delta = rng.between(workload.delta_min, workload.delta_max);
      op.delta = op.read ? 0 : delta;
      op.think_ms = rng.between(workload.think_min_ms, workload.think_max_ms);
      ops.push_back(op);
    }
    assert(ops.size() == static_cast<std::size_t>(workload.operations));
  }
  return plan;
}

}  // namespace ladder::net
