#pragma once
/// \file
/// Exercise 06: a failure the level-3 monkey found, kept as a regression test. The trace file is
/// the test's input: load it, replay it bit for bit, and check that the fixed protocol survives
/// the same schedule.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "counter_spec/checkers.hpp"
#include "level3_pure/sim/trace_file.hpp"

namespace ladder::ex06 {

/// The trace file this regression test keeps: a failing first-release run of level 3 (a monkey
/// seed's trace.jsonl, or its shrunk form), saved in the repository so the test never depends on
/// runs/, which is git-ignored.
std::filesystem::path regression_trace_file();

/// Part 1: reads `file` and returns its trace, after checking that it is worth keeping: a level-3
/// run of the first-release variant whose recorded verdict is not ok. Throws level3::TraceError
/// naming the file for a file that cannot be read, and std::invalid_argument naming the file and
/// the reason for a trace that is no regression (the fixed variant, or a clean verdict).
level3::Trace load_regression(const std::filesystem::path& file);

/// What replaying a regression trace found.
struct Replayed {
  bool same = false;                  ///< every event and the digest are as recorded
  std::uint64_t recorded_digest = 0;  ///< the digest the file holds
  std::uint64_t replayed_digest = 0;  ///< the digest of the run just made
  /// The replayed run's verdict kinds ("LOST", "DIVERGED", ...; {"ok"} for a clean run).
  std::vector<std::string> kinds;
  /// The request the replayed run's first LOST or DUPLICATED finding is about ("c1#4").
  std::optional<std::string> culprit;
};

/// Part 2: runs `trace`'s spec again and reports what the run did: its digest and its verdict.
Replayed check_regression(const level3::Trace& trace);

/// Part 3: runs the schedule of `trace` (the same scenario, seed, operations and kept faults) with
/// the fixed variant of rule V4, and returns the checkers' verdict of that run.
spec::Verdict check_fixed(const level3::Trace& trace);

}  // namespace ladder::ex06
