/// \file
/// `ladder check NN`: the grader's options and its action.

#include "tools/ladder/check_verb.hpp"

#include <memory>

#include "tools/ladder/check.hpp"
#include "tools/ladder/command_line.hpp"

namespace ladder::tools {

void add_check_verb(CommandLine& cli) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* verb = cli.app().add_subcommand(
      "check", "grade your work on an exercise: build its tests and run them");
  verb->add_option("NN", options->exercise, "the exercise: 01, 1 or 01_acks")->required();
  verb->add_flag("--solution", options->solution,
                 "check the exercise's solution instead of your starter");
  verb->add_flag("--verbose", options->verbose, "print the build output and failures in full");
  cli.on_run(*verb, [options] { return check_exercise(*options); });
}

}  // namespace ladder::tools
