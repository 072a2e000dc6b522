#pragma once
/// \file
/// The ladder CLI's command line: the CLI11 app every verb registers on, what each verb does once
/// the command line names it, and the options several verbs share. Each verb's file registers its
/// own options and action (`add_tour_verb()` in tour.cpp, ...); main.cpp only calls them in turn.

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "tools/ladder/terminal.hpp"

namespace ladder::tools {

/// What a verb does once the command line named it: runs the verb with the options CLI11 parsed
/// into it and returns the exit code (usage_error.hpp); may throw UsageError.
using VerbAction = std::function<int()>;

/// The app and the verbs' actions. A verb's registration function adds a subcommand to app(),
/// binds its options to storage the action owns, and hands the action to on_run().
class CommandLine {
 public:
  /// The app, named `ladder`, with its description; a command line names exactly one verb.
  CommandLine();

  /// The app, to add a verb to.
  CLI::App& app() { return app_; }

  /// Makes `action` what `verb` (a verb, or the subcommand of one: `diagram trace`) does.
  void on_run(const CLI::App& verb, VerbAction action);

  /// Parses the command line and runs the verb it names: the process's exit code. A bad command
  /// line exits kExitUsage, `--help` kExitOk; a verb's UsageError is printed and exits
  /// kExitUsage, any other exception kExitFailure.
  int run(int argc, char** argv);

 private:
  /// The action of the verb the parsed command line names; kExitUsage when it names none.
  int run_parsed_verb() const;

  CLI::App app_;
  std::vector<std::pair<const CLI::App*, VerbAction>> actions_;
};

/// Adds `--color auto|always|never` to `verb`, stored as its word in `mode` (default: its value).
void add_color_option(CLI::App& verb, std::string& mode);

/// The colour mode a `--color` word names; the option's check allows no other word.
[[nodiscard]] ColorMode color_mode(const std::string& word);

/// Adds `--scenarios DIR`, an existing folder, stored in `dir` (default: its value).
void add_scenarios_option(CLI::App& verb, std::string& dir);

/// Digits only: CLI11 would read "-3" into an unsigned number as 2^64 - 3, and "" as 0.
[[nodiscard]] const CLI::Validator& digits();

/// Adds `--seed N`, digits only, stored in `seed`: a seed the user may leave out, so the caller
/// uses it only when the returned option's count() is not 0.
CLI::Option* add_seed_option(CLI::App& verb, std::uint64_t& seed, const std::string& help);

}  // namespace ladder::tools
