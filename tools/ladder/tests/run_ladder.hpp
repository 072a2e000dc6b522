#pragma once
/// \file
/// Runs the built ladder CLI (LADDER_CLI, set by the build) as a reader runs it, for the tests
/// that check what it prints and how it exits.

#include <sys/wait.h>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace ladder::tools::testing {

/// What one run of the CLI printed, and how it exited.
struct CliOutcome {
  int exit_code = -1;  ///< the exit code; 128 + the signal when a signal ended it
  std::string out;     ///< stdout and stderr, interleaved
};

/// Runs `ladder ARGS` (`args` already shell-quoted where needed) and waits for it to end.
inline CliOutcome run_ladder(const std::string& args) {
  const std::string command = std::string("'") + LADDER_CLI + "' " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  CliOutcome outcome;
  char buffer[4096];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    outcome.out.append(buffer, got);
  const int status = pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return outcome;
}

}  // namespace ladder::tools::testing
