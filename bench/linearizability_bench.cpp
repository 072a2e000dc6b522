/// \file
/// How fast the linearizability checker judges a long history.
///
/// The history comes from a correct simulated counter: each of the clients makes one call after
/// another, each call takes effect at one random instant between its invoke and its return, and
/// reads return the counter at that instant, so the history is linearizable by construction. A
/// fraction `--info` of adds (default none) end `info` (the client never heard back; each took
/// effect or not, by a coin). The second variant changes one read in the middle to a value no
/// order explains. Target (issue 7): 10,000 operations from 10 clients, each variant checked in
/// under a second. Results go to bench/RESULTS.md.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "counter_spec/history.hpp"
#include "counter_spec/history_jsonl.hpp"
#include "counter_spec/linearizability.hpp"
#include "counter_spec/models.hpp"
#include "network/rng.hpp"

namespace {

using ladder::spec::ClientId;
using ladder::spec::History;
using ladder::spec::OpKind;
using ladder::spec::Time;

// One simulated call: when it was invoked, took effect and returned.
struct SimCall {
  ClientId client = 0;
  OpKind kind = OpKind::add;
  std::int64_t delta = 0;
  Time invoked = 0;
  Time effect = 0;
  Time returned = 0;
  bool info = false;      // the client never heard back
  bool happened = true;   // for an info add: whether it took effect
  std::int64_t read = 0;  // a read's value
};

struct Workload {
  std::uint64_t seed = 1;
  int clients = 10;
  int operations = 10'000;
  double info_chance = 0.0;  // see RESULTS.md: unknown adds that did not happen are costly
};

// The calls of a correct counter, linearizable by construction.
std::vector<SimCall> simulate(const Workload& workload) {
  ladder::net::Rng rng(workload.seed);
  std::vector<SimCall> calls;
  std::vector<Time> free_at(static_cast<std::size_t>(workload.clients), 0);
  for (int i = 0; i < workload.operations; ++i) {
    SimCall call;
    call.client = static_cast<ClientId>(rng.below(static_cast<std::uint64_t>(workload.clients)));
    call.invoked = free_at[call.client] + rng.between(0, 5);
    call.returned = call.invoked + rng.between(1, 20);
    call.effect = rng.between(call.invoked, call.returned);
    call.kind = rng.chance(0.5) ? OpKind::add : OpKind::read;
    if (call.kind == OpKind::add) {
      call.delta = rng.between(1, 5);
      call.info = rng.chance(workload.info_chance);
      call.happened = !call.info || rng.chance(0.5);
    }
    free_at[call.client] = call.returned;
    calls.push_back(call);
  }
  // Apply every call at its instant of effect, in time order.
  std::vector<std::size_t> by_effect(calls.size());
  for (std::size_t i = 0; i < calls.size(); ++i)
    by_effect[i] = i;
  std::sort(by_effect.begin(), by_effect.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(calls[a].effect, a) < std::tie(calls[b].effect, b);
  });
  std::int64_t counter = 0;
  for (const std::size_t i : by_effect) {
    SimCall& call = calls[i];
    if (call.kind == OpKind::read) call.read = counter;
    if (call.kind == OpKind::add && call.happened) counter += call.delta;
  }
  return calls;
}

// The calls as a client-side History, events recorded in time order.
History record(const std::vector<SimCall>& calls) {
  struct Stamp {
    Time time;
    bool completion;
    std::size_t call;
  };
  std::vector<Stamp> stamps;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    stamps.push_back(Stamp{calls[i].invoked, false, i});
    stamps.push_back(Stamp{calls[i].returned, true, i});
  }
  // A client's completion sorts before its own next invoke at the same millisecond.
  std::sort(stamps.begin(), stamps.end(), [](const Stamp& a, const Stamp& b) {
    return std::tie(a.time, b.completion, a.call) < std::tie(b.time, a.completion, b.call);
  });
  History history;
  for (const Stamp& stamp : stamps) {
    const SimCall& call = calls[stamp.call];
    if (!stamp.completion) {
      history.invoke(call.invoked, call.client, call.kind, call.delta);
    } else if (call.info) {
      history.info(call.returned, call.client);
    } else {
      history.ok(call.returned, call.client, call.kind == OpKind::read ? call.read : 0);
    }
  }
  return history;
}

// Checks one variant, prints its line and returns whether the verdict was the expected one.
bool run(const std::string& name, const History& history, bool expect_linearizable,
         const std::string& write_prefix) {
  if (!write_prefix.empty()) {
    std::ofstream(write_prefix + "-" + name + ".jsonl") << ladder::spec::to_jsonl(history);
  }
  const std::vector<ladder::spec::Call> calls = ladder::spec::calls_from_history(history);
  const auto start = std::chrono::steady_clock::now();
  const ladder::spec::LinearizabilityResult result =
      ladder::spec::check_linearizability(calls, ladder::spec::CounterModel{});
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  fmt::print("{:<13} {} calls: {} in {:.3f} s, {} (placed set, state) pairs memoised\n", name,
             calls.size(), result.linearizable ? "linearizable" : "NOT linearizable",
             elapsed.count(), result.states_memoised);
  if (!result.linearizable) {
    fmt::print("  {}\n", calls[*result.blocking].describe());
  }
  return result.linearizable == expect_linearizable;
}

}  // namespace

int main(int argc, char** argv) {
  Workload workload;
  std::string write_prefix;
  CLI::App app{"ladder_bench_linearizability: check a long counter history, good and bad"};
  app.add_option("--seed", workload.seed, "the workload's seed")->capture_default_str();
  app.add_option("--clients", workload.clients, "clients")->capture_default_str();
  app.add_option("--operations", workload.operations, "operations in all")->capture_default_str();
  app.add_option("--info", workload.info_chance, "chance that an add ends info")
      ->capture_default_str();
  app.add_option("--write", write_prefix, "also write PREFIX-good.jsonl and PREFIX-bad-read.jsonl");
  CLI11_PARSE(app, argc, argv);

  std::vector<SimCall> calls = simulate(workload);
  const bool good = run("good", record(calls), true, write_prefix);
  // The bad read: the middle read answers one more than the counter could ever have held there.
  auto middle = calls.begin() + static_cast<std::ptrdiff_t>(calls.size() / 2);
  middle = std::find_if(middle, calls.end(),
                        [](const SimCall& c) { return c.kind == OpKind::read && !c.info; });
  if (middle == calls.end()) {
    fmt::print(stderr, "no read in the second half to spoil\n");
    return 1;
  }
  std::int64_t most = 0;
  for (const SimCall& call : calls)
    most += call.kind == OpKind::add ? call.delta : 0;
  middle->read = most + 1;
  const bool bad = run("bad-read", record(calls), false, write_prefix);
  return good && bad ? 0 : 1;
}
