/// \file
/// Level 4's explorer on level 3's cluster: states per second and bytes per stored state, on the
/// standard bound, one core.
///
/// The standard bound: the fixed variant (every invariant holds, so the whole space is explored),
/// 3 replicas, 1 client with 1 add, at most 1 drop and 1 timer firing, no duplicates or crashes:
/// 131,397 states. Each mode runs `--repeat` times; the best run counts (the machine is shared).
/// Results go to bench/RESULTS.md.

#include <algorithm>
#include <cstdint>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "level4_explore/explorer.hpp"
#include "level4_explore/level3_model.hpp"

int main(int argc, char** argv) {
  CLI::App app("level 4's explorer on level 3's cluster: states/s and bytes/state");
  ladder::level4::Level3Config config;
  config.variant = ladder::level3::Variant::fixed;
  config.max_drops = 1;
  config.max_timeouts = 1;
  int repeat = 3;
  bool liveness = false;
  app.add_option("--max-drops", config.max_drops, "messages lost")->capture_default_str();
  app.add_option("--max-timeouts", config.max_timeouts, "timer firings")->capture_default_str();
  app.add_option("--max-crashes", config.max_crashes, "crashes")->capture_default_str();
  app.add_option("--clients", config.clients, "clients")->capture_default_str();
  app.add_option("--repeat", repeat, "runs per mode; the best counts")->capture_default_str();
  app.add_flag("--liveness", liveness, "also keep edges and check liveness");
  CLI11_PARSE(app, argc, argv);

  const ladder::level4::Level3Model model(config);
  fmt::print("level 4 explorer, level 3's cluster: {}\n", config.describe());
  fmt::print("{:<12} {:>10} {:>12} {:>12} {:>12} {:>9}\n", "mode", "states", "transitions",
             "states/s", "bytes/state", "seconds");
  for (const auto mode :
       {ladder::level4::Mode::bfs, ladder::level4::Mode::fingerprint, ladder::level4::Mode::dfs}) {
    ladder::level4::Summary best;
    for (int run = 0; run < std::max(1, repeat); ++run) {
      const auto result = ladder::level4::explore(model, {.mode = mode, .liveness = liveness});
      if (!result.holds()) {
        fmt::print("unexpected violation: {}\n",
                   result.violation ? result.violation->message : result.liveness->message);
        return 1;
      }
      if (run == 0 || result.summary.seconds < best.seconds) best = result.summary;
    }
    fmt::print("{:<12} {:>10} {:>12} {:>12.0f} {:>12.1f} {:>9.2f}\n",
               ladder::level4::to_string(mode), best.states, best.transitions,
               best.states_per_second(), best.bytes_per_state(), best.seconds);
  }
  return 0;
}
