#include "tools/ladder/levels.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "level0/level0.hpp"
#include "level0/naive_client.hpp"
#include "level1_rpc/run.hpp"

namespace ladder::tools {

namespace {

Level make_level0() {
  Level level;
  level.number = 0;
  level.title = "naive replication";
  level.belief = "replication is easy: every machine stores the item at the same time";
  level.verdict = [](const net::Scenario& scenario, std::uint64_t seed) {
    return level0::run(scenario, seed).verdict;
  };
  level.demo = [](const net::Scenario& scenario, std::uint64_t seed,
                  const TraceObserver& observer) {
    level0::RunOptions options;
    options.observer = observer;
    level0::RunResult result = level0::run(scenario, seed, options);
    return DemoRun{std::move(result.verdict), result.digest, result.stats};
  };
  // Level 0 speaks plain text ("get", "value 17", "store 20"): the log shows it as it is.
  // Only the clients arm timers.
  level.describe_timer = [](std::string_view tag) {
    std::uint64_t number = 0;
    const auto [end, error] = std::from_chars(tag.data(), tag.data() + tag.size(), number);
    if (error != std::errc{} || end != tag.data() + tag.size()) return std::string();
    return std::string(level0::timer_name(number));
  };
  return level;
}

Level make_level1() {
  Level level;
  level.number = 1;
  level.title = "blocking RPC";
  level.belief = "a remote call is a local call that may throw";
  // The tour and the demo retry on timeout, as level 1's author would: that is what turns a lost
  // reply into an add applied twice. Real sockets and threads: no digest, no simulated stats.
  level.verdict = [](const net::Scenario& scenario, std::uint64_t seed) {
    level1::RunOptions options;
    options.retry = level1::RetryPolicy::on_timeout;
    return level1::run(scenario, seed, options).verdict;
  };
  level.demo = [](const net::Scenario& scenario, std::uint64_t seed,
                  const TraceObserver& observer) {
    level1::RunOptions options;
    options.retry = level1::RetryPolicy::on_timeout;
    options.observer = observer;
    level1::RunResult result = level1::run(scenario, seed, options);
    return DemoRun{std::move(result.verdict), std::nullopt, std::nullopt};
  };
  return level;
}

std::vector<Level> make_levels() {
  // One entry per level, in order. A new level adds its make_levelN() here.
  std::vector<Level> all{make_level0(), make_level1()};
  assert(std::is_sorted(all.begin(), all.end(),
                        [](const Level& a, const Level& b) { return a.number < b.number; }) &&
         "levels are listed in order");
  for (const Level& level : all) {
    assert(level.verdict && "a level without a verdict function");
    assert(level.demo && "a level without a demo function");
  }
  return all;
}

}  // namespace

const std::vector<Level>& levels() {
  static const std::vector<Level> all = make_levels();
  return all;
}

const Level* find_level(int number) {
  const auto& all = levels();
  const auto it = std::find_if(all.begin(), all.end(),
                               [number](const Level& level) { return level.number == number; });
  return it == all.end() ? nullptr : &*it;
}

std::string level_numbers() {
  std::vector<int> numbers;
  for (const Level& level : levels())
    numbers.push_back(level.number);
  return fmt::format("{}", fmt::join(numbers, ", "));
}

}  // namespace ladder::tools
