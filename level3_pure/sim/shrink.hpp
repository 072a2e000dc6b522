#pragma once
/// \file
/// Shrinking: from a failing run, the smallest run that still fails the same way, by delta
/// debugging (Zeller and Hildebrandt's ddmin) over what the run is made of:
///
/// 1. the network's random faults: first all of them at once, then one by one (the trace's
///    kept_faults: a forgiven drop is delivered, a forgiven duplicate arrives once);
/// 2. the fault timeline's events (partitions, cuts, heals, crashes, restarts);
/// 3. the clients' operations.
///
/// A candidate is kept when its run still has a finding of the same kind as the original's first
/// finding (LOST stays LOST). The passes repeat until none removes anything, within a budget of
/// runs. Every candidate is a complete, valid run: a removed restart leaves its replica down until
/// the liveness phase restarts it, a removed heal leaves a partition until the liveness phase heals
/// it.

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>

#include "counter_spec/checkers.hpp"
#include "level3_pure/sim/trace_file.hpp"

namespace ladder::level3 {

/// Bounds and reporting of a shrink.
struct ShrinkOptions {
  std::size_t max_runs = 3000;  ///< the most candidate runs to try
  /// Told about each accepted reduction ("timeline: 6 -> 2 events"); may be empty.
  std::function<void(const std::string&)> progress;
};

/// How big a run is, in the units the shrinker removes.
struct RunSize {
  std::size_t faults = 0;    ///< random faults that applied
  std::size_t timeline = 0;  ///< timeline events
  std::size_t ops = 0;       ///< client operations
  std::size_t events = 0;    ///< trace events
};

/// What a shrink produced.
struct ShrinkReport {
  spec::FindingKind kind = spec::FindingKind::lost;  ///< the finding kept throughout
  RunSize before;                                    ///< the original run
  RunSize after;                                     ///< the shrunk run
  std::size_t runs = 0;                              ///< candidate runs tried
  Trace trace;  ///< the shrunk run's trace, which still fails with `kind`
};

/// A trace that cannot be shrunk because its run does not fail.
class NothingToShrink : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Shrinks the run of `trace.spec`. Throws NothingToShrink when it passes.
ShrinkReport shrink(const Trace& trace, const ShrinkOptions& options = {});

/// The size of a recorded run.
RunSize size_of(const Trace& trace);

}  // namespace ladder::level3
