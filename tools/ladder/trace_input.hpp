#pragma once
/// \file
/// Reading a level 3 trace file that the reader named on the command line.

#include <filesystem>

#include "level3_pure/trace_file.hpp"

namespace ladder::tools {

/// Loads the trace file `path`; a file that cannot be read or is not a valid trace is the reader's
/// mistake, reported as a UsageError (exit 2) whose message names the file, line and field.
level3::Trace read_trace_argument(const std::filesystem::path& path);

}  // namespace ladder::tools
