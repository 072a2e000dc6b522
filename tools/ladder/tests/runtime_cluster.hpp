#pragma once
/// \file
/// Level 3's runtime as the tests run it: three `ladder node --cluster cluster.json --data-dir DIR`
/// child processes on free loopback ports, each with a data dir and an output file of its own, that
/// the test kills with SIGKILL, restarts from their data dirs, and asks for INFO over RESP.
///
///     RuntimeCluster cluster("fixed");        // started, every node printed its "ready" line
///     cluster.kill(1);                         // SIGKILL: a crash
///     cluster.restart(1);                      // the same ports and data dir; waits for "ready"
///     auto info = cluster.info(1);             // {"role": "backup", "commit": "7", ...}
///
/// Destroying it kills and reaps every node and deletes its folder; each child also asks the
/// kernel to kill it when the test process dies (PR_SET_PDEATHSIG), so nothing outlives a test.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tools/ladder/node_process.hpp"

namespace ladder::tools::testing {

/// How a child process ended (node_process.hpp).
using ChildExit = ProcessExit;
/// One child process running an argument vector, its output appended to a file (node_process.hpp).
using ChildProcess = NodeProcess;

/// What became of starting a node: it printed its "ready" line, or it exited first.
struct StartOutcome {
  bool ready = false;              ///< the "ready" line appeared
  std::optional<ChildExit> ended;  ///< how it ended, when it exited before that
  std::string output;              ///< what it printed since this start
};

/// A cluster of `ladder node` processes of level 3's runtime.
class RuntimeCluster {
 public:
  /// Writes cluster.json with free ports, starts `size` nodes running `variant` ("fixed" or
  /// "first-release") and waits until each printed "ready". Retries on fresh ports a few times
  /// when a node exits first (another process took its port); then throws with the node's output.
  explicit RuntimeCluster(std::string variant = "fixed", int size = 3);
  /// Kills and reaps every node; removes the folder.
  ~RuntimeCluster();
  RuntimeCluster(const RuntimeCluster&) = delete;
  RuntimeCluster& operator=(const RuntimeCluster&) = delete;

  /// The number of nodes.
  [[nodiscard]] int size() const { return static_cast<int>(nodes_.size()); }
  /// Node `i`'s RESP port.
  [[nodiscard]] std::uint16_t resp_port(int i) const;
  /// The cluster file the nodes were started with.
  [[nodiscard]] std::filesystem::path cluster_file() const { return dir_ / "cluster.json"; }
  /// Node `i`'s data dir.
  [[nodiscard]] std::filesystem::path data_dir(int i) const;
  /// Node `i`'s log: the one `.log` file in its data dir. Throws when there is not exactly one.
  [[nodiscard]] std::filesystem::path log_file(int i) const;
  /// Everything node `i` printed, over all its starts.
  [[nodiscard]] std::string output(int i) const;

  /// SIGKILL node `i` (a crash: no goodbye, its memory gone).
  void kill(int i);
  /// Stops node `i` with `signal` (SIGTERM), waiting at most 10 s; how it ended.
  ChildExit stop(int i, int signal);
  /// Sends `signal` to every node at once, then stops each as stop() does: the nodes end
  /// together, so none of them sees the others go and starts a view change on the way out.
  std::vector<ChildExit> stop_all(int signal);
  /// True while node `i`'s process runs.
  [[nodiscard]] bool running(int i);
  /// Starts node `i` again (same ports, same data dir) and waits for its "ready" line or its exit,
  /// at most `limit`.
  StartOutcome start(int i, std::chrono::milliseconds limit);
  /// start(), and throws with its output unless it got ready.
  void restart(int i);

  /// Node `i`'s INFO fields, asked over RESP with a deadline of `limit`; nullopt when it does not
  /// answer.
  [[nodiscard]] std::optional<std::map<std::string, std::string>> info(
      int i, std::chrono::milliseconds limit) const;

 private:
  bool start_all();
  std::filesystem::path output_file(int i) const;

  std::string variant_;
  std::filesystem::path dir_;
  std::vector<std::uint16_t> udp_ports_;
  std::vector<std::uint16_t> resp_ports_;
  std::vector<std::unique_ptr<ChildProcess>> nodes_;
};

/// How long a node may take to print "ready" (sanitizer builds start slowly on a busy machine).
inline constexpr std::chrono::milliseconds kNodeStartLimit{20000};

}  // namespace ladder::tools::testing
