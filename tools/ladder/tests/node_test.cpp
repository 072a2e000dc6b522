// Level 1 across processes: `ladder node` processes on free loopback ports, driven by the level 1
// client in this process and by `ladder client`, and crashed with SIGKILL. Every wait is bounded,
// and every node is a NodeProcess, so a failing check still leaves no process behind.

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <catch2/catch.hpp>

#include "counter_spec/checkers.hpp"
#include "level1_rpc/client.hpp"
#include "level1_rpc/counter_client.hpp"
#include "level1_rpc/errors.hpp"
#include "level1_rpc/replica.hpp"
#include "tools/ladder/node_process.hpp"
#include "tools/ladder/tests/run_ladder.hpp"

namespace {

using ladder::tools::NodeProcess;
using ladder::tools::testing::run_ladder;
using Outcome = ladder::tools::testing::CliOutcome;
using namespace std::chrono_literals;

constexpr auto kStartLimit = 10s;  // a node that is not serving by then is broken

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Three (or `size`) node processes on free ports, each logging to its own file. Destroying it
// kills and reaps every node still running.
class NodeCluster {
 public:
  // Free ports can be taken by another process between the moment they are found and the moment
  // a node binds one (tests run in parallel): then that node exits, and the cluster starts over
  // on fresh ports, a few times at most.
  explicit NodeCluster(int size)
      : log_dir_(std::filesystem::temp_directory_path() /
                 fmt::format("ladder-node-test-{}-{}", getpid(), next_cluster_++)),
        nodes_(static_cast<std::size_t>(size)) {
    std::filesystem::create_directories(log_dir_);
    constexpr int kAttempts = 3;
    for (int attempt = 1;; ++attempt) {
      ports_ = ladder::tools::free_loopback_ports(size);
      int started = 0;
      while (started < size && try_start(started))
        ++started;
      if (started == size) return;
      if (attempt == kAttempts) {
        throw std::runtime_error(fmt::format("r{} did not start, {} times; its log:\n{}", started,
                                             kAttempts, read_file(log(started))));
      }
      for (auto& node : nodes_)
        node.reset();
    }
  }
  ~NodeCluster() {
    nodes_.clear();  // kills and reaps first: the logs are still open in the children
    std::error_code ignored;
    std::filesystem::remove_all(log_dir_, ignored);
  }
  NodeCluster(const NodeCluster&) = delete;
  NodeCluster& operator=(const NodeCluster&) = delete;

  // Starts node `i` again after a kill, on its old port: a restart with an empty memory.
  void restart(int i) {
    if (!try_start(i)) {
      throw std::runtime_error(
          fmt::format("r{} did not restart; its log:\n{}", i, read_file(log(i))));
    }
  }

  [[nodiscard]] NodeProcess& process(int i) { return *node(i); }
  [[nodiscard]] std::uint16_t port(int i) const { return ports_[static_cast<std::size_t>(i)]; }
  [[nodiscard]] const std::vector<std::uint16_t>& ports() const { return ports_; }
  [[nodiscard]] std::filesystem::path log(int i) const {
    return log_dir_ / fmt::format("r{}.log", i);
  }
  // "7000,7001,7002", as `ladder client --cluster` takes it.
  [[nodiscard]] std::string cluster_flag() const {
    return fmt::format("{}", fmt::join(ports_, ","));
  }

