#pragma once
/// \file
/// `ladder check NN` on the command line. It lives apart from the grader (check.hpp), which the
/// exercises' own tests compile without the CLI.

namespace ladder::tools {

class CommandLine;

/// Adds the `check` verb and its options to the command line: it grades one exercise with
/// check_exercise().
void add_check_verb(CommandLine& cli);

}  // namespace ladder::tools
