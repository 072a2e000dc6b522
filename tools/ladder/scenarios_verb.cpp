/// \file
/// `ladder scenarios [--show NAME]`: what the fault scenarios are, and what each level gets in
/// them.

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

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

}  // namespace ladder::tools
