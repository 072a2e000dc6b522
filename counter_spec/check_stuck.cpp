// STUCK: the system stopped answering while it had every reason to answer.

#include <algorithm>
#include <cassert>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "counter_spec/checkers.hpp"

namespace ladder::spec {
namespace {

// Sorted, non-overlapping copies of the windows, clipped to the run's end.
std::vector<Interval> clipped_windows(std::span<const Interval> windows, Time end) {
  std::vector<Interval> sorted;
  for (const Interval& window : windows) {
    assert(window.begin <= window.end && "a majority window ends before it begins");
    if (window.begin < end) sorted.push_back({window.begin, std::min(window.end, end)});
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const Interval& a, const Interval& b) { return a.begin < b.begin; });
  std::vector<Interval> merged;
  for (const Interval& window : sorted) {
    if (!merged.empty() && window.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, window.end);
    } else {
      merged.push_back(window);
    }
  }
  return merged;
}

// When an operation was waiting: from its invoke to its completion, or to the end of the run.
Interval waiting(const Operation& op, Time end) {
  return {op.invoked, std::max(op.invoked, std::min(op.completed.value_or(end), end))};
}

// The operation invoked first among those waiting at `time`.
const Operation* waiting_at(const std::vector<Operation>& ops, Time time, Time end) {
  for (const Operation& op : ops) {  // in invoke order, so the first hit was invoked first
    const Interval span = waiting(op, end);
    if (span.begin <= time && time < span.end) return &op;
  }
  return nullptr;
}

// When some operation was waiting, as intervals sorted by begin, so that the waiting inside any
// stretch of time is found in O(log n) instead of by a scan of the whole history.
class WaitingTimes {
 public:
  explicit WaitingTimes(std::vector<Interval> waits) : waits_(std::move(waits)) {
    std::erase_if(waits_, [](const Interval& wait) { return wait.begin == wait.end; });
    std::sort(waits_.begin(), waits_.end(),
              [](const Interval& a, const Interval& b) { return a.begin < b.begin; });
    for (const Interval& wait : waits_) {
      max_end_.push_back(max_end_.empty() ? wait.end : std::max(max_end_.back(), wait.end));
    }
  }

  // The stretch inside `segment` from the first moment an operation was waiting to the last one.
  // Pauses between a client's operations do not break it (a client that thinks, then retries
  // after a timeout, is still waiting on the system), but time after the last operation gave up
  // is not stuck: nobody was asking any more.
  [[nodiscard]] std::optional<Interval> hull(Interval segment) const {
    // Waits that begin before the segment ends; the one of them ending last bounds the hull.
    const std::size_t before_end = begins_before(segment.end);
    if (before_end == 0 || max_end_[before_end - 1] <= segment.begin) return std::nullopt;
    const Time last = std::min(segment.end, max_end_[before_end - 1]);
    // Either a wait already running when the segment begins, or the first to begin inside it.
    const std::size_t up_to_begin = begins_before(segment.begin + 1);
    const bool running = up_to_begin > 0 && max_end_[up_to_begin - 1] > segment.begin;
    assert(running || up_to_begin < waits_.size());
    const Time first = running ? segment.begin : waits_[up_to_begin].begin;
    return Interval{first, last};
  }

 private:
  // How many waits begin before `time`.
  [[nodiscard]] std::size_t begins_before(Time time) const {
    const auto it = std::lower_bound(waits_.begin(), waits_.end(), time,
                                     [](const Interval& wait, Time t) { return wait.begin < t; });
    return static_cast<std::size_t>(it - waits_.begin());
  }

  std::vector<Interval> waits_;  // non-empty, sorted by begin
  std::vector<Time> max_end_;    // max_end_[i]: the latest end among waits_[0..i]
};

}  // namespace

std::vector<Finding> check_stuck(const History& history, std::span<const Interval> majority_windows,
                                 Time threshold_ms, Time end) {
  assert(threshold_ms > 0 && "a STUCK threshold of zero would flag every operation");
  const std::vector<Operation> ops = history.operations();

  // Progress is an acknowledged operation. A fail or a timeout is the system saying "no" or
  // nothing; a system that only ever says that is exactly what this checker looks for.
  std::vector<Time> progress;
  std::vector<Interval> waits;
  for (const Operation& op : ops) {
    if (op.outcome == Outcome::ok) progress.push_back(*op.completed);
    if (op.invoked < end) waits.push_back(waiting(op, end));
  }
  std::sort(progress.begin(), progress.end());
  const WaitingTimes waiting_times(std::move(waits));

  std::vector<Finding> findings;
  for (const Interval& window : clipped_windows(majority_windows, end)) {
    // Cut the window at every acknowledgement inside it; each piece is judged on its own.
    std::vector<Time> cuts{window.begin};
    auto t = std::upper_bound(progress.begin(), progress.end(), window.begin);
    for (; t != progress.end() && *t < window.end; ++t)
      cuts.push_back(*t);
    cuts.push_back(window.end);
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      if (cuts[i] == cuts[i + 1]) continue;  // two acknowledgements in the same millisecond
      const std::optional<Interval> hull = waiting_times.hull({cuts[i], cuts[i + 1]});
      if (!hull || hull->end - hull->begin < threshold_ms) continue;
      const Operation* waiter = waiting_at(ops, hull->begin, end);
      assert(waiter && "a stretch of waiting begins with a waiting operation");
      findings.push_back(Finding{
          .kind = FindingKind::stuck,
          .amount = hull->end - hull->begin,
          .evidence = fmt::format(
              "no operation completed from {} ms to {} ms ({} ms) while a majority was up and "
              "connected; waiting: {}",
              hull->begin, hull->end, hull->end - hull->begin, waiter->describe())});
    }
  }
  return findings;
}

}  // namespace ladder::spec
