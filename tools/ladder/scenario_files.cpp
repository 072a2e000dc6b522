#include "tools/ladder/scenario_files.hpp"

#include <algorithm>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tools/ladder/usage_error.hpp"

#ifndef LADDER_SCENARIOS_DIR
#error "the ladder CLI needs LADDER_SCENARIOS_DIR (the source tree's scenarios/) defined"
#endif

namespace ladder::tools {

namespace fs = std::filesystem;

fs::path default_scenarios_dir() {
  return fs::path(LADDER_SCENARIOS_DIR);
}

std::vector<std::string> scenario_names(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      names.push_back(entry.path().stem().string());
    }
  }
  // Directory order differs between file systems; the list must not.
  std::sort(names.begin(), names.end());
  return names;
}

fs::path scenario_file(std::string_view argument, const fs::path& dir) {
  const bool is_path = argument.find('/') != std::string_view::npos || argument.ends_with(".json");
  const fs::path file = is_path ? fs::path(argument) : dir / fmt::format("{}.json", argument);
  if (fs::is_regular_file(file)) return file;
  if (is_path) throw UsageError(fmt::format("no scenario file {}", file.string()));
  const std::vector<std::string> known = scenario_names(dir);
  throw UsageError(fmt::format(
      "unknown scenario \"{}\"; the scenarios in {} are: {} (or give the path of a .json file)",
      argument, dir.string(), known.empty() ? "none" : fmt::format("{}", fmt::join(known, ", "))));
}

net::Scenario find_scenario(std::string_view argument, const fs::path& dir) {
  const fs::path file = scenario_file(argument, dir);
  try {
    return net::load_scenario(file);
  } catch (const net::ScenarioError& error) {
    // The reader named this file on the command line: a bad file is a bad argument.
    throw UsageError(error.what());
  }
}

}  // namespace ladder::tools
