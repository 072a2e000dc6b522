/// \file
/// `ladder node`, `ladder client` and `ladder cluster up`: their options, and the dispatch from a
/// `--cluster` value to level 1 or level 3.

#include "tools/ladder/process_verbs.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "tools/ladder/command_line.hpp"
#include "tools/ladder/node.hpp"
#include "tools/ladder/runtime_verbs.hpp"
#include "tools/ladder/usage_error.hpp"

namespace ladder::tools {

namespace {

// `ladder node`'s command line as CLI11 fills it, until the verb runs.
struct NodeCommandLine {
  NodeOptions level1;  // level 1's options; --id goes to both levels
  std::string cluster;
  RuntimeNodeOptions level3;  // level 3's, with a cluster file
  std::string faults;
  CLI::Option* data_dir = nullptr;
};

// The options only a level 3 node takes: where its disk is, and what faults and variant it runs.
void add_level3_node_options(CLI::App& verb, NodeCommandLine& line) {
  RuntimeNodeOptions& options = line.level3;
  line.data_dir = verb.add_option("--data-dir", options.data_dir, "level 3: the replica's disk")
                      ->type_name("DIR");
  verb.add_option("--variant", options.variant, "level 3: first-release or fixed")
      ->capture_default_str();
  verb.add_option("--faults", line.faults,
                  "level 3: a scenario file whose message faults (drop, duplicate, delay) "
                  "apply to the node's outgoing datagrams")
      ->check(CLI::ExistingFile)
      ->type_name("SCENARIO.json");
  add_seed_option(verb, options.seed, "level 3: the fault plan's seed");
}

// How a level 3 node's RESP door groups the commands it receives.
void add_door_options(CLI::App& verb, RuntimeNodeOptions& options) {
  verb.add_option("--door-in-flight", options.door_in_flight,
                  "level 3: requests the RESP door keeps outstanding; the commands that arrive "
                  "meanwhile leave together as one (docs/05-level3-runtime.md)")
      ->capture_default_str()
      ->type_name("N");
  verb.add_option("--door-linger-us", options.door_linger_us,
                  "level 3: how long the door's next request may wait for the clients it just "
                  "answered to send again, so that they ride along; 0: never")
      ->capture_default_str()
      ->type_name("US");
  verb.add_option("--door-linger-gap-us", options.door_linger_gap_us,
                  "level 3: the linger also ends when no command has arrived for this long; 0: "
                  "only --door-linger-us bounds it")
      ->capture_default_str()
      ->type_name("US");
}

// A level 3 node's switches for A/B runs and for a corrupt disk.
void add_level3_node_flags(CLI::App& verb, RuntimeNodeOptions& options) {
  verb.add_flag("--default-scheduling{false}", options.batch_scheduling,
                "level 3: serve under the default policy, not SCHED_BATCH (for A/B runs)");
  verb.add_flag("--append-disk{false}", options.preallocate_disk,
                "level 3: append each record, growing the log at every sync, instead of "
                "writing it in place into zeros written ahead (slower; for A/B runs)");
  verb.add_flag("--repair-disk", options.repair_disk,
                "level 3: move a corrupt log aside and start without a disk (the state comes "
                "from the other replicas)");
}

// A cluster file runs a level 3 replica; a list of ports, level 1's.
int run_node_verb(const NodeCommandLine& line) {
  if (is_cluster_file(line.cluster)) {
    if (line.data_dir->count() == 0) throw UsageError("a level 3 node needs --data-dir DIR");
    RuntimeNodeOptions options = line.level3;
    options.id = line.level1.id;
    options.cluster = line.cluster;
    if (!line.faults.empty()) options.faults = line.faults;
    return run_runtime_node(options);
  }
  if (line.data_dir->count() > 0)
    throw UsageError("--data-dir is for a level 3 node: --cluster FILE.json");
  NodeOptions options = line.level1;
  options.cluster = parse_cluster(line.cluster);
  return run_node(options);
}

// `ladder client`'s command line as CLI11 fills it, until the verb runs.
struct ClientCommandLine {
  ClientVerbOptions level1;  // level 1's options, the ones both levels take among them
  std::string cluster;
  std::uint64_t deadline_ms = 1000;
  CLI::Option* delta = nullptr;
  CLI::Option* client = nullptr;
  CLI::Option* deadline = nullptr;
};

// The request id a level 1 add carries, and the replica a level 1 call goes to.
void add_level1_client_options(CLI::App& verb, ClientVerbOptions& options,
                               ClientCommandLine& line) {
  verb.add_option("--replica", options.replica, "add, read: the replica to call")
      ->check(digits())
      ->capture_default_str();
  line.client = verb.add_option("--client", options.client, "add: the request id's client number")
                    ->check(digits())
                    ->capture_default_str();
  verb.add_option("--seq", options.seq,
                  "add: the request id's sequence number; the same id twice is what a retry "
                  "looks like")
      ->check(digits())
      ->capture_default_str();
}

// A level 3 call: its own client id and deadline unless the command line gives them.
int run_level3_client(const ClientCommandLine& line) {
  RuntimeClientOptions options;
  options.cluster = line.cluster;
  options.operation = line.level1.operation;
  options.delta = line.level1.delta;
  if (line.client->count() > 0) options.client = line.level1.client;
  if (line.deadline->count() > 0) {
    options.deadline = std::chrono::milliseconds(static_cast<std::int64_t>(line.deadline_ms));
  }
  if (options.operation == "add" && line.delta->count() == 0)
    throw UsageError("client add needs a DELTA: ladder client --cluster FILE add 5");
  return run_runtime_client(options);
}

// A cluster file calls a level 3 cluster; a list of ports, level 1's.
int run_client_verb(const ClientCommandLine& line) {
  if (is_cluster_file(line.cluster)) return run_level3_client(line);
  ClientVerbOptions options = line.level1;
  options.cluster = parse_cluster(line.cluster);
  if (options.operation == "add" && line.delta->count() == 0)
    throw UsageError("client add needs a DELTA: ladder client --cluster ... add 5");
  options.deadline = std::chrono::milliseconds(static_cast<std::int64_t>(line.deadline_ms));
  return run_client(options);
}

// `ladder cluster up`'s command line as CLI11 fills it, until the verb runs.
struct ClusterUpCommandLine {
  ClusterUpOptions options;
  std::string dir = options.dir.string();
};

ClusterUpOptions cluster_up_options(const ClusterUpCommandLine& line) {
  ClusterUpOptions options = line.options;
  options.dir = line.dir;
  return options;
}

}  // namespace

void add_node_verb(CommandLine& cli) {
  auto line = std::make_shared<NodeCommandLine>();
  CLI::App* verb = cli.app().add_subcommand(
      "node", "run one level 1 replica as a process of its own, until Ctrl-C or SIGTERM");
  verb->add_option("--id", line->level1.id,
                   "which replica this process is: 0 for r0, 1 for r1, ...")
      ->required()
      ->check(digits())
      ->type_name("N");
  verb->add_option("--cluster", line->cluster,
                   "every replica's port on 127.0.0.1, in replica order: 7000,7001,7002")
      ->required()
      ->type_name("PORTS");
  verb->footer(
      "With --cluster FILE.json (a cluster file, as `ladder cluster up` writes) the node is a\n"
      "level 3 replica: the pure core on UDP, a durable log in --data-dir and a RESP door:\n"
      "  ladder node --id 1 --cluster cluster.json --data-dir data-r1");
  add_level3_node_options(*verb, *line);
  add_door_options(*verb, line->level3);
  add_level3_node_flags(*verb, line->level3);
  cli.on_run(*verb, [line] { return run_node_verb(*line); });
}

void add_client_verb(CommandLine& cli) {
  auto line = std::make_shared<ClientCommandLine>();
  ClientVerbOptions& options = line->level1;
  CLI::App* verb =
      cli.app().add_subcommand("client", "make one call on a cluster of `ladder node` processes");
  verb->add_option("OPERATION", options.operation, "add, read or state")
      ->required()
      ->check(CLI::IsMember({"add", "read", "state"}));
  line->delta =
      verb->add_option("DELTA", options.delta, "add: how much to add (negative to subtract)");
  verb->add_option("--cluster", line->cluster,
                   "every replica's port on 127.0.0.1, in replica order: 7000,7001,7002")
      ->required()
      ->type_name("PORTS");
  add_level1_client_options(*verb, options, *line);
  line->deadline = verb->add_option("--deadline-ms", line->deadline_ms, "each call's deadline")
                       ->check(CLI::Range(1, 600000))
                       ->capture_default_str();
  verb->footer(
      "With --cluster FILE.json the call goes to a level 3 cluster (ladder cluster up): add\n"
      "DELTA or read, through the protocol's client over UDP, printing \"ok =VALUE\" or\n"
      "\"unknown: ...\"; --client picks the client id (default 63; the doors use 0 .. 59),\n"
      "--deadline-ms when to give up (default 2000).");
  cli.on_run(*verb, [line] { return run_client_verb(*line); });
}

void add_cluster_verb(CommandLine& cli) {
  auto line = std::make_shared<ClusterUpCommandLine>();
  ClusterUpOptions& options = line->options;
  CLI::App* verb =
      cli.app().add_subcommand("cluster", "run a level 3 cluster of `ladder node` processes");
  verb->require_subcommand(1);
  CLI::App* up = verb->add_subcommand(
      "up", "write DIR/cluster.json, start the nodes, say how to talk to them; Ctrl-C stops all");
  up->add_option("--nodes", options.nodes, "how many replicas (odd)")
      ->check(CLI::Range(1, 15))
      ->capture_default_str();
  up->add_option("--dir", line->dir, "where cluster.json and the data dirs go")
      ->capture_default_str();
  up->add_option("--base-port", options.base_port, "replica i's UDP port is this + i")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  up->add_option("--resp-base-port", options.resp_base_port,
                 "replica i's RESP (redis-cli) port is this + i")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  up->add_option("--variant", options.variant, "first-release or fixed")
      ->check(CLI::IsMember({"first-release", "fixed"}))
      ->capture_default_str();
  cli.on_run(*up, [line] { return run_cluster_up(cluster_up_options(*line)); });
}

}  // namespace ladder::tools
