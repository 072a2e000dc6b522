// BAD-READ: a read that no order of the adds explains.

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "counter_spec/checkers.hpp"
#include "counter_spec/detail/adds.hpp"

namespace ladder::spec {
namespace {

using detail::Add;

// What a read invoked at `read.invoked` and answered at `*read.completed` may return. It must
// include every add acknowledged before the read began, it may include any other add that might
// have happened and began before the read ended, and nothing else: an add invoked after the read
// was answered cannot be in it, and a failed add is in no read. Times are milliseconds, so an
// add acknowledged in the very millisecond the read began counts as concurrent, not as before:
// the checker gives the benefit of the doubt rather than invent a violation.
detail::Bounds read_bounds(const Operation& read, const std::vector<Add>& adds) {
  detail::Bounds bounds;
  std::int64_t concurrent_down = 0;
  std::int64_t concurrent_up = 0;
  for (const Add& add : adds) {
    if (add.outcome == Outcome::ok && *add.acknowledged < read.invoked) {
      bounds.acknowledged += add.delta;
    } else if (add.maybe_happened() && add.invoked <= *read.completed) {
      concurrent_down += std::min<std::int64_t>(0, add.delta);
      concurrent_up += std::max<std::int64_t>(0, add.delta);
    }
  }
  bounds.lower = bounds.acknowledged + concurrent_down;
  bounds.upper = bounds.acknowledged + concurrent_up;
  return bounds;
}

std::string bad_read_evidence(const Operation& read, const detail::Bounds& bounds) {
  const std::int64_t value = *read.read_value;
  const std::string what =
      value < bounds.lower
          ? fmt::format("is stale: the adds acknowledged before it began guarantee at least {}",
                        bounds.lower)
          : fmt::format("is impossible: the adds that might have happened by then make at most {}",
                        bounds.upper);
  return fmt::format("{} (invoked at {} ms) {} (possible: {} to {})", read.describe(), read.invoked,
                     what, bounds.lower, bounds.upper);
}

}  // namespace

std::vector<Finding> check_reads(const History& history) {
  const std::vector<Operation> ops = history.operations();
  const std::vector<Add> adds = detail::adds_of(ops);
  std::vector<Finding> findings;
  // Each read is weighed against every add: quadratic, and plenty for histories of thousands.
  for (const Operation& op : ops) {
    if (op.kind != OpKind::read || op.outcome != Outcome::ok) continue;
    const detail::Bounds bounds = read_bounds(op, adds);
    if (bounds.lower <= *op.read_value && *op.read_value <= bounds.upper) continue;
    findings.push_back(Finding{
        .kind = FindingKind::bad_read, .amount = 1, .evidence = bad_read_evidence(op, bounds)});
  }
  return findings;
}

}  // namespace ladder::spec