  // Starts node `i` and waits until its log says it listens (then the port is surely its own, not
  // some other process's). False when it exits first: its port was taken.
  bool try_start(int i) {
    node(i).reset();
    std::filesystem::remove(log(i));
    node(i) = std::make_unique<NodeProcess>(LADDER_CLI, i, ports_, log(i));
    const std::string ready = fmt::format("listening on 127.0.0.1:{}", port(i));
    const auto give_up = std::chrono::steady_clock::now() + kStartLimit;
    while (std::chrono::steady_clock::now() < give_up) {
      if (read_file(log(i)).find(ready) != std::string::npos) return true;
      if (!node(i)->poll()) return false;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  // Replica `i`'s counter and apply log, asked over RPC; `up = false` when it does not answer.
  [[nodiscard]] ladder::spec::ReplicaState state(int i) const {
    const std::string name = fmt::format("r{}", i);
    ladder::level1::Client stub("127.0.0.1", port(i));
    try {
      return ladder::level1::state_from_json(stub.call("state", nlohmann::json::object(), 2s),
                                             name);
    } catch (const ladder::level1::RpcError&) {
      return ladder::spec::ReplicaState{
          .name = name, .up = false, .value = 0, .has_apply_log = true, .applied = {}};
    }
  }

 private:
  std::unique_ptr<NodeProcess>& node(int i) { return nodes_[static_cast<std::size_t>(i)]; }

  static inline int next_cluster_ = 0;  // names each cluster's log folder
  std::filesystem::path log_dir_;
  std::vector<std::unique_ptr<NodeProcess>> nodes_;
  std::vector<std::uint16_t> ports_;
};

// The level 1 client and the history it makes, against a cluster of node processes.
class Driver {
 public:
  explicit Driver(const NodeCluster& cluster)
      : start_(std::chrono::steady_clock::now()),
        client_(ladder::level1::CounterClientOptions{.id = 0,
                                                     .replica_ports = cluster.ports(),
                                                     .retry = ladder::level1::RetryPolicy::never,
                                                     .max_attempts = 1,
                                                     .failover_after = 2,
                                                     .deadline = 2s,
                                                     .log = {}}) {}

  ladder::spec::EventType add(std::int64_t delta) {
    const std::uint64_t seq = ++seq_;
    history_.invoke(now(), 0, ladder::spec::OpKind::add, delta,
                    ladder::spec::RequestId{.client = 0, .seq = seq});
    const ladder::level1::OpResult result = client_.add(seq, delta);
    switch (result.type) {
      case ladder::spec::EventType::ok:
        history_.ok(now(), 0);
        break;
      case ladder::spec::EventType::fail:
        history_.fail(now(), 0);
        break;
      default:
        history_.info(now(), 0);
        break;
    }
    return result.type;
  }

  [[nodiscard]] int primary() const { return client_.primary(); }

  // The checkers' verdict on the history so far and the replicas' states now.
  [[nodiscard]] ladder::spec::Verdict verdict(const NodeCluster& cluster, int size) const {
    ladder::spec::RunRecord record;
    record.history = history_;
    for (int i = 0; i < size; ++i)
      record.replicas.push_back(cluster.state(i));
    record.end = now();
    record.majority_windows = {{.begin = 0, .end = record.end}};
    return ladder::spec::check_all(record);
  }

 private:
  [[nodiscard]] ladder::spec::Time now() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start_)
        .count();
  }

  std::chrono::steady_clock::time_point start_;
  ladder::level1::CounterClient client_;
  ladder::spec::History history_;
  std::uint64_t seq_ = 0;
};

}  // namespace

TEST_CASE("three node processes: every replica applies every add, in order", "[level1][node]") {
  NodeCluster cluster(3);
  Driver driver(cluster);
  for (const std::int64_t delta : {1, 2, 3})
    REQUIRE(driver.add(delta) == ladder::spec::EventType::ok);
  const std::vector<ladder::spec::RequestId> log{{0, 1}, {0, 2}, {0, 3}};
  for (int i = 0; i < 3; ++i) {
    const auto state = cluster.state(i);
    INFO(state.name);
    CHECK(state.up);
    CHECK(state.value == 6);
    CHECK(state.applied == log);
  }
  CHECK(driver.verdict(cluster, 3).ok());
}

TEST_CASE("a backup killed with SIGKILL is skipped, and restarts with no memory: LOST, DIVERGED",
          "[level1][node]") {
  NodeCluster cluster(3);
  Driver driver(cluster);
  REQUIRE(driver.add(5) == ladder::spec::EventType::ok);

  cluster.process(2).kill();
  REQUIRE(cluster.process(2).ended()->signal == SIGKILL);
  CHECK_FALSE(cluster.state(2).up);
  // The primary's apply to r2 is refused; level 1's primary skips it and answers anyway.
  CHECK(driver.add(3) == ladder::spec::EventType::ok);
  CHECK(cluster.state(0).value == 8);
  CHECK(cluster.state(1).value == 8);
  INFO(read_file(cluster.log(0)));
  CHECK_THAT(read_file(cluster.log(0)), Catch::Contains("apply c0#2 on r2 failed, skipped"));

  cluster.restart(2);  // the same port, a new process: counter 0, apply log empty
  CHECK(cluster.state(2).value == 0);
  CHECK(driver.add(1) == ladder::spec::EventType::ok);
  CHECK(cluster.state(2).value == 1);  // only what came after its restart

  const ladder::spec::Verdict verdict = driver.verdict(cluster, 3);
  INFO(verdict.summary());
  CHECK(verdict.has(ladder::spec::FindingKind::lost));
  CHECK(verdict.has(ladder::spec::FindingKind::diverged));
  CHECK_THAT(verdict.summary(), Catch::Contains("r2"));
}

