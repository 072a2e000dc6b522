#include "tools/ladder/node_process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <csignal>
#include <string>
#include <system_error>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include "level1_rpc/client.hpp"
#include "level1_rpc/errors.hpp"

namespace ladder::tools {

namespace {

ProcessExit decode_status(int status) {
  ProcessExit exit;
  if (WIFEXITED(status)) exit.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) exit.signal = WTERMSIG(status);
  return exit;
}

}  // namespace

NodeProcess::NodeProcess(const std::filesystem::path& ladder, int id,
                         const std::vector<std::uint16_t>& cluster,
                         const std::filesystem::path& log)
    : NodeProcess(std::vector<std::string>{ladder.string(), "node", "--id", std::to_string(id),
                                           "--cluster", fmt::format("{}", fmt::join(cluster, ","))},
                  log) {
  assert(id >= 0 && static_cast<std::size_t>(id) < cluster.size());
}

NodeProcess::NodeProcess(const std::vector<std::string>& argv, const std::filesystem::path& log,
                         int parent_death) {
  assert(!argv.empty());
  // Everything the child needs is built before fork(): between fork and exec a child of a
  // threaded parent may only make async-signal-safe calls, and allocating is not one of them.
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));  // NOLINT: execv's signature
  args.push_back(nullptr);
  const std::string log_path = log.empty() ? std::string("/dev/null") : log.string();
  const pid_t parent = getpid();
  sigset_t none;  // exec keeps the blocked signals: the child must not inherit the parent's
  sigemptyset(&none);

  pid_ = fork();
  if (pid_ < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid_ == 0) {
    // The child: die with the parent, send output to the log, become the program.
    if (prctl(PR_SET_PDEATHSIG, parent_death) != 0 || getppid() != parent) _exit(127);
    if (sigprocmask(SIG_SETMASK, &none, nullptr) != 0) _exit(127);
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) _exit(127);
    close(fd);
    execv(args[0], args.data());
    _exit(127);  // exec failed: the exit code says "command not found", as a shell would
  }
}

NodeProcess::~NodeProcess() {
  kill();
}

void NodeProcess::kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  reap(/*block=*/true);
}

ProcessExit NodeProcess::stop(int signal, std::chrono::milliseconds limit) {
  this->signal(signal);
  return wait(limit);
}

void NodeProcess::signal(int signal) {
  if (running()) ::kill(pid_, signal);
}

ProcessExit NodeProcess::wait(std::chrono::milliseconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!reap(/*block=*/false) && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  kill();  // still running after `limit`: it gets no more time
  assert(ended_.has_value());
  return *ended_;
}

// Collects the child's exit status; true once it has ended. SIGKILL cannot be ignored, so a
// blocking reap after it always returns.
bool NodeProcess::reap(bool block) {
  if (!running()) return true;
  int status = 0;
  pid_t got = 0;
  do {
    got = waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (got < 0 && errno == EINTR);
  if (got == 0) return false;
  assert(got == pid_ && "waitpid() on our own child cannot fail otherwise");
  ended_ = decode_status(status);
  return true;
}

std::string describe(const ProcessExit& exit) {
  if (exit.code) return fmt::format("exited with code {}", *exit.code);
  if (exit.signal) return fmt::format("was killed by signal {}", *exit.signal);
  return "ended";
}

bool wait_until_serving(std::uint16_t port, std::chrono::milliseconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  level1::Client stub("127.0.0.1", port);
  for (;;) {
    try {
      stub.call("read", nlohmann::json::object(), std::chrono::milliseconds(200));
      return true;
    } catch (const level1::RpcError&) {
      // Not listening yet (NotSent), or not answering yet: try again until the limit.
    }
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<std::uint16_t> free_loopback_ports(int count) {
  assert(count >= 0);
  // All bound at once, so the kernel hands out distinct ports; all closed on return.
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::acceptor> acceptors;
  std::vector<std::uint16_t> ports;
  for (int i = 0; i < count; ++i) {
    acceptors.emplace_back(
        io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    ports.push_back(acceptors.back().local_endpoint().port());
  }
  return ports;
}

}  // namespace ladder::tools
