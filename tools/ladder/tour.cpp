/// \file
/// `ladder tour`: every level against every scenario, as one table of verdicts.

#include <algorithm>
#include <cassert>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tools/ladder/command_line.hpp"
#include "tools/ladder/levels.hpp"
#include "tools/ladder/scenario_files.hpp"
#include "tools/ladder/usage_error.hpp"
#include "tools/ladder/verbs.hpp"

namespace ladder::tools {

namespace {

// What one cell of the table holds.
struct Cell {
  std::string text;   // "ok", "LOST 3 DIVERGED", "error"
  bool good = false;  // printed green, else red
  std::uint64_t seed = 0;
};

// `text` padded to `width` columns, painted after padding so that escape codes do not count.
std::string pad(const std::string& text, std::size_t width, const Painter& painter,
                fmt::text_style style) {
  const std::size_t fill = width > text.size() ? width - text.size() : 0;
  return painter.paint(text, style) + std::string(fill, ' ');
}

// Prints one line of the table without the padding of its last column.
void print_row(std::string line) {
  line.erase(line.find_last_not_of(' ') + 1);
  fmt::print("{}\n", line);
}

Cell run_cell(const Level& level, const net::Scenario& scenario, std::uint64_t seed) {
  try {
    if (level.runs_per_cell <= 1) {
      const spec::Verdict verdict = level.verdict(scenario, seed);
      return Cell{verdict.cell(), verdict.ok(), seed};
    }
    // A level whose runs differ: run it several times and show how often each outcome came up,
    // "ok 4/5, LOST 1/5" (a run with several findings counts once for each kind).
    const int runs = level.runs_per_cell;
    int clean = 0;
    std::map<std::string, int> kinds;  // "LOST" -> runs that found it
    for (int r = 0; r < runs; ++r) {
      const spec::Verdict verdict = level.verdict(scenario, seed);
      if (verdict.ok()) ++clean;
      for (const std::string& kind : verdict.kinds()) {
        if (kind != "ok") ++kinds[kind];
      }
    }
    std::vector<std::string> parts;
    if (clean > 0) parts.push_back(fmt::format("ok {}/{}", clean, runs));
    // In the checkers' order, as a single run's cell lists them.
    for (const char* kind : {"LOST", "DUPLICATED", "DIVERGED", "STUCK", "BAD-READ", "NONLINEAR"}) {
      if (kinds.contains(kind)) parts.push_back(fmt::format("{} {}/{}", kind, kinds[kind], runs));
    }
    return Cell{fmt::format("{}", fmt::join(parts, ", ")), clean == runs, seed};
  } catch (const std::exception& error) {
    fmt::print(stderr, "ladder tour: level {} on {} (seed {}) could not run: {}\n", level.number,
               scenario.name, seed, error.what());
    return Cell{"error", false, seed};
  }
}

void print_legend() {
  fmt::print(
      "\n"
      "ok            nothing wrong was found\n"
      "LOST n        a replica ends n below what the acknowledged adds guarantee\n"
      "DUPLICATED n  a replica ends n above everything that might have happened\n"
      "DIVERGED      the replicas disagree after the network healed and went quiet\n"
      "STUCK         no operation completed for a long time while a majority was up\n"
      "BAD-READ n    n reads returned a value that no order of the adds explains\n"
      "NONLINEAR     (levels 1-3) each read alone is explained, but no one order explains all\n"
      "ok 4/5, ...   level 2 runs on real threads, so each of its cells is several runs: how\n"
      "              often each verdict came up (the same seed is not the same run)\n"
      "levels 2 and 3 run the variant their author shipped, first-release (--variant fixed in\n"
      "the demo and the monkey runs the corrected protocol); level 3's cells replay bit for bit\n");
}

}  // namespace

int run_tour(const TourOptions& options) {
  const std::vector<net::Scenario> scenarios = net::load_scenarios(options.scenarios_dir);
  if (scenarios.empty()) {
    throw UsageError(fmt::format("no scenarios in {}", options.scenarios_dir.string()));
  }
  const Painter painter(use_color(options.color, stdout));

  // The levels asked for (--level), in the registry's order; every level when none was named.
  std::vector<const Level*> chosen;
  for (const Level& level : levels()) {
    if (options.levels.empty() || std::ranges::count(options.levels, level.number) > 0) {
      chosen.push_back(&level);
    }
  }
  for (int number : options.levels) {
    if (find_level(number) == nullptr) {
      throw UsageError(
          fmt::format("there is no level {}; the levels are {}", number, level_numbers()));
    }
  }
  assert(!chosen.empty() && "every named level exists, so at least one row is chosen");

  // Every cell first, then the table, so that the columns can be sized to what they hold.
  std::vector<std::vector<Cell>> rows;
  for (const Level* level_ptr : chosen) {
    const Level& level = *level_ptr;
    std::vector<Cell> row;
    for (const net::Scenario& scenario : scenarios) {
      row.push_back(run_cell(level, scenario, options.seed.value_or(scenario.seed)));
    }
    rows.push_back(std::move(row));
  }

  std::vector<std::string> row_titles;
  for (const Level* level : chosen) {
    row_titles.push_back(fmt::format("{} {}", level->number, level->title));
  }
  std::size_t title_width = std::string("level").size();
  for (const auto& title : row_titles)
    title_width = std::max(title_width, title.size());
  std::vector<std::size_t> widths;
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    std::size_t width =
        std::max(scenarios[s].name.size(), fmt::format("seed {}", rows[0][s].seed).size());
    for (const auto& row : rows)
      width = std::max(width, row[s].text.size());
    widths.push_back(width);
  }

