/// \file
/// The explorer's side of bench/spin_vs_explorer.sh: the PN-counter model (level4_explore/
/// pn_model.hpp) explored breadth first with exact storage, on the bounds given, one core.
///
/// Prints one line of `key value` pairs that the script reads:
///
///     explorer states 3328 transitions 6969 seconds 0.004 states_per_s 832000 bytes_per_state 61
///
/// and exits 1 when the model finds a violation (it must not: the merge is the correct one).

#include <cstdint>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "level4_explore/explorer.hpp"
#include "level4_explore/pn_model.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Explore the PN-counter model, as bench/spin/pn_counter.pml does with Spin"};
  int replicas = 2;
  int adds = 2;
  int drops = 1;
  int duplicates = 1;
  int in_flight = 2;
  int repeat = 1;
  app.add_option("--replicas", replicas, "replicas (2 .. 4)")->capture_default_str();
  app.add_option("--adds", adds, "local adds in all")->capture_default_str();
  app.add_option("--drops", drops, "messages the network may drop")->capture_default_str();
  app.add_option("--duplicates", duplicates, "messages it may duplicate")->capture_default_str();
  app.add_option("--in-flight", in_flight, "the network's capacity")->capture_default_str();
  app.add_option("--repeat", repeat, "explore this many times; report the fastest")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  namespace pn = ladder::level4::pn;
  const pn::Config config{static_cast<std::uint8_t>(replicas), static_cast<std::uint8_t>(adds),
                          static_cast<std::uint8_t>(drops), static_cast<std::uint8_t>(duplicates),
                          static_cast<std::uint8_t>(in_flight)};
  const pn::Model model(config);
  ladder::level4::Summary best;
  for (int run = 0; run < repeat; ++run) {
    const auto result = ladder::level4::explore(model);
    if (!result.holds()) {
      fmt::print(stderr, "level4_spin_bench: unexpected violation: {}\n",
                 result.violation ? result.violation->message : result.liveness->message);
      return 1;
    }
    if (run == 0 || result.summary.seconds < best.seconds) best = result.summary;
  }
  fmt::print(
      "explorer states {} transitions {} seconds {:.3f} states_per_s {:.0f} "
      "bytes_per_state {:.0f}\n",
      best.states, best.transitions, best.seconds, best.states_per_second(),
      best.bytes_per_state());
  return 0;
}
