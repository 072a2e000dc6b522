// Level 3's runtime in one test process: three Nodes, each on its own thread and io_context with
// a temporary data dir, talking real UDP on loopback. Adds and reads go through the RESP door (a
// plain TCP socket speaking RESP2) and through the UDP client of `ladder client`; nodes are
// stopped and restarted from their disks; garbage datagrams and a fault plan hit the wire.
//
// No assertion is about time: the waits below poll a condition with a generous limit, and only
// the condition is asserted.

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "level3_pure/runtime/resp.hpp"
#include "level3_pure/runtime/runtime.hpp"
#include "level3_pure/runtime/runtime_client.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using ladder::level3::ClusterFile;
using ladder::level3::Node;
using ladder::level3::NodeOptions;
using ladder::level3::parse_info;

// Free UDP ports on loopback, found by binding port 0 (another process may take one meanwhile;
// on a test machine that is rare enough).
std::vector<std::uint16_t> free_udp_ports(int count) {
  asio::io_context io;
  std::vector<asio::ip::udp::socket> sockets;
  std::vector<std::uint16_t> ports;
  for (int i = 0; i < count; ++i) {
    auto& socket =
        sockets.emplace_back(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    ports.push_back(socket.local_endpoint().port());
  }
  return ports;
}

// A fresh directory under the system's temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            fmt::format("ladder-runtime-{}-{}", ::getpid(), ++counter);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// One Node on a thread of its own. Queries run on the node's thread and wait for the answer.
class RunningNode {
 public:
  explicit RunningNode(NodeOptions options) {
    node_ = std::make_unique<Node>(io_, std::move(options));
    ready_line_ = node_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~RunningNode() {
    std::promise<void> stopped;
    asio::post(io_, [&] {
      node_->stop();
      stopped.set_value();
    });
    stopped.get_future().get();
    io_.stop();
    thread_.join();
    node_.reset();
  }
  RunningNode(const RunningNode&) = delete;
  RunningNode& operator=(const RunningNode&) = delete;

  // Runs `query` on the node's thread and returns its result.
  template <class Query>
  auto on_node(Query query) {
    using Result = decltype(query(*node_));
    std::promise<Result> answer;
    asio::post(io_, [&] { answer.set_value(query(*node_)); });
    return answer.get_future().get();
  }
  [[nodiscard]] const std::string& ready_line() const { return ready_line_; }
  [[nodiscard]] std::uint16_t resp_port() {
    return on_node([](Node& node) { return node.resp_port(); });
  }

 private:
  asio::io_context io_;
  std::unique_ptr<Node> node_;
  std::thread thread_;
  std::string ready_line_;
};

// What a replica holds, for comparisons.
struct Snapshot {
  std::uint64_t view = 0;
  std::uint64_t op = 0;
  std::uint64_t commit = 0;
  std::int64_t value = 0;
  std::string role;
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(RunningNode& node) {
  return node.on_node([](Node& n) {
    const auto& r = n.replica();
    return Snapshot{r.view, r.op_number(), r.commit_number(), r.value(), to_string(r.role())};
  });
}

// Polls `condition` every 10 ms for at most `limit`; true when it held.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 10s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

// A three-node cluster of RunningNodes with short timeouts, each with a data dir of its own.
class TestCluster {
 public:
  // `tweak`, when given, adjusts every node's options before it starts.
  explicit TestCluster(std::optional<ladder::net::FaultPlan> faults = std::nullopt,
                       std::function<void(int, NodeOptions&)> tweak = {})
      : faults_(std::move(faults)), tweak_(std::move(tweak)) {
    const auto ports = free_udp_ports(3);
    cluster_ = ClusterFile::local(3, 1, 1);  // ports replaced below
    for (int i = 0; i < 3; ++i) {
      cluster_.replicas[static_cast<std::size_t>(i)].udp = ports[static_cast<std::size_t>(i)];
      cluster_.replicas[static_cast<std::size_t>(i)].resp = static_cast<std::uint16_t>(i + 1);
      std::filesystem::create_directories(data_dir(i));
    }
    cluster_.config.heartbeat_ms = 20;
    cluster_.config.view_change_timeout_ms = 200;
    cluster_.config.client_retry_ms = 60;
    for (int i = 0; i < 3; ++i)
      start(i);
  }

  void start(int i) {
    nodes_.at(static_cast<std::size_t>(i)) = std::make_unique<RunningNode>(options(i));
  }
  void stop(int i) { nodes_.at(static_cast<std::size_t>(i)).reset(); }
  RunningNode& node(int i) { return *nodes_.at(static_cast<std::size_t>(i)); }
  [[nodiscard]] std::filesystem::path data_dir(int i) const {
    return dir_.path() / fmt::format("data-r{}", i);
  }
  [[nodiscard]] const ClusterFile& file() const { return cluster_; }

  // True once every running node has committed `commit` ops.
  bool converged(std::uint64_t commit) {
    return eventually([&] {
      for (auto& node : nodes_) {
        if (node && snapshot(*node).commit < commit) return false;
      }
      return true;
    });
  }

 private:
  NodeOptions options(int i) const {
    NodeOptions o;
    o.cluster = cluster_;
    o.id = i;
    o.data_dir = data_dir(i);
    o.faults = faults_;
    o.seed = 7 + static_cast<std::uint64_t>(i);
    o.door_deadline = 3000ms;
    o.resp_port = 0;  // any free port: the tests ask the node which
    if (tweak_) tweak_(i, o);
    return o;
  }

  TempDir dir_;
  ClusterFile cluster_;
  std::optional<ladder::net::FaultPlan> faults_;
  std::function<void(int, NodeOptions&)> tweak_;
  std::array<std::unique_ptr<RunningNode>, 3> nodes_;
};

// A blocking RESP2 client: one command, one reply line (and a bulk string's body).
class RespClient {
 public:
  explicit RespClient(std::uint16_t port) : socket_(io_) {
    socket_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  // Sends `line` (an inline command) and returns the reply without its CRLFs, e.g. ":5", or a
  // bulk string as "$2 16".
  std::string command(const std::string& line) {
    asio::write(socket_, asio::buffer(line + "\r\n"));
    std::string reply = read_line();
    if (reply.rfind('$', 0) != 0 || reply == "$-1") return reply;
    const auto size = std::stoul(reply.substr(1));
    if (buffer_.size() < size + 2)
      asio::read(socket_, buffer_, asio::transfer_exactly(size + 2 - buffer_.size()));
    std::string body(size + 2, '\0');
    buffer_.sgetn(body.data(), static_cast<std::streamsize>(body.size()));
    body.resize(size);
    return reply + " " + body;
  }

 private:
  std::string read_line() {
    asio::read_until(socket_, buffer_, "\r\n");
    std::istream in(&buffer_);
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }

  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  asio::streambuf buffer_;
};

std::int64_t add_over_udp(const ClusterFile& cluster, std::int64_t delta) {
  const auto outcome =
      ladder::level3::call_cluster(cluster, 63, ladder::protocol::Op::add(delta), 5s);
  REQUIRE(outcome.value.has_value());
  return *outcome.value;
}

}  // namespace

TEST_CASE("a cluster of three nodes serves adds and reads through RESP and through UDP",
          "[runtime]") {
  TestCluster cluster;
  CHECK(cluster.node(0).ready_line().find("ready r0: udp 127.0.0.1:") == 0);
  CHECK(cluster.node(0).ready_line().find("first boot") != std::string::npos);

  CHECK(add_over_udp(cluster.file(), 5) == 5);

  RespClient primary(cluster.node(0).resp_port());
  CHECK(primary.command("PING") == "+PONG");
  CHECK(primary.command("INCR counter") == ":6");
  CHECK(primary.command("INCRBY counter 10") == ":16");
  // A backup's door sends its client's requests to the primary over UDP.
  RespClient backup(cluster.node(1).resp_port());
  CHECK(backup.command("DECR counter") == ":15");
  CHECK(backup.command("DECRBY counter 5") == ":10");
  RespClient third(cluster.node(2).resp_port());
  CHECK(third.command("GET counter") == "$2 10");
  CHECK(third.command("SET counter 1").find("-ERR unknown command") == 0);

  const auto read =
      ladder::level3::call_cluster(cluster.file(), 62, ladder::protocol::Op::read(), 5s);
  REQUIRE(read.value);
  CHECK(*read.value == 10);

  // Every replica holds the six ops (a read is an op of the log too) and agrees on the value.
  REQUIRE(cluster.converged(7));
  for (int i = 0; i < 3; ++i) {
    const Snapshot s = snapshot(cluster.node(i));
    CHECK(s.value == 10);
    CHECK(s.view == 0);
  }
  const std::string info = backup.command("INFO");
  CHECK(info.find("replica:1") != std::string::npos);
  CHECK(info.find("role:backup") != std::string::npos);
  // A Node leaves its thread's policy alone; `ladder node` asks for SCHED_BATCH itself.
  CHECK(info.find("scheduling:default") != std::string::npos);
  CHECK(info.find("disk:in-place\r\n") != std::string::npos);
  // The primary's door ran INCR and INCRBY, one request each, and timed them: each took at
  // least a UDP round trip and an fsync in the cluster.
  const auto fields = parse_info(primary.command("INFO"));
  CHECK(fields.at("door_requests") == "2");
  CHECK(std::stoull(fields.at("door_request_us")) > 0);
  CHECK(fields.at("door_linger_us") == "0");  // groups of one make nobody linger
}

TEST_CASE("a commit's reply leaves before any fsync, and the commit reaches the disk lazily (P4)",
          "[runtime]") {
  TestCluster cluster;
  RespClient client(cluster.node(0).resp_port());
  for (int i = 1; i <= 4; ++i)
    CHECK(client.command("INCR c") == fmt::format(":{}", i));
  REQUIRE(cluster.converged(4));
  // Each INCR's reply is released by the batch that stepped its PrepareOk, before that batch's
  // sync (there is none: the commit's Persist is lazy). A runtime that made replies wait for the
  // commit's fsync would count none here, and two strict syncs per INCR instead of one (its op's).
  const auto primary = cluster.node(0).on_node([](Node& n) { return n.counters(); });
  CHECK(primary.early_sends >= 4);
  CHECK(primary.syncs - primary.lazy_syncs == 4);
  // An idle backup learns commit 4 from a heartbeat's Commit: a lazy Persist, which no strict one
  // carries, so the node writes it on its own after kLazySyncDelay.
  CHECK(eventually([&] {
    return cluster.node(1).on_node([](Node& n) { return n.counters().lazy_syncs; }) >= 1;
  }));
}

TEST_CASE("a primary's Prepares leave before its fsync (P5), and a restarted primary steps down",
          "[runtime]") {
  TestCluster cluster;
  RespClient client(cluster.node(0).resp_port());
  for (int i = 1; i <= 3; ++i)
    CHECK(client.command("INCRBY c 2") == fmt::format(":{}", 2 * i));
  REQUIRE(cluster.converged(3));
  // One at a time, each INCRBY is one op: its two Prepares went out at once, before the sync
  // that its reply waited for. A runtime that held them for the sync would count none.
  const auto counters = cluster.node(0).on_node([](Node& n) { return n.counters(); });
  CHECK(counters.sends_first == 6);
  CHECK(counters.syncs >= 3);

  // Its disk could lack ops its Prepares announced, so the primary does not resume view 0 after
  // a restart (P3): it starts view 1, whose primary is r1, and serves on as r1's backup.
  cluster.stop(0);
  cluster.start(0);
  CHECK(eventually([&] { return snapshot(cluster.node(0)).role == "backup"; }));
  const Snapshot restarted = snapshot(cluster.node(0));
  CHECK(restarted.view >= 1);
  CHECK(restarted.value == 6);
  RespClient again(cluster.node(0).resp_port());
  CHECK(again.command("INCRBY c 2") == ":8");
  CHECK(eventually([&] { return snapshot(cluster.node(1)).role == "primary"; }));
}

TEST_CASE("a node told to append grows its log record by record, and says so in INFO",
          "[runtime]") {
  TestCluster cluster(std::nullopt, [](int i, NodeOptions& o) { o.preallocate_disk = (i != 2); });
  RespClient client(cluster.node(0).resp_port());
  for (int i = 1; i <= 3; ++i)
    CHECK(client.command("INCR c") == fmt::format(":{}", i));
  REQUIRE(cluster.converged(3));
  const auto size = [&](int i) {
    return std::filesystem::file_size(cluster.data_dir(i) / fmt::format("r{}.log", i));
  };
  // r2's log ends with its last record; r1's holds the zeros written ahead after its records.
  const auto appended = size(2);
  CHECK(appended > 0);
  CHECK(size(1) > appended + 1000 * 1000);  // written ahead: 1 MiB and more (durable_log.hpp)
  CHECK(RespClient(cluster.node(2).resp_port()).command("INFO").find("disk:append\r\n") !=
        std::string::npos);
  CHECK(RespClient(cluster.node(1).resp_port()).command("INFO").find("disk:in-place\r\n") !=
        std::string::npos);
  CHECK(client.command("INCR c") == ":4");
  REQUIRE(cluster.converged(4));
  CHECK(eventually([&] { return size(2) > appended; }));  // one more record, one more stretch
}

TEST_CASE("a node stopped and restarted recovers its log from its disk", "[runtime]") {
  TestCluster cluster;
  RespClient client(cluster.node(0).resp_port());
  for (int i = 1; i <= 4; ++i)
    CHECK(client.command("INCRBY c 3") == fmt::format(":{}", 3 * i));
  REQUIRE(cluster.converged(4));

  const Snapshot before = snapshot(cluster.node(2));
  CHECK(before.value == 12);
  cluster.stop(2);
  cluster.start(2);
  CHECK(cluster.node(2).ready_line().find("recovered: view 0, op 4, commit 4") !=
        std::string::npos);
  const Snapshot after = snapshot(cluster.node(2));
  CHECK(after.view == before.view);
  CHECK(after.op == before.op);
  CHECK(after.commit == before.commit);
  CHECK(after.value == before.value);

  // The whole cluster down and up again: nothing acknowledged is lost, and it serves on.
  for (int i = 0; i < 3; ++i)
    cluster.stop(i);
  for (int i = 0; i < 3; ++i)
    cluster.start(i);
  for (int i = 0; i < 3; ++i)
    CHECK(snapshot(cluster.node(i)).value == 12);
  RespClient again(cluster.node(0).resp_port());
  CHECK(again.command("INCR c") == ":13");
  REQUIRE(cluster.converged(5));
}

TEST_CASE("a node whose disk is lost recovers from the others (R0)", "[runtime]") {
  TestCluster cluster;
  RespClient client(cluster.node(0).resp_port());
  CHECK(client.command("INCRBY c 7") == ":7");
  REQUIRE(cluster.converged(1));
  cluster.stop(1);
  std::filesystem::remove(cluster.data_dir(1) / "r1.log");
  cluster.start(1);
  CHECK(cluster.node(1).ready_line().find("disk lost") != std::string::npos);
  REQUIRE(eventually([&] { return snapshot(cluster.node(1)).role == "backup"; }));
  CHECK(snapshot(cluster.node(1)).value == 7);
}

TEST_CASE("malformed datagrams are counted and dropped, and the node serves on", "[runtime]") {
  TestCluster cluster;
  asio::io_context io;
  asio::ip::udp::socket stranger(io, asio::ip::udp::endpoint(asio::ip::udp::v4(), 0));
  const asio::ip::udp::endpoint target(asio::ip::make_address("127.0.0.1"),
                                       cluster.file().replicas[0].udp);
  const std::vector<std::string> garbage = {"", "x", std::string(4, '\0'),
                                            std::string("\x00\x00\x00\x05\x01\x63\x01\xac\x02", 9),
                                            std::string(2000, '\xff')};
  for (const std::string& bytes : garbage)
    stranger.send_to(asio::buffer(bytes), target);
  // A well-formed Commit from an address that is no replica's: dropped as a stranger's.
  const std::string commit("\x00\x00\x00\x05\x01\x05\x01\xac\x02", 9);
  stranger.send_to(asio::buffer(commit), target);
  const auto counted = [&] {
    return cluster.node(0).on_node([](Node& n) { return n.counters(); });
  };
  REQUIRE(
      eventually([&] { return counted().malformed + counted().strangers >= garbage.size() + 1; }));
  CHECK(counted().malformed == garbage.size());
  CHECK(counted().strangers == 1);
  CHECK(add_over_udp(cluster.file(), 2) == 2);
}

TEST_CASE("under a fault plan that drops and duplicates, the counter stays exact", "[runtime]") {
  ladder::net::FaultPlan plan;
  plan.drop_probability = 0.15;
  plan.duplicate_probability = 0.3;
  plan.delay_min_ms = 0;
  plan.delay_max_ms = 3;
  TestCluster cluster(plan);
  RespClient client(cluster.node(1).resp_port());
  std::int64_t acknowledged = 0;
  std::int64_t unknown = 0;
  for (int i = 0; i < 30; ++i) {
    const std::string reply = client.command("INCRBY c 2");
    if (reply.rfind(':', 0) == 0) {
      acknowledged += 2;
    } else {
      CHECK(reply.rfind("-TIMEOUT", 0) == 0);
      unknown += 2;
    }
  }
  const std::string read = client.command("GET c");
  REQUIRE(read.rfind('$', 0) == 0);
  const std::int64_t value = std::stoll(read.substr(read.find(' ') + 1));
  CHECK(value >= acknowledged);
  CHECK(value <= acknowledged + unknown);
  CHECK(acknowledged > 0);
  std::uint64_t dropped = 0;
  std::uint64_t duplicated = 0;
  for (int i = 0; i < 3; ++i) {
    const auto stats = cluster.node(i).on_node([](Node& n) { return n.network_stats(); });
    dropped += stats.dropped;
    duplicated += stats.duplicated;
  }
  CHECK(dropped > 0);
  CHECK(duplicated > 0);
}
