#include "level3_pure/sim/shrink.hpp"

#include <algorithm>
#include <cassert>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace ladder::level3 {
namespace {

/// The candidate runs of one shrink, counted against the budget.
class Oracle {
 public:
  Oracle(spec::FindingKind kind, std::size_t budget) : kind_(kind), budget_(budget) {}

  /// True when `spec` still fails with the kind being kept (false once the budget is spent).
  bool fails(const SimSpec& spec) {
    if (runs_ >= budget_) return false;
    ++runs_;
    return run_sim(spec).verdict.has(kind_);
  }
  [[nodiscard]] std::size_t runs() const { return runs_; }
  [[nodiscard]] bool spent() const { return runs_ >= budget_; }

 private:
  spec::FindingKind kind_;
  std::size_t budget_;
  std::size_t runs_ = 0;
};

/// ddmin, complement-only: removes ever smaller chunks of `items` while `still_fails` holds for
/// what remains. Returns what remains.
template <typename T, typename Test>
std::vector<T> ddmin(std::vector<T> items, Test still_fails) {
  std::size_t chunks = 2;
  while (!items.empty()) {
    const std::size_t size = std::max<std::size_t>(1, (items.size() + chunks - 1) / chunks);
    bool reduced = false;
    for (std::size_t start = 0; start < items.size(); start += size) {
      std::vector<T> rest(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(start));
      rest.insert(rest.end(),
                  items.begin() + static_cast<std::ptrdiff_t>(std::min(items.size(), start + size)),
                  items.end());
      if (still_fails(rest)) {
        items = std::move(rest);
        chunks = std::max<std::size_t>(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (reduced) continue;
    if (size == 1) break;  // no single item can go: minimal
    chunks = std::min(items.size(), chunks * 2);
  }
  return items;
}

std::size_t count_ops(const SimSpec& spec) {
  std::size_t ops = 0;
  for (const auto& client : spec.ops)
    ops += client.size();
  return ops;
}

std::vector<std::uint64_t> applied_faults(const SimSpec& spec) {
  std::vector<std::uint64_t> sends;
  for (const AppliedFault& fault : run_sim(spec).faults)
    sends.push_back(fault.send);
  return sends;
}

/// One ddmin pass over the random faults. Returns true when it removed some.
bool shrink_faults(SimSpec& spec, Oracle& oracle, const ShrinkOptions& options) {
  std::vector<std::uint64_t> faults = applied_faults(spec);
  if (faults.empty()) return false;
  const std::size_t before = faults.size();
  const auto with = [&spec](std::vector<std::uint64_t> kept) {
    SimSpec candidate = spec;
    candidate.kept_faults = std::move(kept);
    return candidate;
  };
  faults = ddmin(faults,
                 [&](const std::vector<std::uint64_t>& kept) { return oracle.fails(with(kept)); });
  // Even when none can go, the list is kept: it is the same run, and it pins the faults down.
  spec = with(faults);
  if (faults.size() == before) return false;
  if (options.progress)
    options.progress(fmt::format("random faults: {} -> {}", before, faults.size()));
  return true;
}

/// One ddmin pass over the timeline. Returns true when it removed some events.
bool shrink_timeline(SimSpec& spec, Oracle& oracle, const ShrinkOptions& options) {
  auto& timeline = spec.scenario.faults.timeline;
  const std::size_t before = timeline.size();
  if (before == 0) return false;
  const auto with = [&spec](std::vector<net::TimelineEvent> events) {
    SimSpec candidate = spec;
    candidate.scenario.faults.timeline = std::move(events);
    return candidate;
  };
  auto kept = ddmin(timeline, [&](const std::vector<net::TimelineEvent>& events) {
    return oracle.fails(with(events));
  });
  if (kept.size() == before) return false;
  if (options.progress)
    options.progress(fmt::format("timeline: {} -> {} events", before, kept.size()));
  spec = with(std::move(kept));
  return true;
}

/// One ddmin pass over the clients' operations. Returns true when it removed some.
bool shrink_ops(SimSpec& spec, Oracle& oracle, const ShrinkOptions& options) {
  struct Slot {
    std::size_t client;
    net::PlannedOp op;
  };
  std::vector<Slot> slots;
  for (std::size_t c = 0; c < spec.ops.size(); ++c) {
    for (const net::PlannedOp& op : spec.ops[c])
      slots.push_back(Slot{c, op});
  }
  const std::size_t before = slots.size();
  if (before == 0) return false;
  const auto with = [&spec](const std::vector<Slot>& kept) {
    SimSpec candidate = spec;
    for (auto& client : candidate.ops)
      client.clear();
    for (const Slot& slot : kept)
      candidate.ops[slot.client].push_back(slot.op);
    return candidate;
  };
  auto kept = ddmin(
      slots, [&](const std::vector<Slot>& candidate) { return oracle.fails(with(candidate)); });
  if (kept.size() == before) return false;
  if (options.progress) options.progress(fmt::format("operations: {} -> {}", before, kept.size()));
  spec = with(kept);
  return true;
}

}  // namespace

RunSize size_of(const Trace& trace) {
  RunSize size;
  for (const auto& event : trace.events) {
    if (event.contains("fault") && !event.contains("forgiven")) ++size.faults;
  }
  size.timeline = trace.spec.scenario.faults.timeline.size();
  size.ops = count_ops(trace.spec);
  size.events = trace.events.size();
  return size;
}

ShrinkReport shrink(const Trace& trace, const ShrinkOptions& options) {
  const SimResult original = run_sim(trace.spec);
  if (original.verdict.ok()) {
    throw NothingToShrink("the run passes: there is no failure to keep while shrinking");
  }
  ShrinkReport report;
  report.kind = original.verdict.findings.front().kind;
  report.before = size_of(trace);
  Oracle oracle(report.kind, options.max_runs);

  SimSpec spec = trace.spec;
  // The cheapest big step first: perhaps the timeline alone fails it, with no random fault.
  SimSpec calm = spec;
  calm.kept_faults = std::vector<std::uint64_t>{};
  if (oracle.fails(calm)) {
    spec = calm;
    if (options.progress) options.progress("random faults: all forgiven, it still fails");
  }
  // Then passes until a whole round removes nothing. Each pass keeps the run failing.
  for (bool changed = true; changed && !oracle.spent();) {
    changed = false;
    changed = shrink_timeline(spec, oracle, options) || changed;
    changed = shrink_ops(spec, oracle, options) || changed;
    changed = shrink_faults(spec, oracle, options) || changed;
  }
  report.runs = oracle.runs();
  SimResult result;
  report.trace = record_trace(spec, &result);
  assert(result.verdict.has(report.kind) && "every accepted candidate still fails");
  report.after = size_of(report.trace);
  return report;
}

}  // namespace ladder::level3
