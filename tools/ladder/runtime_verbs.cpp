#include "tools/ladder/runtime_verbs.hpp"

#include <signal.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/system/system_error.hpp>

#include "level3_pure/runtime/cluster_file.hpp"
#include "level3_pure/runtime/durable_log.hpp"
#include "level3_pure/runtime/runtime.hpp"
#include "level3_pure/runtime/runtime_client.hpp"
#include "level3_pure/runtime/runtime_door.hpp"
#include "network/scenario.hpp"
#include "network/scheduling.hpp"
#include "tools/ladder/node_process.hpp"
#include "tools/ladder/usage_error.hpp"

namespace ladder::tools {

DoorDefaults door_defaults() {
  const level3::DoorOptions door;
  return {door.max_in_flight, static_cast<std::uint64_t>(door.linger.count()),
          static_cast<std::uint64_t>(door.linger_gap.count())};
}

namespace {

namespace asio = boost::asio;
using level3::ClusterFile;

// One line on stdout, flushed at once: a node's output is read live, often through a pipe.
void say(const std::string& line) {
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

ClusterFile read_cluster(const std::filesystem::path& file) {
  try {
    return level3::load_cluster_file(file);
  } catch (const level3::ClusterFileError& error) {
    throw UsageError(error.what());
  }
}

level3::NodeOptions node_options(const RuntimeNodeOptions& options, const ClusterFile& cluster) {
  if (options.id < 0 || options.id >= cluster.config.replicas) {
    throw UsageError(fmt::format("--id {}: {} has replicas 0 .. {}", options.id,
                                 options.cluster.string(), cluster.config.replicas - 1));
  }
  const auto variant = level3::parse_variant(options.variant);
  if (!variant) {
    throw UsageError(
        fmt::format("--variant \"{}\": expected fixed or first-release", options.variant));
  }
  level3::NodeOptions node;
  node.cluster = cluster;
  node.id = options.id;
  node.data_dir = options.data_dir;
  node.variant = *variant;
  node.seed = options.seed;
  node.repair_disk = options.repair_disk;
  node.preallocate_disk = options.preallocate_disk;
  node.door_deadline = options.deadline;
  const std::size_t ids = level3::client_range(cluster.config.replicas, options.id).count;
  if (options.door_in_flight < 1 || options.door_in_flight > ids) {
    throw UsageError(fmt::format("--door-in-flight {}: this node's door has client ids for 1 .. {}",
                                 options.door_in_flight, ids));
  }
  node.door_in_flight = options.door_in_flight;
  if (options.door_linger_us > 100'000) {
    throw UsageError(fmt::format("--door-linger-us {}: at most 100000 (0.1 s); 0 turns it off",
                                 options.door_linger_us));
  }
  node.door_linger = std::chrono::microseconds(options.door_linger_us);
  if (options.door_linger_gap_us > 100'000) {
    throw UsageError(fmt::format("--door-linger-gap-us {}: at most 100000 (0.1 s); 0 turns it off",
                                 options.door_linger_gap_us));
  }
  node.door_linger_gap = std::chrono::microseconds(options.door_linger_gap_us);
  if (options.faults) {
    try {
      node.faults = net::load_scenario(*options.faults).faults;
    } catch (const net::ScenarioError& error) {
      throw UsageError(fmt::format("--faults: {}", error.what()));
    }
  }
  return node;
}

}  // namespace

bool is_cluster_file(const std::string& cluster) {
  const bool json = cluster.size() >= 5 && cluster.compare(cluster.size() - 5, 5, ".json") == 0;
  std::error_code ignored;
  return json || std::filesystem::is_regular_file(cluster, ignored);
}

// ---- ladder node -------------------------------------------------------------------------------

int run_runtime_node(const RuntimeNodeOptions& options) {
  const ClusterFile cluster = read_cluster(options.cluster);
  level3::NodeOptions node_opts = node_options(options, cluster);
  std::error_code error;
  std::filesystem::create_directories(options.data_dir, error);
  if (error) {
    throw UsageError(fmt::format("--data-dir {}: {}", options.data_dir.string(), error.message()));
  }
  const std::string name = fmt::format("r{}", options.id);

  // The node's one thread serves everything; a hint, so a refusal changes nothing else.
  if (options.batch_scheduling) (void)net::use_batch_scheduling();
  asio::io_context io;
  std::unique_ptr<level3::Node> node;
  std::string ready;
  try {
    node = std::make_unique<level3::Node>(io, std::move(node_opts));
    ready = node->start();
  } catch (const level3::DiskError& failure) {
    fmt::print(stderr, "ladder node: {} refuses to start: {}\n", name, failure.what());
    return kExitFailure;
  } catch (const boost::system::system_error& failure) {
    fmt::print(stderr, "ladder node: {} cannot listen: {}\n", name, failure.what());
    return kExitFailure;
  }
  say(ready);

  // SIGKILL skips all of this, which is the point of sending one: a crash says goodbye to nobody.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  int received = 0;
  signals.async_wait([&](const boost::system::error_code& failure, int signal) {
    if (failure) return;
    received = signal;
    node->stop();
    io.stop();
  });
  io.run();
  say(fmt::format("{} (by {})", node->summary(), received == SIGINT ? "SIGINT" : "SIGTERM"));
  return kExitOk;
}

// ---- ladder client -----------------------------------------------------------------------------

int run_runtime_client(const RuntimeClientOptions& options) {
  const ClusterFile cluster = read_cluster(options.cluster);
  const std::uint32_t client =
      options.client.value_or(static_cast<std::uint32_t>(protocol::kMaxClients - 1));
  if (client >= protocol::kMaxClients) {
    throw UsageError(fmt::format("--client {}: client ids are 0 .. {} (the doors use 0 .. {})",
                                 client, protocol::kMaxClients - 1,
                                 protocol::kMaxClients - level3::kCliClients - 1));
  }
  protocol::Op op;
  if (options.operation == "add") {
    op = protocol::Op::add(options.delta);
  } else if (options.operation == "read") {
    op = protocol::Op::read();
  } else {
    throw UsageError(fmt::format("with a cluster file, the operations are add and read, not \"{}\"",
                                 options.operation));
  }
  const level3::ClientOutcome outcome = level3::call_cluster(cluster, client, op, options.deadline);
  const std::string request = spec::to_string(outcome.request.id);
  if (outcome.value) {
    say(fmt::format("ok ={}", *outcome.value));
    return kExitOk;
  }
  say(fmt::format(
      "unknown: no reply to {} within {} ms; {}", request, options.deadline.count(),
      op.kind == spec::OpKind::add ? "the add may or may not have happened" : "nothing was read"));
  return kExitFailure;
}

// ---- ladder cluster up -------------------------------------------------------------------------

namespace {

struct Child {
  int id = 0;
  std::filesystem::path output;
  std::unique_ptr<NodeProcess> process;  // reaped when it ends; killed if still running at exit
};

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> node_argv(const ClusterUpOptions& options, int id) {
  return {"ladder",     "node",
          "--id",       std::to_string(id),
          "--cluster",  (options.dir / "cluster.json").string(),
          "--data-dir", (options.dir / fmt::format("data-r{}", id)).string(),
          "--variant",  options.variant};
}

// This very binary as `ladder node`, its output to a file; it stops (SIGTERM) when we die.
std::unique_ptr<NodeProcess> spawn(std::vector<std::string> argv,
                                   const std::filesystem::path& output) {
  argv.front() = std::filesystem::read_symlink("/proc/self/exe").string();
  return std::make_unique<NodeProcess>(argv, output, SIGTERM);
}

// Waits until `child` printed its ready line (true) or ended (false), at most 30 s.
bool wait_ready(Child& child) {
  for (int i = 0; i < 3000; ++i) {
    if (read_text(child.output).find("ready r") != std::string::npos) return true;
    if (!child.process->poll()) {
      fmt::print(stderr, "ladder cluster up: r{} {} before it was ready:\n{}", child.id,
                 describe(*child.process->ended()), read_text(child.output));
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  fmt::print(stderr, "ladder cluster up: r{} did not get ready in 30 s:\n{}", child.id,
             read_text(child.output));
  return false;
}

// SIGTERM to every node still running, then up to 5 s each to stop (then SIGKILL).
void stop_all(std::vector<Child>& children) {
  for (Child& child : children)
    child.process->signal(SIGTERM);
  for (Child& child : children) {
    if (!child.process->running()) continue;
    const ProcessExit exit = child.process->wait(std::chrono::seconds(5));
    say(fmt::format("r{} stopped ({})", child.id, describe(exit)));
  }
}

void print_guide(const ClusterUpOptions& options, const ClusterFile& cluster,
                 const std::vector<Child>& children) {
  const std::string file = (options.dir / "cluster.json").string();
  say(fmt::format("a level 3 cluster of {} replicas is up ({}):", children.size(), file));
  for (const Child& child : children) {
    const auto& member = cluster.replicas.at(static_cast<std::size_t>(child.id));
    say(fmt::format("  r{}  pid {:<7} udp {}:{}  resp {}:{}  output {}", child.id,
                    child.process->pid(), cluster.host, member.udp, cluster.host, member.resp,
                    child.output.string()));
  }
  const std::uint16_t primary = cluster.replicas.front().resp;
  say("talk to it:");
  say(fmt::format(
      "  redis-cli -p {} INCR c            (r0 is the first primary; any node's door works)",
      primary));
  say(fmt::format("  redis-cli -p {} GET c", primary));
  say(fmt::format("  ladder client --cluster {} add 5", file));
  say(fmt::format("  ladder client --cluster {} read", file));
  say(fmt::format("  redis-benchmark -p {} -t incr -n 100000 -c 50", primary));
  say("crash one and bring it back:");
  say(fmt::format("  kill -9 {}", children.back().process->pid()));
  const std::vector<std::string> argv = node_argv(options, children.back().id);
  std::string line;
  for (std::size_t i = 0; i < argv.size(); ++i)
    line += (i == 0 ? "" : " ") + argv[i];
  say(fmt::format("  {}        (by hand, in another terminal)", line));
  say("stop them all: Ctrl-C here");
}

}  // namespace

int run_cluster_up(const ClusterUpOptions& options) {
  if (options.nodes < 1 || options.nodes > 15 || options.nodes % 2 == 0) {
    throw UsageError(fmt::format("--nodes {}: expected an odd number from 1 to 15", options.nodes));
  }
  if (options.base_port + options.nodes > 65536 || options.resp_base_port + options.nodes > 65536) {
    throw UsageError("--base-port, --resp-base-port: the ports must fit below 65536");
  }
  std::filesystem::create_directories(options.dir);
  ClusterFile cluster =
      ClusterFile::local(options.nodes, options.base_port, options.resp_base_port);
  level3::write_cluster_file(options.dir / "cluster.json", cluster);

  // The signals are taken by sigwait below, not by handlers: blocked before the children exist,
  // so that none is lost in between (each child unblocks them before exec).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &signals, nullptr);

  std::vector<Child> children;
  for (int id = 0; id < options.nodes; ++id) {
    Child child{id, options.dir / fmt::format("r{}.out", id), nullptr};
    std::filesystem::create_directories(options.dir / fmt::format("data-r{}", id));
    std::ofstream(child.output, std::ios::trunc).close();
    child.process = spawn(node_argv(options, id), child.output);
    children.push_back(std::move(child));
    if (!wait_ready(children.back())) {
      stop_all(children);
      return kExitFailure;
    }
  }
  print_guide(options, cluster, children);

  for (;;) {
    int signal = 0;
    ::sigwait(&signals, &signal);
    if (signal == SIGINT || signal == SIGTERM) {
      say(fmt::format("{}: stopping every node", signal == SIGINT ? "Ctrl-C" : "SIGTERM"));
      stop_all(children);
      return kExitOk;
    }
    // SIGCHLD: report every child that ended; the others serve on.
    for (Child& child : children) {
      if (!child.process->running() || child.process->poll()) continue;
      say(fmt::format("r{} (pid {}) {}; the others serve on. Restart it by hand with: {}", child.id,
                      child.process->pid(), describe(*child.process->ended()),
                      fmt::format("ladder node --id {} --cluster {} --data-dir {}", child.id,
                                  (options.dir / "cluster.json").string(),
                                  (options.dir / fmt::format("data-r{}", child.id)).string())));
    }
  }
}

}  // namespace ladder::tools
