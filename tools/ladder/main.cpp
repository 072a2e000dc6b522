/// \file
/// `ladder`: the one command-line tool of the workbook. This file only turns the command line into
/// a verb's options (CLI11) and the verb's outcome into an exit code; the verbs live beside it.

#include <cstdint>
#include <exception>
#include <map>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "tools/ladder/check.hpp"
#include "tools/ladder/scenario_files.hpp"
#include "tools/ladder/usage_error.hpp"
#include "tools/ladder/verbs.hpp"

namespace {

using namespace ladder::tools;

const std::map<std::string, ColorMode> kColorModes{
    {"auto", ColorMode::automatic}, {"always", ColorMode::always}, {"never", ColorMode::never}};

// --color takes a word; `mode` is set from it once the command line is parsed.
void add_color_option(CLI::App& verb, std::string& mode) {
  verb.add_option(
          "--color", mode,
          "colour the output: auto (on a terminal, unless NO_COLOR is set), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
}

void add_scenarios_option(CLI::App& verb, std::string& dir) {
  verb.add_option("--scenarios", dir, "the folder of scenario files")
      ->check(CLI::ExistingDirectory)
      ->default_str(dir);
}

// Digits only: CLI11 would read "-3" into an unsigned number as 2^64 - 3, and "" as 0.
const CLI::Validator kDigits(
    [](const std::string& text) {
      const bool digits =
          !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
      return digits ? std::string() : "expected a number made of digits, got \"" + text + "\"";
    },
    "", "digits");

// A seed the user may leave out: the option's value is used only when it was given.
CLI::Option* add_seed_option(CLI::App& verb, std::uint64_t& seed, const std::string& help) {
  return verb.add_option("--seed", seed, help)->check(kDigits)->type_name("N");
}

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

int main(int argc, char** argv) {
  CLI::App app{
      "ladder: a replicated counter built at rising levels, on a network that fails.\n"
      "Every simulated run is a function of a scenario and a seed: run it again, and it "
      "happens again."};
  app.name("ladder");
  app.require_subcommand(1);

  std::string scenarios_dir = default_scenarios_dir().string();
  std::uint64_t seed = 0;
  std::string color = "auto";

  TourOptions tour;
  CLI::App* tour_verb = app.add_subcommand(
      "tour", "run every level against every scenario and print the table of verdicts");
  CLI::Option* tour_seed =
      add_seed_option(*tour_verb, seed, "one seed for every run (default: each scenario's own)");
  add_scenarios_option(*tour_verb, scenarios_dir);
  add_color_option(*tour_verb, color);

  DemoOptions demo;
  CLI::App* demo_verb = app.add_subcommand(
      "demo", "run one level through one scenario and print the run as a readable log");
  demo_verb->add_option("LEVEL", demo.level, "the level to run (0, 1, ...)")->required();
  demo_verb
      ->add_option("--scenario", demo.scenario,
                   "a scenario name (see `ladder scenarios`) or the path of a .json file")
      ->required();
  CLI::Option* demo_seed =
      add_seed_option(*demo_verb, seed, "the run's seed (default: the scenario's own)");
  add_scenarios_option(*demo_verb, scenarios_dir);
  add_color_option(*demo_verb, color);
  demo_verb->add_flag("--trace-only", demo.trace_only,
                      "print only the log of the run, without the scenario and the verdict");

  ScenariosOptions scenarios;
  std::string show;
  CLI::App* scenarios_verb =
      app.add_subcommand("scenarios", "list the fault scenarios, or print one file");
  CLI::Option* show_option =
      scenarios_verb->add_option("--show", show, "print this scenario's file")->type_name("NAME");
  add_scenarios_option(*scenarios_verb, scenarios_dir);

  MonkeyOptions monkey;
  std::string monkey_output;
  CLI::App* monkey_verb = app.add_subcommand(
      "monkey", "run a level through many random fault plans and list the seeds that break it");
  monkey_verb->add_option("LEVEL", monkey.level, "the level to run (0, 1, ...)")->required();
  monkey_verb->add_option("--runs", monkey.runs, "how many random scenarios to run")
      ->check(kDigits)
      ->capture_default_str();
  monkey_verb->add_option("--seed", monkey.seed, "the first seed; the runs use seed, seed+1, ...")
      ->check(kDigits)
      ->type_name("N")
      ->capture_default_str();
  monkey_verb->add_option("--replicas", monkey.replicas, "replicas per scenario")
      ->capture_default_str();
  monkey_verb->add_option("--clients", monkey.clients, "clients per scenario")
      ->capture_default_str();
  monkey_verb->add_option("--operations", monkey.operations, "operations per client")
      ->capture_default_str();
  CLI::Option* print_flag = monkey_verb->add_flag(
      "--print", monkey.print, "only print the scenario of --seed as JSON, to save in scenarios/");
  monkey_verb->add_option("--output", monkey_output, "with --print: write the JSON to this file")
      ->needs(print_flag)
      ->type_name("FILE");
  add_color_option(*monkey_verb, color);

  CheckOptions check;
  CLI::App* check_verb =
      app.add_subcommand("check", "grade your work on an exercise: build its tests and run them");
  check_verb->add_option("NN", check.exercise, "the exercise: 01, 1 or 01_acks")->required();
  check_verb->add_flag("--solution", check.solution,
                       "check the exercise's solution instead of your starter");
  check_verb->add_flag("--verbose", check.verbose, "print the build output and failures in full");

  if (!known_verb_or_option(app, argc, argv)) return kExitUsage;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help is a ParseError too, with exit code 0; every real parse error is a usage error.
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }

  tour.color = demo.color = monkey.color = kColorModes.at(color);
  try {
    if (tour_verb->parsed()) {
      tour.scenarios_dir = scenarios_dir;
      if (tour_seed->count() > 0) tour.seed = seed;
      return run_tour(tour);
    }
    if (demo_verb->parsed()) {
      demo.scenarios_dir = scenarios_dir;
      if (demo_seed->count() > 0) demo.seed = seed;
      return run_demo(demo);
    }
    if (scenarios_verb->parsed()) {
      scenarios.scenarios_dir = scenarios_dir;
      if (show_option->count() > 0) scenarios.show = show;
      return run_scenarios(scenarios);
    }
    if (monkey_verb->parsed()) {
      if (!monkey_output.empty()) monkey.output = monkey_output;
      return run_monkey(monkey);
    }
    if (check_verb->parsed()) return check_exercise(check);
  } catch (const UsageError& error) {
    fmt::print(stderr, "ladder: {}\n", error.what());
    return kExitUsage;
  } catch (const std::exception& error) {
    fmt::print(stderr, "ladder: could not run: {}\n", error.what());
    return kExitFailure;
  }
  fmt::print(stderr, "ladder: no verb given; see ladder --help\n");
  return kExitUsage;
}
