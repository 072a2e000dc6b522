/// \file
/// `ladder scenarios [--show NAME]`: what the fault scenarios are, and what each level gets in
/// them.

#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tools/ladder/command_line.hpp"
#include "tools/ladder/scenario_files.hpp"
#include "tools/ladder/terminal.hpp"
#include "tools/ladder/usage_error.hpp"
#include "tools/ladder/verbs.hpp"

namespace ladder::tools {

namespace {

int show_file(const std::string& argument, const std::filesystem::path& dir) {
  const std::filesystem::path file = scenario_file(argument, dir);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", file.string()));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fmt::print("{}", text);
  if (!text.empty() && text.back() != '\n') fmt::print("\n");
  return kExitOk;
}

}  // namespace

int run_scenarios(const ScenariosOptions& options) {
  if (options.show) return show_file(*options.show, options.scenarios_dir);
  const std::vector<net::Scenario> scenarios = net::load_scenarios(options.scenarios_dir);
  if (scenarios.empty()) {
    throw UsageError(fmt::format("no scenarios in {}", options.scenarios_dir.string()));
  }
  fmt::print("The scenarios in {}:\n\n", options.scenarios_dir.string());
  for (const net::Scenario& scenario : scenarios) {
    fmt::print("{} (seed {}, {} replica{}, {} client{})\n", scenario.name, scenario.seed,
               scenario.replicas, scenario.replicas == 1 ? "" : "s", scenario.workload.clients,
               scenario.workload.clients == 1 ? "" : "s");
    fmt::print("{}", wrap(scenario.description, 100, "  "));
    for (const auto& [level, verdicts] : scenario.expect) {
      fmt::print("  expected at {}: {}\n", level, fmt::join(verdicts, " "));
    }
    fmt::print("\n");
  }
  fmt::print(
      "Run one: ./run demo 0 --scenario NAME [--seed N]; see a file: ladder scenarios "
      "--show NAME\n");
  return kExitOk;
}

namespace {

// `ladder scenarios`'s command line as CLI11 fills it, until the verb runs.
struct ScenariosCommandLine {
  std::string scenarios_dir = default_scenarios_dir().string();
  std::string show;
  CLI::Option* show_option = nullptr;
};

ScenariosOptions scenarios_options(const ScenariosCommandLine& line) {
  ScenariosOptions options;
  options.scenarios_dir = line.scenarios_dir;
  if (line.show_option->count() > 0) options.show = line.show;
  return options;
}

}  // namespace

void add_scenarios_verb(CommandLine& cli) {
  auto line = std::make_shared<ScenariosCommandLine>();
  CLI::App* verb =
      cli.app().add_subcommand("scenarios", "list the fault scenarios, or print one file");
  line->show_option =
      verb->add_option("--show", line->show, "print this scenario's file")->type_name("NAME");
  add_scenarios_option(*verb, line->scenarios_dir);
  cli.on_run(*verb, [line] { return run_scenarios(scenarios_options(*line)); });
}

}  // namespace ladder::tools