  const std::string gap = "  ";
  std::string names = pad("level", title_width, painter, styles::heading);
  std::string seeds = pad("", title_width, painter, {});
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    names += gap + pad(scenarios[s].name, widths[s], painter, styles::heading);
    seeds += gap + pad(fmt::format("seed {}", rows[0][s].seed), widths[s], painter, {});
  }
  fmt::print(
      "Every level against every scenario, each run at {}; each cell is the checkers' "
      "verdict.\n\n",
      options.seed ? fmt::format("seed {}", *options.seed) : "the scenario's own seed");
  print_row(names);
  print_row(seeds);
  bool all_ran = true;
  const Cell* example = nullptr;  // the first broken cell, for the "see it in detail" hint
  std::size_t example_row = 0;    // an index into `chosen`, as into `rows`
  std::size_t example_scenario = 0;
  for (std::size_t l = 0; l < rows.size(); ++l) {
    std::string line = pad(row_titles[l], title_width, painter, {});
    for (std::size_t s = 0; s < scenarios.size(); ++s) {
      const Cell& cell = rows[l][s];
      line += gap + pad(cell.text, widths[s], painter, cell.good ? styles::good : styles::bad);
      all_ran = all_ran && cell.text != "error";
      if (example == nullptr && !cell.good) {
        example = &cell;
        example_row = l;
        example_scenario = s;
      }
    }
    print_row(line);
  }
  print_legend();
  const std::uint64_t example_seed = example ? example->seed : rows[0][0].seed;
  fmt::print(
      "\nsee a cell in detail: ./run demo LEVEL --scenario SCENARIO --seed SEED, e.g.\n  {}\n",
      painter.paint(
          fmt::format("./run demo {} --scenario {} --seed {}", chosen[example_row]->number,
                      scenarios[example_scenario].name, example_seed),
          styles::heading));
  return all_ran ? kExitOk : kExitFailure;
}

namespace {

// `ladder tour`'s command line as CLI11 fills it, until the verb runs.
struct TourCommandLine {
  TourOptions options;
  std::string scenarios_dir = default_scenarios_dir().string();
  std::uint64_t seed = 0;
  CLI::Option* seed_option = nullptr;
  std::string color = "auto";
};

TourOptions tour_options(const TourCommandLine& line) {
  TourOptions options = line.options;
  options.scenarios_dir = line.scenarios_dir;
  if (line.seed_option->count() > 0) options.seed = line.seed;
  options.color = color_mode(line.color);
  return options;
}

}  // namespace

void add_tour_verb(CommandLine& cli) {
  auto line = std::make_shared<TourCommandLine>();
  CLI::App* verb = cli.app().add_subcommand(
      "tour", "run every level against every scenario and print the table of verdicts");
  line->seed_option =
      add_seed_option(*verb, line->seed, "one seed for every run (default: each scenario's own)");
  verb->add_option("--level", line->options.levels, "only this level's row (repeat for more)");
  add_scenarios_option(*verb, line->scenarios_dir);
  add_color_option(*verb, line->color);
  cli.on_run(*verb, [line] { return run_tour(tour_options(*line)); });
}

}  // namespace ladder::tools
