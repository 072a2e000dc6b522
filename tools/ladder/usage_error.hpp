#pragma once
/// \file
/// The CLI's two kinds of failure, as exit codes, and the error for a bad command line.

#include <stdexcept>

namespace ladder::tools {

/// Exit code for "it ran" (a broken level that was shown broken also exits 0: that is the lesson).
inline constexpr int kExitOk = 0;
/// Exit code for "something could not run" (a scenario folder that does not load, a crash).
inline constexpr int kExitFailure = 1;
/// Exit code for a bad command line: an unknown verb, level or scenario, a malformed number.
inline constexpr int kExitUsage = 2;

/// A command-line argument the CLI cannot use. main() prints what() and exits with kExitUsage,
/// so what() must say what was wrong and what would have been right.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ladder::tools
