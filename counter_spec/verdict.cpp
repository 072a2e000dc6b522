// The verdict: every checker's findings, and the words the tour table and the demos print.

#include <algorithm>
#include <array>
#include <cassert>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "counter_spec/checkers.hpp"

namespace ladder::spec {
namespace {

// The order in which kinds are reported, everywhere.
constexpr std::array kKindOrder{FindingKind::lost,     FindingKind::duplicated,
                                FindingKind::diverged, FindingKind::stuck,
                                FindingKind::bad_read, FindingKind::not_linearizable};

// The number a kind carries in a cell, or nullopt for kinds that carry none. LOST and
// DUPLICATED show the worst replica (how far the most wrong replica is off: with three replicas
// missing the same +3, "LOST 3" says what happened, "LOST 9" would not); BAD-READ counts reads.
std::optional<std::int64_t> cell_number(const std::vector<Finding>& findings, FindingKind kind) {
  std::int64_t number = 0;
  for (const Finding& finding : findings) {
    if (finding.kind != kind) continue;
    switch (kind) {
      case FindingKind::lost:
      case FindingKind::duplicated:
        number = std::max(number, finding.amount);
        break;
      case FindingKind::bad_read:
        number += 1;
        break;
      case FindingKind::diverged:
      case FindingKind::stuck:
      case FindingKind::not_linearizable:
        return std::nullopt;
    }
  }
  return number;
}

}  // namespace

const char* to_string(FindingKind kind) {
  switch (kind) {
    case FindingKind::lost:
      return "LOST";
    case FindingKind::duplicated:
      return "DUPLICATED";
    case FindingKind::diverged:
      return "DIVERGED";
    case FindingKind::stuck:
      return "STUCK";
    case FindingKind::bad_read:
      return "BAD-READ";
    case FindingKind::not_linearizable:
      return "NONLINEAR";
  }
  assert(false && "unknown FindingKind");
  return "?";
}

bool Verdict::has(FindingKind kind) const {
  return std::any_of(findings.begin(), findings.end(),
                     [kind](const Finding& finding) { return finding.kind == kind; });
}

std::string Verdict::cell() const {
  if (ok()) return "ok";
  std::vector<std::string> words;
  for (const FindingKind kind : kKindOrder) {
    if (!has(kind)) continue;
    const std::optional<std::int64_t> number = cell_number(findings, kind);
    words.push_back(number ? fmt::format("{} {}", to_string(kind), *number) : to_string(kind));
  }
  return fmt::format("{}", fmt::join(words, " "));
}

std::string Verdict::summary() const {
  return ok() ? cell() : cell() + ": " + findings.front().evidence;
}

std::vector<std::string> Verdict::kinds() const {
  if (ok()) return {"ok"};
  std::vector<std::string> names;
  for (const FindingKind kind : kKindOrder) {
    if (has(kind)) names.emplace_back(to_string(kind));
  }
  return names;
}

Verdict check_all(const RunRecord& run) {
  Verdict verdict;
  const auto append = [&verdict](std::vector<Finding> found) {
    verdict.findings.insert(verdict.findings.end(), std::make_move_iterator(found.begin()),
                            std::make_move_iterator(found.end()));
  };
  append(check_lost(run.history, run.replicas));
  append(check_duplicated(run.history, run.replicas));
  append(check_diverged(run.replicas));
  append(check_stuck(run.history, run.majority_windows, run.stuck_after_ms, run.end));
  std::vector<Finding> bad_reads = check_reads(run.history);
  const bool judge_whole = run.linearizable_reads && bad_reads.empty();
  append(std::move(bad_reads));
  if (judge_whole) append(check_linearizable(run.history));
  return verdict;
}

}  // namespace ladder::spec
