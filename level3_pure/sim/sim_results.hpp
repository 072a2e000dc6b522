#pragma once
/// \file
/// The results folder of a run, `runs/3-<scenario>-<seed>/` (git-ignored): everything needed to
/// read, replay, shrink and draw it again.
///
///     trace.jsonl   the trace file (trace_file.hpp): `ladder replay`, `ladder shrink` read it
///     history.txt   what the clients saw, one operation per line
///     verdict.txt   the parameters, the verdict with every finding, the digest, how to reproduce
///     run.dot       the Lamport diagram's Graphviz text
///     run.svg       the Lamport diagram (when Graphviz is installed)

#include <filesystem>
#include <string>

#include "level3_pure/sim/sim.hpp"
#include "level3_pure/sim/trace_file.hpp"

namespace ladder::level3 {

/// `runs/3-<scenario>-<seed>` under `root`, with "-fixed" appended for the fixed variant.
std::filesystem::path results_folder(const std::filesystem::path& root, const SimSpec& spec);

/// Writes the results folder of a recorded run into `folder` (created if missing) and returns the
/// names of the files written. The SVG is skipped, not an error, when Graphviz is missing.
std::vector<std::string> save_results(const std::filesystem::path& folder, const Trace& trace,
                                      const SimResult& result);

}  // namespace ladder::level3
