/// \file
/// `ladder`: the one command-line tool of the workbook. This file only turns the command line into
/// a verb's options (CLI11) and the verb's outcome into an exit code; the verbs live beside it.

#include <chrono>
#include <cstdint>
#include <exception>
#include <map>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <CLI/CLI.hpp>

#include "tools/ladder/check.hpp"
#include "tools/ladder/diagram_states.hpp"
#include "tools/ladder/explore_verb.hpp"
#include "tools/ladder/levels.hpp"
#include "tools/ladder/node.hpp"
#include "tools/ladder/runtime_verbs.hpp"
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
  tour_verb->add_option("--level", tour.levels, "only this level's row (repeat for more)");
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
  demo_verb
      ->add_option(
          "--variant", demo.variant,
          "for a level with variants (levels 2 and 3: first-release, fixed): which one to run")
      ->type_name("NAME");
  // Each level's own options (levels.hpp, LevelOption), offered to every level; a level that does
  // not take one says so when it runs.
  std::map<std::string, std::string> level_option_values;  // filled before parsing: stable nodes
  std::map<std::string, CLI::Option*> level_option_flags;
  for (const LevelOption& option : all_level_options()) {
    level_option_flags[option.name] =
        demo_verb
            ->add_option("--" + option.name, level_option_values[option.name],
                         fmt::format("{}: {}", option.help, fmt::join(option.values, " or ")))
            ->type_name("WORD");
  }

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
  monkey_verb
      ->add_option(
          "--variant", monkey.variant,
          "for a level with variants (levels 2 and 3: first-release, fixed): which one to run")
      ->type_name("NAME");
  monkey_verb
      ->add_option("--reruns", monkey.reruns,
                   "for a level on real threads: how often each failing seed is run again")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  add_color_option(*monkey_verb, color);

  CheckOptions check;
  CLI::App* check_verb =
      app.add_subcommand("check", "grade your work on an exercise: build its tests and run them");
  check_verb->add_option("NN", check.exercise, "the exercise: 01, 1 or 01_acks")->required();
  check_verb->add_flag("--solution", check.solution,
                       "check the exercise's solution instead of your starter");
  check_verb->add_flag("--verbose", check.verbose, "print the build output and failures in full");

  // Level 1 across processes (tools/ladder/node.hpp): one replica per process, and one call.
  NodeOptions node;
  std::string node_cluster;
  CLI::App* node_verb = app.add_subcommand(
      "node", "run one level 1 replica as a process of its own, until Ctrl-C or SIGTERM");
  node_verb->add_option("--id", node.id, "which replica this process is: 0 for r0, 1 for r1, ...")
      ->required()
      ->check(kDigits)
      ->type_name("N");
  node_verb
      ->add_option("--cluster", node_cluster,
                   "every replica's port on 127.0.0.1, in replica order: 7000,7001,7002")
      ->required()
      ->type_name("PORTS");
  // Level 3 in production (tools/ladder/runtime_verbs.hpp): the same verb with a cluster file.
  RuntimeNodeOptions runtime_node;
  std::string runtime_faults;
  node_verb->footer(
      "With --cluster FILE.json (a cluster file, as `ladder cluster up` writes) the node is a\n"
      "level 3 replica: the pure core on UDP, a durable log in --data-dir and a RESP door:\n"
      "  ladder node --id 1 --cluster cluster.json --data-dir data-r1");
  CLI::Option* node_data_dir =
      node_verb->add_option("--data-dir", runtime_node.data_dir, "level 3: the replica's disk")
          ->type_name("DIR");
  node_verb->add_option("--variant", runtime_node.variant, "level 3: first-release or fixed")
      ->capture_default_str();
  node_verb
      ->add_option("--faults", runtime_faults,
                   "level 3: a scenario file whose message faults (drop, duplicate, delay) "
                   "apply to the node's outgoing datagrams")
      ->check(CLI::ExistingFile)
      ->type_name("SCENARIO.json");
  add_seed_option(*node_verb, runtime_node.seed, "level 3: the fault plan's seed");
  node_verb
      ->add_option("--door-in-flight", runtime_node.door_in_flight,
                   "level 3: requests the RESP door keeps outstanding; the commands that arrive "
                   "meanwhile leave together as one (docs/05-level3-runtime.md)")
      ->capture_default_str()
      ->type_name("N");
  node_verb
      ->add_option("--door-linger-us", runtime_node.door_linger_us,
                   "level 3: how long the door's next request may wait for the clients it just "
                   "answered to send again, so that they ride along; 0: never")
      ->capture_default_str()
      ->type_name("US");
  node_verb
      ->add_option("--door-linger-gap-us", runtime_node.door_linger_gap_us,
                   "level 3: the linger also ends when no command has arrived for this long; 0: "
                   "only --door-linger-us bounds it")
      ->capture_default_str()
      ->type_name("US");
  node_verb->add_flag("--default-scheduling{false}", runtime_node.batch_scheduling,
                      "level 3: serve under the default policy, not SCHED_BATCH (for A/B runs)");
  node_verb->add_flag("--append-disk{false}", runtime_node.preallocate_disk,
                      "level 3: append each record, growing the log at every sync, instead of "
                      "writing it in place into zeros written ahead (slower; for A/B runs)");
  node_verb->add_flag("--repair-disk", runtime_node.repair_disk,
                      "level 3: move a corrupt log aside and start without a disk (the state comes "
                      "from the other replicas)");

  ClientVerbOptions client;
  std::string client_cluster;
  std::uint64_t client_deadline_ms = 1000;
  CLI::App* client_verb =
      app.add_subcommand("client", "make one call on a cluster of `ladder node` processes");
  client_verb->add_option("OPERATION", client.operation, "add, read or state")
      ->required()
      ->check(CLI::IsMember({"add", "read", "state"}));
  CLI::Option* client_delta =
      client_verb->add_option("DELTA", client.delta, "add: how much to add (negative to subtract)");
  client_verb
      ->add_option("--cluster", client_cluster,
                   "every replica's port on 127.0.0.1, in replica order: 7000,7001,7002")
      ->required()
      ->type_name("PORTS");
  client_verb->add_option("--replica", client.replica, "add, read: the replica to call")
      ->check(kDigits)
      ->capture_default_str();
  client_verb->add_option("--client", client.client, "add: the request id's client number")
      ->check(kDigits)
      ->capture_default_str();
  client_verb
      ->add_option("--seq", client.seq,
                   "add: the request id's sequence number; the same id twice is what a retry "
                   "looks like")
      ->check(kDigits)
      ->capture_default_str();
  client_verb->add_option("--deadline-ms", client_deadline_ms, "each call's deadline")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  client_verb->footer(
      "With --cluster FILE.json the call goes to a level 3 cluster (ladder cluster up): add\n"
      "DELTA or read, through the protocol's client over UDP, printing \"ok =VALUE\" or\n"
      "\"unknown: ...\"; --client picks the client id (default 63; the doors use 0 .. 59),\n"
      "--deadline-ms when to give up (default 2000).");

  // Level 3 in production: a cluster of node processes on this machine.
  ClusterUpOptions cluster_up;
  std::string cluster_up_dir = cluster_up.dir.string();
  CLI::App* cluster_verb =
      app.add_subcommand("cluster", "run a level 3 cluster of `ladder node` processes");
  cluster_verb->require_subcommand(1);
  CLI::App* cluster_up_verb = cluster_verb->add_subcommand(
      "up", "write DIR/cluster.json, start the nodes, say how to talk to them; Ctrl-C stops all");
  cluster_up_verb->add_option("--nodes", cluster_up.nodes, "how many replicas (odd)")
      ->check(CLI::Range(1, 15))
      ->capture_default_str();
  cluster_up_verb->add_option("--dir", cluster_up_dir, "where cluster.json and the data dirs go")
      ->capture_default_str();
  cluster_up_verb
      ->add_option("--base-port", cluster_up.base_port, "replica i's UDP port is this + i")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  cluster_up_verb
      ->add_option("--resp-base-port", cluster_up.resp_base_port,
                   "replica i's RESP (redis-cli) port is this + i")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  cluster_up_verb->add_option("--variant", cluster_up.variant, "first-release or fixed")
      ->check(CLI::IsMember({"first-release", "fixed"}))
      ->capture_default_str();

  // Level 3's runs replay bit for bit: run a trace file again, shrink it, draw it.
  ReplayOptions replay;
  std::string replay_file;
  CLI::App* replay_verb = app.add_subcommand(
      "replay", "run a level 3 trace file again and check that the run is the same, bit for bit");
  replay_verb->add_option("FILE", replay_file, "the trace file (trace.jsonl of a results folder)")
      ->required()
      ->check(CLI::ExistingFile);
  replay_verb->add_flag("--print", replay.print, "also print the replayed run's events");
  add_color_option(*replay_verb, color);

  ShrinkOptions shrink;
  std::string shrink_file;
  std::string shrink_output;
  CLI::App* shrink_verb = app.add_subcommand(
      "shrink", "shrink a failing level 3 trace to a small run that fails the same way");
  shrink_verb->add_option("FILE", shrink_file, "the failing run's trace file")
      ->required()
      ->check(CLI::ExistingFile);
  shrink_verb->add_option("-o,--output", shrink_output, "where to write the shrunk trace")
      ->type_name("FILE");
  shrink_verb->add_option("--max-runs", shrink.max_runs, "the most candidate runs to try")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  add_color_option(*shrink_verb, color);

  DiagramOptions diagram;
  std::string diagram_file;
  std::string diagram_output;
  CLI::App* diagram_verb = app.add_subcommand(
      "diagram", "draw a level 3 run as a Lamport diagram, or level 3's roles, with Graphviz");
  diagram_verb->require_subcommand(1);
  CLI::App* diagram_trace =
      diagram_verb->add_subcommand("trace", "a Lamport diagram of a trace file");
  diagram_trace->add_option("FILE", diagram_file, "the trace file")
      ->required()
      ->check(CLI::ExistingFile);
  diagram_trace->add_option("--max-events", diagram.max_events, "the most events drawn")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  diagram_trace->add_flag("--timers", diagram.timers, "also draw timers firing");
  CLI::App* diagram_roles = diagram_verb->add_subcommand(
      "roles", "the roles of a level 3 replica and their transitions, from the core's table");
  // Level 4: the reachable state graph of a tiny configuration (tools/ladder/diagram_states.hpp).
  DiagramStatesOptions diagram_states;
  CLI::App* diagram_states_verb = diagram_verb->add_subcommand(
      "states", "level 4: every reachable global state of a tiny configuration, and its events");
  diagram_states_verb->add_option("--model", diagram_states.model, "level3 or pn-counter")
      ->check(CLI::IsMember({"level3", "pn-counter"}))
      ->capture_default_str();
  diagram_states_verb
      ->add_option("--max-states", diagram_states.max_states,
                   "refuse to draw more states than this")
      ->check(CLI::Range(1, 5000))
      ->capture_default_str();
  diagram_states_verb->add_option("--variant", diagram_states.variant, "level3: rule V4's variant")
      ->check(CLI::IsMember({"first-release", "fixed"}))
      ->capture_default_str();
  diagram_states_verb->add_option("--merge", diagram_states.merge, "pn-counter: max or sum")
      ->check(CLI::IsMember({"max", "sum"}))
      ->capture_default_str();
  diagram_states_verb->add_option("--replicas", diagram_states.replicas,
                                  "replicas (level3 default 3, pn-counter 2)");
  diagram_states_verb->add_option("--clients", diagram_states.clients, "level3: clients (1)");
  diagram_states_verb->add_option("--ops", diagram_states.ops, "level3: adds per client (1)");
  diagram_states_verb->add_option("--adds", diagram_states.adds, "pn-counter: adds in all (1)");
  diagram_states_verb->add_option("--in-flight", diagram_states.in_flight,
                                  "pn-counter: messages in flight at most (1)");
  diagram_states_verb->add_option("--max-drops", diagram_states.max_drops, "messages dropped (0)");
  diagram_states_verb->add_option("--max-duplicates", diagram_states.max_duplicates,
                                  "messages duplicated (0)");
  diagram_states_verb->add_option("--max-crashes", diagram_states.max_crashes,
                                  "level3: replica crashes (0)");
  diagram_states_verb->add_option("--max-timeouts", diagram_states.max_timeouts,
                                  "level3: timer firings (0)");
  for (CLI::App* what : {diagram_trace, diagram_roles, diagram_states_verb}) {
    what->add_option("-o,--output", diagram_output, "the picture: .svg, .png, .pdf or .dot")
        ->required()
        ->type_name("FILE");
  }

  LinearizableOptions linearizable;
  std::string linearizable_file;
  std::string linearizable_output;
  CLI::App* linearizable_verb = app.add_subcommand(
      "linearizable", "is a recorded history (JSON lines) linearizable? exit 0 yes, 1 no");
  linearizable_verb->add_option("HISTORY", linearizable_file, "the history, one event per line")
      ->required()
      ->check(CLI::ExistingFile);
  linearizable_verb->add_option("--model", linearizable.model, "the sequential model")
      ->check(CLI::IsMember({"counter", "register"}))
      ->capture_default_str();
  linearizable_verb->add_option("-o,--output", linearizable_output, "write a picture (.html)")
      ->type_name("FILE");

  // Level 4: every interleaving up to a bound (tools/ladder/explore_verb.hpp).
  ExploreOptions explore;
  CLI::App* explore_verb = add_explore_verb(app, explore);
  add_color_option(*explore_verb, color);

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
      for (const auto& [name, flag] : level_option_flags) {
        if (flag->count() > 0) demo.settings[name] = level_option_values[name];
      }
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
    if (node_verb->parsed() && is_cluster_file(node_cluster)) {
      if (node_data_dir->count() == 0) throw UsageError("a level 3 node needs --data-dir DIR");
      runtime_node.id = node.id;
      runtime_node.cluster = node_cluster;
      if (!runtime_faults.empty()) runtime_node.faults = runtime_faults;
      return run_runtime_node(runtime_node);
    }
    if (node_verb->parsed() && node_data_dir->count() > 0)
      throw UsageError("--data-dir is for a level 3 node: --cluster FILE.json");
    if (node_verb->parsed()) {
      node.cluster = parse_cluster(node_cluster);
      return run_node(node);
    }
    if (explore_verb->parsed()) {
      explore.color = kColorModes.at(color);
      return run_explore(explore);
    }
    if (replay_verb->parsed()) {
      replay.trace = replay_file;
      replay.color = kColorModes.at(color);
      return run_replay(replay);
    }
    if (shrink_verb->parsed()) {
      shrink.trace = shrink_file;
      if (!shrink_output.empty()) shrink.output = shrink_output;
      shrink.color = kColorModes.at(color);
      return run_shrink(shrink);
    }
    if (diagram_states_verb->parsed()) {
      diagram_states.output = diagram_output;
      return run_diagram_states(diagram_states);
    }
    if (diagram_verb->parsed()) {
      diagram.what = diagram_trace->parsed() ? "trace" : "roles";
      if (diagram_trace->parsed()) diagram.trace = diagram_file;
      diagram.output = diagram_output;
      return run_diagram(diagram);
    }
    if (linearizable_verb->parsed()) {
      linearizable.history = linearizable_file;
      if (!linearizable_output.empty()) linearizable.output = linearizable_output;
      return run_linearizable(linearizable);
    }
    if (client_verb->parsed() && is_cluster_file(client_cluster)) {
      RuntimeClientOptions runtime_client;
      runtime_client.cluster = client_cluster;
      runtime_client.operation = client.operation;
      runtime_client.delta = client.delta;
      if (client_verb->get_option("--client")->count() > 0) runtime_client.client = client.client;
      if (client_verb->get_option("--deadline-ms")->count() > 0) {
        runtime_client.deadline =
            std::chrono::milliseconds(static_cast<std::int64_t>(client_deadline_ms));
      }
      if (client.operation == "add" && client_delta->count() == 0)
        throw UsageError("client add needs a DELTA: ladder client --cluster FILE add 5");
      return run_runtime_client(runtime_client);
    }
    if (cluster_up_verb->parsed()) {
      cluster_up.dir = cluster_up_dir;
      return run_cluster_up(cluster_up);
    }
    if (client_verb->parsed()) {
      client.cluster = parse_cluster(client_cluster);
      if (client.operation == "add" && client_delta->count() == 0)
        throw UsageError("client add needs a DELTA: ladder client --cluster ... add 5");
      client.deadline = std::chrono::milliseconds(static_cast<std::int64_t>(client_deadline_ms));
      return run_client(client);
    }
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
