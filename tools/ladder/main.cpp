/// \file
/// `ladder`: the one command-line tool of the workbook. Each verb registers its own options and
/// what it does (command_line.hpp); main() lists the verbs, in the order `ladder --help` shows
/// them.

#include "tools/ladder/check_verb.hpp"
#include "tools/ladder/command_line.hpp"
#include "tools/ladder/explore_verb.hpp"
#include "tools/ladder/process_verbs.hpp"
#include "tools/ladder/verbs.hpp"

int main(int argc, char** argv) {
  using namespace ladder::tools;
  CommandLine cli;
  add_tour_verb(cli);
  add_demo_verb(cli);
  add_scenarios_verb(cli);
  add_monkey_verb(cli);
  add_check_verb(cli);
  // Level 1 across processes, and level 3 in production (process_verbs.hpp).
  add_node_verb(cli);
  add_client_verb(cli);
  add_cluster_verb(cli);
  // Level 3's runs replay bit for bit: run a trace file again, shrink it, draw it.
  add_replay_verb(cli);
  add_shrink_verb(cli);
  add_diagram_verb(cli);
  add_linearizable_verb(cli);
  // Level 4: every interleaving up to a bound (explore_verb.hpp).
  add_explore_verb(cli);
  return cli.run(argc, argv);
}
