// NONLINEAR: the counter's history judged as a whole, by the linearizability checker.

#include <vector>

#include <fmt/format.h>

#include "counter_spec/checkers.hpp"
#include "counter_spec/history_jsonl.hpp"
#include "counter_spec/linearizability.hpp"
#include "counter_spec/models.hpp"

namespace ladder::spec {

std::vector<Finding> check_linearizable(const History& history) {
  const std::vector<Call> calls = calls_from_history(history);
  const LinearizabilityResult result = check_linearizability(calls, CounterModel{});
  if (result.linearizable) return {};
  // One sentence: the whole partial linearization belongs in the picture, not in a table cell.
  return {Finding{
      .kind = FindingKind::not_linearizable,
      .amount = 1,
      .evidence = fmt::format(
          "{} cannot be placed after the longest partial linearization ({} calls, then {})",
          calls[*result.blocking].describe(), result.order.size(), result.state_after_order)}};
}

}  // namespace ladder::spec