TEST_CASE("a killed primary: its calls are NotSent, so they fail, and the client fails over",
          "[level1][node]") {
  NodeCluster cluster(3);
  Driver driver(cluster);
  REQUIRE(driver.add(2) == ladder::spec::EventType::ok);
  cluster.process(0).kill();
  // A refused connection means the request never left: `fail`, not `info`. Two in a row turn the
  // client to r1, which acts as the primary because an add arrives there.
  CHECK(driver.add(10) == ladder::spec::EventType::fail);
  CHECK(driver.add(20) == ladder::spec::EventType::fail);
  CHECK(driver.primary() == 1);
  CHECK(driver.add(4) == ladder::spec::EventType::ok);
  CHECK(cluster.state(1).value == 6);
  CHECK(cluster.state(2).value == 6);
  // Nothing that failed was applied anywhere, so with r0 still down nothing is wrong.
  const ladder::spec::Verdict verdict = driver.verdict(cluster, 3);
  INFO(verdict.summary());
  CHECK(verdict.ok());
}

TEST_CASE("ladder client adds, reads and shows state, and names the error of a dead node",
          "[level1][node]") {
  NodeCluster cluster(3);
  const std::string on = "client --cluster " + cluster.cluster_flag();

  const Outcome add = run_ladder(on + " add 5 --client 7 --seq 1");
  INFO(add.out);
  CHECK(add.exit_code == 0);
  CHECK_THAT(add.out, Catch::Contains("c7#1 add(+5) on r0: ok -> 5"));

  // The same request id again is what a retry looks like: level 1 applies it a second time.
  CHECK(run_ladder(on + " add 5 --client 7 --seq 1").exit_code == 0);
  const Outcome state = run_ladder(on + " state");
  INFO(state.out);
  CHECK(state.exit_code == 0);
  CHECK_THAT(state.out, Catch::Contains("r1  counter 10  applied c7#1 c7#1"));
  CHECK_THAT(state.out, Catch::Contains("the replicas that answered agree"));

  cluster.process(2).kill();
  const Outcome read = run_ladder(on + " read --replica 2 --deadline-ms 500");
  INFO(read.out);
  CHECK(read.exit_code == 1);
  CHECK_THAT(read.out, Catch::Contains("read on r2: NotSent (may have run: no)"));
  const Outcome partial = run_ladder(on + " state");
  INFO(partial.out);
  CHECK(partial.exit_code == 1);
  CHECK_THAT(partial.out, Catch::Contains("r2: NotSent"));
  CHECK_THAT(partial.out, Catch::Contains("r0  counter 10"));
}

TEST_CASE("SIGTERM and SIGINT stop a node cleanly, and it prints its final state",
          "[level1][node]") {
  NodeCluster cluster(3);
  Driver driver(cluster);
  REQUIRE(driver.add(4) == ladder::spec::EventType::ok);

  const ladder::tools::ProcessExit term = cluster.process(0).stop(SIGTERM, 10s);
  CHECK(term.code == 0);
  CHECK_FALSE(term.signal.has_value());
  CHECK_THAT(read_file(cluster.log(0)), Catch::Contains("r0 stopped by SIGTERM: counter 4"));

  const ladder::tools::ProcessExit interrupt = cluster.process(1).stop(SIGINT, 10s);
  CHECK(interrupt.code == 0);
  CHECK_THAT(read_file(cluster.log(1)), Catch::Contains("r1 stopped by SIGINT: counter 4"));
}

TEST_CASE("node and client reject bad arguments with exit code 2, naming them", "[level1][node]") {
  const Outcome id = run_ladder("node --id 3 --cluster 7000,7001,7002");
  INFO(id.out);
  CHECK(id.exit_code == 2);
  CHECK_THAT(id.out, Catch::Contains("no replica r3"));

  const Outcome cluster = run_ladder("node --id 0 --cluster 7000,x,7002");
  INFO(cluster.out);
  CHECK(cluster.exit_code == 2);
  CHECK_THAT(cluster.out, Catch::Contains("entry 2 is \"x\""));

  const Outcome operation = run_ladder("client --cluster 7000 increment");
  INFO(operation.out);
  CHECK(operation.exit_code == 2);

  const Outcome no_delta = run_ladder("client --cluster 7000 add");
  INFO(no_delta.out);
  CHECK(no_delta.exit_code == 2);
  CHECK_THAT(no_delta.out, Catch::Contains("needs a DELTA"));
}
