#pragma once
/// \file
/// Finding scenarios for the CLI: the default folder, and `--scenario NAME-OR-PATH`.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "network/scenario.hpp"

namespace ladder::tools {

/// The source tree's scenarios/ folder, compiled in, so that the CLI finds the scenarios from any
/// working directory. `--scenarios DIR` overrides it.
[[nodiscard]] std::filesystem::path default_scenarios_dir();

/// The names of the scenarios in `dir` (the stems of its `*.json` files), sorted. Empty when the
/// folder is missing.
[[nodiscard]] std::vector<std::string> scenario_names(const std::filesystem::path& dir);

/// The file `argument` means: a path when it contains a '/' or ends in ".json", else
/// `dir/argument.json`. Throws UsageError when there is no such file; the message lists the
/// scenarios that do exist.
[[nodiscard]] std::filesystem::path scenario_file(std::string_view argument,
                                                  const std::filesystem::path& dir);

/// Loads the scenario `argument` means (see scenario_file). Throws UsageError for an unknown
/// scenario and for a file that is not a valid scenario (naming the file, the field and the
/// problem).
[[nodiscard]] net::Scenario find_scenario(std::string_view argument,
                                          const std::filesystem::path& dir);

}  // namespace ladder::tools
