/// \file
/// The ladder CLI's command line: parsing, and the step from a parsed verb to its exit code.

#include "tools/ladder/command_line.hpp"

#include <exception>
#include <map>

#include <fmt/format.h>

#include "tools/ladder/usage_error.hpp"

namespace ladder::tools {

namespace {

// CLI11 answers an unknown verb with "A subcommand is required", which does not say which word it
// did not know. The first word that is not an option must be a verb: name it, and list the verbs.
bool known_verb_or_option(const CLI::App& app, int argc, char** argv) {
  if (argc < 2) return true;
  const std::string first = argv[1];
  if (first.empty() || first.front() == '-') return true;
  std::string verbs;
  for (const CLI::App* verb : app.get_subcommands({})) {
    if (verb->get_name() == first) return true;
    verbs += (verbs.empty() ? "" : ", ") + verb->get_name();
  }
  fmt::print(stderr, "ladder: unknown verb \"{}\"; the verbs are: {} (see ladder --help)\n", first,
             verbs);
  return false;
}

}  // namespace

CommandLine::CommandLine()
    : app_(
          "ladder: a replicated counter built at rising levels, on a network that fails.\n"
          "Every simulated run is a function of a scenario and a seed: run it again, and it "
          "happens again.") {
  app_.name("ladder");
  app_.require_subcommand(1);
}

void CommandLine::on_run(const CLI::App& verb, VerbAction action) {
  actions_.emplace_back(&verb, std::move(action));
}

int CommandLine::run(int argc, char** argv) {
  if (!known_verb_or_option(app_, argc, argv)) return kExitUsage;
  try {
    app_.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help is a ParseError too, with exit code 0; every real parse error is a usage error.
    const int code = app_.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }
  try {
    return run_parsed_verb();
  } catch (const UsageError& error) {
    fmt::print(stderr, "ladder: {}\n", error.what());
    return kExitUsage;
  } catch (const std::exception& error) {
    fmt::print(stderr, "ladder: could not run: {}\n", error.what());
    return kExitFailure;
  }
}

int CommandLine::run_parsed_verb() const {
  for (const auto& [verb, action] : actions_) {
    if (verb->parsed()) return action();
  }
  fmt::print(stderr, "ladder: no verb given; see ladder --help\n");
  return kExitUsage;
}

void add_color_option(CLI::App& verb, std::string& mode) {
  verb.add_option(
          "--color", mode,
          "colour the output: auto (on a terminal, unless NO_COLOR is set), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
}

ColorMode color_mode(const std::string& word) {
  static const std::map<std::string, ColorMode> kModes{
      {"auto", ColorMode::automatic}, {"always", ColorMode::always}, {"never", ColorMode::never}};
  return kModes.at(word);
}

void add_scenarios_option(CLI::App& verb, std::string& dir) {
  verb.add_option("--scenarios", dir, "the folder of scenario files")
      ->check(CLI::ExistingDirectory)
      ->default_str(dir);
}

const CLI::Validator& digits() {
  static const CLI::Validator kDigits(
      [](const std::string& text) {
        const bool digits =
            !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        return digits ? std::string() : "expected a number made of digits, got \"" + text + "\"";
      },
      "", "digits");
  return kDigits;
}

CLI::Option* add_seed_option(CLI::App& verb, std::uint64_t& seed, const std::string& help) {
  return verb.add_option("--seed", seed, help)->check(digits())->type_name("N");
}

}  // namespace ladder::tools
