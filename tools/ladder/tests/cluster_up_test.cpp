// `ladder cluster up` as a reader runs it: the nodes start and the guide is printed, the cluster
// serves INCR over RESP, a node killed with `kill -9` is reported while the others serve on, and
// Ctrl-C (SIGINT) stops every node cleanly.

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "tools/ladder/node_process.hpp"
#include "tools/ladder/tests/resp_connection.hpp"

namespace {

using ladder::tools::NodeProcess;
using ladder::tools::ProcessExit;
using ladder::tools::testing::RespConnection;
using namespace std::chrono_literals;

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Polls `file` every 20 ms until it contains `part` (true) or `limit` passed.
bool appears(const std::filesystem::path& file, const std::string& part,
             std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (read_text(file).find(part) != std::string::npos) return true;
    std::this_thread::sleep_for(20ms);
  }
  return read_text(file).find(part) != std::string::npos;
}

// Waits until cluster up printed its guide (true) or ended (false: a port was taken), at most
// `limit`.
bool guide_or_exit(NodeProcess& up, const std::filesystem::path& out,
                   std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (read_text(out).find("stop them all: Ctrl-C here") != std::string::npos) return true;
    if (!up.poll()) return false;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// The pid the guide names in "kill -9 PID" (the last node's).
pid_t last_node_pid(const std::string& guide) {
  std::smatch match;
  const std::regex kill_line("kill -9 ([0-9]+)");
  REQUIRE(std::regex_search(guide, match, kill_line));
  return static_cast<pid_t>(std::stol(match[1]));
}

}  // namespace

TEST_CASE("cluster up: the guide, INCR over RESP, a killed node reported, Ctrl-C stops the rest",
          "[cli][level3]") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / fmt::format("ladder-cluster-up-test-{}", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::filesystem::path out = dir / "up.out";
  // Free ports for the UDP and the RESP range (the next two of each are very likely free too).
  // When a port is taken after all (a test running alongside took it), the node says so and
  // cluster up exits: then again, on fresh ports, as RuntimeCluster does.
  std::vector<std::uint16_t> ports;
  std::unique_ptr<NodeProcess> up;
  for (int attempt = 0; attempt < 4 && !up; ++attempt) {
    ports = ladder::tools::free_loopback_ports(2);
    std::filesystem::remove_all(dir / "c");
    up = std::make_unique<NodeProcess>(
        std::vector<std::string>{LADDER_CLI, "cluster", "up", "--dir", (dir / "c").string(),
                                 "--base-port", std::to_string(ports[0]), "--resp-base-port",
                                 std::to_string(ports[1])},
        out);
    if (!guide_or_exit(*up, out, 60s)) up.reset();
  }
  INFO(read_text(out));
  REQUIRE(up != nullptr);
  CHECK(read_text(out).find("a level 3 cluster of 3 replicas is up") != std::string::npos);

  RespConnection r0(ports[1], 5s);
  CHECK(r0.call({"INCR", "c"}, 5s).integer == 1);

  // kill -9 the last node, as the guide suggests: reported, and the majority serves on.
  REQUIRE(::kill(last_node_pid(read_text(out)), SIGKILL) == 0);
  CHECK(appears(out, "r2 (pid", 10s));
  CHECK(read_text(out).find("was killed by signal 9; the others serve on") != std::string::npos);
  CHECK(r0.call({"INCR", "c"}, 5s).integer == 2);

  // Ctrl-C: every node still running stops cleanly, and so does cluster up.
  up->signal(SIGINT);
  const ProcessExit exit = up->wait(30s);
  INFO(read_text(out));
  CHECK(exit.code == 0);
  CHECK(read_text(out).find("r0 stopped (exited with code 0)") != std::string::npos);
  CHECK(read_text(out).find("r1 stopped (exited with code 0)") != std::string::npos);
  std::filesystem::remove_all(dir);
}
