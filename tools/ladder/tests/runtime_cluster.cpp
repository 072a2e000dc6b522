#include "tools/ladder/tests/runtime_cluster.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "level3_pure/runtime/resp.hpp"
#include "tools/ladder/tests/resp_connection.hpp"

namespace ladder::tools::testing {
namespace {

using namespace std::chrono_literals;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A socket of `type` bound to 127.0.0.1:0; its fd and the port the kernel chose.
std::pair<int, std::uint16_t> bind_any(int type) {
  const int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  // NOLINTNEXTLINE: the sockets API takes a sockaddr*
  auto* raw = reinterpret_cast<sockaddr*>(&address);
  if (bind(fd, raw, sizeof address) != 0 || getsockname(fd, raw, &size) != 0) {
    const int error = errno;
    close(fd);
    throw std::system_error(error, std::generic_category(), "bind to 127.0.0.1:0");
  }
  return {fd, ntohs(address.sin_port)};
}

// `count` UDP and `count` TCP ports that were free when this returned. All are held at once while
// they are chosen, so the kernel hands out distinct ones; another process may still take one
// before a node binds it, which the cluster notices (the node exits) and survives (fresh ports).
std::pair<std::vector<std::uint16_t>, std::vector<std::uint16_t>> free_ports(int count) {
  std::vector<int> fds;
  std::vector<std::uint16_t> udp;
  std::vector<std::uint16_t> tcp;
  for (int i = 0; i < count; ++i) {
    const auto [u, up] = bind_any(SOCK_DGRAM);
    const auto [t, tp] = bind_any(SOCK_STREAM);
    fds.insert(fds.end(), {u, t});
    udp.push_back(up);
    tcp.push_back(tp);
  }
  for (const int fd : fds)
    close(fd);
  return {udp, tcp};
}

// True when `text` holds a line that starts with "ready".
bool has_ready_line(const std::string& text) {
  return text.rfind("ready", 0) == 0 || text.find("\nready") != std::string::npos;
}

}  // namespace

// ---- RuntimeCluster -----------------------------------------------------------------------------

RuntimeCluster::RuntimeCluster(std::string variant, int size)
    : variant_(std::move(variant)), nodes_(static_cast<std::size_t>(size)) {
  assert(size >= 1 && size % 2 == 1);
  static int next_cluster = 0;  // names each cluster's folder within this test process
  dir_ = std::filesystem::temp_directory_path() /
         fmt::format("ladder-runtime-test-{}-{}", getpid(), next_cluster++);
  std::filesystem::remove_all(dir_);
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    if (start_all()) return;
    if (attempt == kAttempts) {
      std::string outputs;
      for (int i = 0; i < size; ++i)
        outputs += fmt::format("--- r{} ---\n{}\n", i, output(i));
      throw std::runtime_error(fmt::format(
          "the cluster did not start, {} times; the nodes said:\n{}", kAttempts, outputs));
    }
  }
}

RuntimeCluster::~RuntimeCluster() {
  nodes_.clear();  // kills and reaps first: the children still hold their files open
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

// Fresh ports, a fresh folder and cluster.json, then every node; false when one exits first.
bool RuntimeCluster::start_all() {
  for (auto& node : nodes_)
    node.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
  std::tie(udp_ports_, resp_ports_) = free_ports(size());
  nlohmann::json replicas = nlohmann::json::array();
  for (int i = 0; i < size(); ++i) {
    const auto at = static_cast<std::size_t>(i);
    replicas.push_back({{"id", i}, {"udp", udp_ports_[at]}, {"resp", resp_ports_[at]}});
    std::filesystem::create_directories(data_dir(i));
  }
  const nlohmann::json file = {
      {"format", "ladder-cluster"}, {"version", 1}, {"host", "127.0.0.1"}, {"replicas", replicas}};
  std::ofstream(cluster_file()) << file.dump(2) << "\n";
  for (int i = 0; i < size(); ++i) {
    if (!start(i, kNodeStartLimit).ready) return false;
  }
  return true;
}

std::uint16_t RuntimeCluster::resp_port(int i) const {
  return resp_ports_.at(static_cast<std::size_t>(i));
}

std::filesystem::path RuntimeCluster::data_dir(int i) const {
  return dir_ / fmt::format("data-r{}", i);
}

std::filesystem::path RuntimeCluster::output_file(int i) const {
  return dir_ / fmt::format("r{}.out", i);
}

std::filesystem::path RuntimeCluster::log_file(int i) const {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir(i))) {
    if (entry.is_regular_file() && entry.path().extension() == ".log")
      files.push_back(entry.path());
  }
  if (files.size() != 1) {
    throw std::runtime_error(
        fmt::format("{} holds {} .log files, not one", data_dir(i).string(), files.size()));
  }
  return files.front();
}

std::string RuntimeCluster::output(int i) const {
  return read_text(output_file(i));
}

void RuntimeCluster::kill(int i) {
  auto& node = nodes_.at(static_cast<std::size_t>(i));
  if (node) node->kill();
}

ChildExit RuntimeCluster::stop(int i, int signal) {
  auto& node = nodes_.at(static_cast<std::size_t>(i));
  assert(node && "stop() of a node that never started");
  return node->stop(signal, 10s);
}

std::vector<ChildExit> RuntimeCluster::stop_all(int signal) {
  for (auto& node : nodes_) {
    if (node) node->signal(signal);
  }
  std::vector<ChildExit> exits;
  for (auto& node : nodes_) {
    assert(node && "stop_all() of a cluster whose nodes never started");
    exits.push_back(node->wait(10s));
  }
  return exits;
}

bool RuntimeCluster::running(int i) {
  auto& node = nodes_.at(static_cast<std::size_t>(i));
  return node && node->poll();
}

StartOutcome RuntimeCluster::start(int i, std::chrono::milliseconds limit) {
  auto& node = nodes_.at(static_cast<std::size_t>(i));
  node.reset();
  const std::size_t before = output(i).size();
  const std::vector<std::string> argv{LADDER_CLI,   "node",
                                      "--id",       std::to_string(i),
                                      "--cluster",  cluster_file().string(),
                                      "--data-dir", data_dir(i).string(),
                                      "--variant",  variant_};
  node = std::make_unique<ChildProcess>(argv, output_file(i));
  StartOutcome outcome;
  const auto give_up = std::chrono::steady_clock::now() + limit;
  for (;;) {
    outcome.output = output(i).substr(before);
    if (has_ready_line(outcome.output)) {
      outcome.ready = true;
      return outcome;
    }
    if (!node->poll()) {
      outcome.output = output(i).substr(before);  // what it printed on its way out
      outcome.ended = node->ended();
      return outcome;
    }
    if (std::chrono::steady_clock::now() >= give_up) return outcome;
    std::this_thread::sleep_for(20ms);
  }
}

void RuntimeCluster::restart(int i) {
  const StartOutcome outcome = start(i, kNodeStartLimit);
  if (!outcome.ready) {
    throw std::runtime_error(fmt::format("r{} did not restart ({}); it said:\n{}", i,
                                         outcome.ended ? "it exited" : "no ready line in time",
                                         outcome.output));
  }
}

std::optional<std::map<std::string, std::string>> RuntimeCluster::info(
    int i, std::chrono::milliseconds limit) const {
  try {
    RespConnection connection(resp_port(i), limit);
    const RespReply reply = connection.call({"INFO"}, limit);
    if (reply.type != '$' || reply.null) return std::nullopt;
    return level3::parse_info(reply.text);
  } catch (const RespIoError&) {
    return std::nullopt;
  }
}

}  // namespace ladder::tools::testing
