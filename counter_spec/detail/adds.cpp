#include "counter_spec/detail/adds.hpp"

#include <algorithm>
#include <cassert>
#include <map>

namespace ladder::spec::detail {
namespace {

// Which attempt decides what became of a request: an ok beats everything (the add happened), an
// unknown beats a fail (one attempt that might have run is enough), and among equals the later
// attempt is the fresher evidence.
int rank(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok:
      return 3;
    case Outcome::info:
    case Outcome::pending:
      return 2;
    case Outcome::fail:
      return 1;
  }
  assert(false && "unknown Outcome");
  return 0;
}

Add first_attempt(const Operation& op) {
  return Add{.delta = op.delta,
             .outcome = op.outcome,
             .invoked = op.invoked,
             .acknowledged = op.outcome == Outcome::ok ? op.completed : std::nullopt,
             .op = op};
}

void merge_attempt(Add& add, const Operation& op) {
  assert(op.delta == add.delta && "two attempts of one request carry different deltas");
  add.invoked = std::min(add.invoked, op.invoked);
  if (rank(op.outcome) < rank(add.outcome)) return;
  if (add.outcome == Outcome::ok && op.outcome == Outcome::ok) return;  // the first ok decided
  add.outcome = op.outcome;
  add.acknowledged = op.outcome == Outcome::ok ? op.completed : std::nullopt;
  add.op = op;
}

}  // namespace

std::vector<Add> adds_of(const std::vector<Operation>& operations) {
  std::vector<Add> adds;
  std::map<RequestId, std::size_t> by_request;  // request -> index in adds
  for (const Operation& op : operations) {
    if (op.kind != OpKind::add) continue;
    if (!op.request) {
      adds.push_back(first_attempt(op));  // without ids, every operation is its own add
      continue;
    }
    const auto [it, inserted] = by_request.try_emplace(*op.request, adds.size());
    if (inserted) {
      adds.push_back(first_attempt(op));
    } else {
      merge_attempt(adds[it->second], op);
    }
  }
  return adds;
}

Bounds final_bounds(const std::vector<Add>& adds) {
  Bounds bounds;
  for (const Add& add : adds) {
    if (add.outcome == Outcome::ok) {
      bounds.acknowledged += add.delta;
    } else if (add.unknown()) {
      bounds.lower += std::min<std::int64_t>(0, add.delta);
      bounds.upper += std::max<std::int64_t>(0, add.delta);
    }
  }
  bounds.lower += bounds.acknowledged;
  bounds.upper += bounds.acknowledged;
  assert(bounds.lower <= bounds.acknowledged && bounds.acknowledged <= bounds.upper);
  return bounds;
}

}  // namespace ladder::spec::detail
