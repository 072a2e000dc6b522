#include "tools/ladder/node.hpp"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "level1_rpc/client.hpp"
#include "level1_rpc/errors.hpp"
#include "level1_rpc/replica.hpp"
#include "tools/ladder/usage_error.hpp"

namespace ladder::tools {

namespace {

constexpr const char* kHost = "127.0.0.1";

// One line on stdout, flushed at once: a node's output is read live, often through a pipe. Each
// line goes out in one call, under stdio's lock, so lines from the replica's threads never mix.
void say(const std::string& line) {
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

std::string describe_log(const std::vector<spec::RequestId>& applied) {
  std::vector<std::string> ids;
  for (const spec::RequestId& request : applied)
    ids.push_back(spec::to_string(request));
  return ids.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(ids, " "));
}

void check_cluster(const std::vector<std::uint16_t>& cluster) {
  if (cluster.empty()) throw UsageError("--cluster names no replica");
  for (std::size_t i = 0; i < cluster.size(); ++i) {
    if (cluster[i] == 0) throw UsageError(fmt::format("--cluster: r{} has port 0", i));
  }
}

std::uint16_t port_of(const std::vector<std::uint16_t>& cluster, int replica) {
  if (replica < 0 || static_cast<std::size_t>(replica) >= cluster.size()) {
    throw UsageError(fmt::format("there is no replica r{} in a cluster of {} (r0..r{})", replica,
                                 cluster.size(), cluster.size() - 1));
  }
  return cluster[static_cast<std::size_t>(replica)];
}

// Prints a failed call the way the taxonomy reads it: which error, and what it means.
void say_failure(std::string_view what, const level1::RpcError& error) {
  say(fmt::format("{}: {} (may have run: {}): {}", what, error.kind(),
                  level1::to_string(error.may_have_run()), error.what()));
}

int client_add(const ClientVerbOptions& options) {
  if (options.seq == 0) throw UsageError("--seq must be at least 1");
  const int target = options.replica;
  level1::Client stub(kHost, port_of(options.cluster, target));
  const level1::Update update{.request = {.client = options.client, .seq = options.seq},
                              .delta = options.delta};
  const std::string what =
      fmt::format("{} add({:+}) on r{}", spec::to_string(update.request), options.delta, target);
  try {
    const nlohmann::json result = stub.call("add", level1::to_json(update), options.deadline);
    say(fmt::format("{}: ok -> {}", what, result.at("value").get<std::int64_t>()));
    return kExitOk;
  } catch (const level1::RpcError& error) {
    say_failure(what, error);
    return kExitFailure;
  }
}

int client_read(const ClientVerbOptions& options) {
  const int target = options.replica;
  level1::Client stub(kHost, port_of(options.cluster, target));
  const std::string what = fmt::format("read on r{}", target);
  try {
    const nlohmann::json result = stub.call("read", nlohmann::json::object(), options.deadline);
    say(fmt::format("{}: ok -> {}", what, result.at("value").get<std::int64_t>()));
    return kExitOk;
  } catch (const level1::RpcError& error) {
    say_failure(what, error);
    return kExitFailure;
  }
}

// Every replica's counter and apply log, and whether the ones that answered agree.
int client_state(const ClientVerbOptions& options) {
  std::vector<std::int64_t> values;
  bool every_one_answered = true;
  for (std::size_t i = 0; i < options.cluster.size(); ++i) {
    const std::string name = fmt::format("r{}", i);
    level1::Client stub(kHost, options.cluster[i]);
    try {
      const spec::ReplicaState state = level1::state_from_json(
          stub.call("state", nlohmann::json::object(), options.deadline), name);
      say(fmt::format("{}  counter {}  applied {}", name, state.value,
                      describe_log(state.applied)));
      values.push_back(state.value);
    } catch (const level1::RpcError& error) {
      say_failure(name, error);
      every_one_answered = false;
    }
  }
  if (values.size() >= 2) {
    const bool agree = std::equal(values.begin() + 1, values.end(), values.begin());
    say(agree ? "the replicas that answered agree" : "the replicas that answered DISAGREE");
  }
  return every_one_answered ? kExitOk : kExitFailure;
}

}  // namespace

std::vector<std::uint16_t> parse_cluster(const std::string& text) {
  std::vector<std::uint16_t> ports;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t end = text.find(',', begin);
    const std::string entry = text.substr(begin, end == std::string::npos ? end : end - begin);
    const bool digits = !entry.empty() && entry.size() <= 5 &&
                        entry.find_first_not_of("0123456789") == std::string::npos;
    const unsigned long port = digits ? std::stoul(entry) : 0;
    if (port == 0 || port > 65535) {
      throw UsageError(fmt::format(
          "--cluster: entry {} is \"{}\"; expected ports 1..65535 separated by commas, as in "
          "7000,7001,7002",
          ports.size() + 1, entry));
    }
    ports.push_back(static_cast<std::uint16_t>(port));
    if (end == std::string::npos) return ports;
    begin = end + 1;
  }
}

int run_node(const NodeOptions& options) {
  check_cluster(options.cluster);
  const std::uint16_t port = port_of(options.cluster, options.id);
  const std::string name = fmt::format("r{}", options.id);
  level1::Replica replica(level1::ReplicaOptions{
      .index = options.id,
      .port = port,
      .backup_deadline = options.backup_deadline,
      .threads = 4,
      .log = [name](const std::string& line) { say(fmt::format("{}: {}", name, line)); },
      .make_reply_cache = {}});
  replica.start();
  replica.set_peers(options.cluster);
  say(
      fmt::format("{} (pid {}) listening on {}:{} in a cluster of {} (ports {}); stop it with "
                  "Ctrl-C, crash it with kill -9 {}",
                  name, getpid(), kHost, replica.port(), options.cluster.size(),
                  fmt::join(options.cluster, ","), getpid()));

  // The main thread only waits for a signal; the replica's own threads serve the calls. A SIGKILL
  // skips all of this, which is the point of sending one: a crash says goodbye to nobody.
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  int received = 0;
  signals.async_wait([&received](const boost::system::error_code& error, int signal) {
    if (!error) received = signal;
  });
  io.run();

  const spec::ReplicaState state = replica.state();
  replica.stop();
  say(fmt::format("{} stopped by {}: counter {}, applied {}", name,
                  received == SIGINT ? "SIGINT" : "SIGTERM", state.value,
                  describe_log(state.applied)));
  return kExitOk;
}

int run_client(const ClientVerbOptions& options) {
  check_cluster(options.cluster);
  if (options.operation == "add") return client_add(options);
  if (options.operation == "read") return client_read(options);
  if (options.operation == "state") return client_state(options);
  throw UsageError(
      fmt::format("unknown operation \"{}\"; expected add, read or state", options.operation));
}

}  // namespace ladder::tools
