#pragma once
/// \file
/// Reading a level 3 trace file that the reader named on the command line.

#include <filesystem>

#include "level3_pure/sim/trace_file.hpp"

namespace ladder::tools {

/// Loads the trace file `path`; a file that cannot be read or is not a valid trace is the reader's
/// mistake, reported as a UsageError (exit 2) whose message names the file, line and field.
level3::Trace read_trace_argument(const std::filesystem::path& path);

/// Like read_trace_argument, but also accepts a level-4 schedule trace (level4_explore/
/// level3_trace.hpp), given as level 3's Trace so that the Lamport diagram draws it unchanged.
level3::Trace read_drawable_trace_argument(const std::filesystem::path& path);

}  // namespace ladder::tools
