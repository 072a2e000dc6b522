#pragma once
/// \file
/// A `ladder node` (tools/ladder/node.hpp) running as a child process, owned like any other
/// resource: spawned by the constructor, killed and reaped by the destructor. A test that fails
/// half way, or throws, leaves no node running and no zombie behind; and since each child asks
/// the kernel to kill it when its parent dies (PR_SET_PDEATHSIG), not even a crashed parent does.
///
///     ladder::tools::NodeProcess r1(ladder_binary, 1, {7000, 7001, 7002});
///     ladder::tools::wait_until_serving(7001, std::chrono::seconds(5));
///     r1.kill();     // SIGKILL: a crash, its memory gone
///
/// Linux only, like the rest of the workbook.

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ladder::tools {

/// How a child process ended.
struct ProcessExit {
  std::optional<int> code;    ///< its exit code, when it exited
  std::optional<int> signal;  ///< the signal that ended it, when one did
};

/// One `ladder node --id ID --cluster PORTS` child process. Not copyable, not movable: hold it in
/// a std::optional or a std::unique_ptr to restart it.
class NodeProcess {
 public:
  /// Starts `ladder` (the path of the ladder binary) as replica `id` of `cluster`, its stdout and
  /// stderr appended to `log` (discarded when empty). Throws std::system_error when it cannot
  /// fork. Precondition: 0 <= id < cluster.size().
  NodeProcess(const std::filesystem::path& ladder, int id,
              const std::vector<std::uint16_t>& cluster, const std::filesystem::path& log = {});
  /// Starts any program: `argv[0]` is its path, the rest its arguments (level 3's runtime tests
  /// and `ladder cluster up` start `ladder node --cluster cluster.json ...` this way). Output as
  /// above. The child starts with no signal blocked, whatever the parent blocked, and gets
  /// `parent_death` when the parent dies: SIGKILL for a test's nodes, SIGTERM for a cluster whose
  /// nodes should stop cleanly. Precondition: argv is not empty.
  NodeProcess(const std::vector<std::string>& argv, const std::filesystem::path& log,
              int parent_death = SIGKILL);
  /// Kills the child (SIGKILL) if it still runs, and reaps it.
  ~NodeProcess();
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  /// Sends SIGKILL and reaps the child: a crash, with no chance to say goodbye. Does nothing once
  /// the child has ended.
  void kill();
  /// Sends `signal` (SIGTERM, SIGINT) and waits at most `limit` for the child to end. When it has
  /// not ended by then it is killed; either way it is reaped when this returns.
  ProcessExit stop(int signal, std::chrono::milliseconds limit);
  /// Sends `signal` without waiting. Does nothing once the child has ended.
  void signal(int signal);
  /// Waits at most `limit` for the child to end, then kills it; either way it is reaped when this
  /// returns.
  ProcessExit wait(std::chrono::milliseconds limit);
  /// True until the child has been reaped.
  [[nodiscard]] bool running() const { return !ended_.has_value(); }
  /// Reaps the child if it has ended by now, without waiting; then running().
  bool poll() { return !reap(/*block=*/false); }
  /// How the child ended; nullopt while it runs.
  [[nodiscard]] const std::optional<ProcessExit>& ended() const { return ended_; }
  /// The child's process id.
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  bool reap(bool block);

  pid_t pid_ = -1;
  std::optional<ProcessExit> ended_;
};

/// "exited with code 1", "was killed by signal 9": how `exit` ended, for a person.
[[nodiscard]] std::string describe(const ProcessExit& exit);

/// Waits until a level 1 replica on 127.0.0.1:`port` answers a `read`, trying every 20 ms for at
/// most `limit`. True when it answered.
[[nodiscard]] bool wait_until_serving(std::uint16_t port, std::chrono::milliseconds limit);

/// `count` distinct ports that were free on 127.0.0.1 when this returned (another process may
/// still take one before it is used; on a test machine that is rare enough).
[[nodiscard]] std::vector<std::uint16_t> free_loopback_ports(int count);

}  // namespace ladder::tools
