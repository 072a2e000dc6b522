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
#include "level2_async/run.hpp"
#include "level3_pure/sim/sim.hpp"
#include "level3_pure/sim/sim_results.hpp"
#include "level3_pure/sim/trace_file.hpp"
#include "protocol/codec.hpp"
#include "tools/ladder/usage_error.hpp"

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

// What a level 1 run leaves that no checker judges: adds whose outcome the client never learned.
std::vector<std::string> level1_notes(const level1::RunResult& result, level1::RetryPolicy retry) {
  std::vector<std::string> unknown;
  for (const spec::Operation& op : result.record.history.operations()) {
    if (op.kind == spec::OpKind::add && op.outcome == spec::Outcome::info && op.request)
      unknown.push_back(spec::to_string(*op.request));
  }
  std::vector<std::string> notes{
      fmt::format("the client's retry policy: {}", level1::to_string(retry))};
  if (!unknown.empty()) {
    notes.push_back(
        fmt::format("{} add{} ended info ({}): the client can never learn whether {} happened",
                    unknown.size(), unknown.size() == 1 ? "" : "s", fmt::join(unknown, " "),
                    unknown.size() == 1 ? "it" : "they"));
  }
  return notes;
}

// Level 1 with the clients' retry policy `retry`.
Level make_level1(level1::RetryPolicy retry) {
  Level level;
  level.number = 1;
  level.title = "blocking RPC";
  level.belief = "a remote call is a local call that may throw";
  // The tour runs the default, on-timeout, as level 1's author would: that is what turns a lost
  // reply into an add applied twice. Real sockets and threads: no digest, no simulated stats.
  level.verdict = [retry](const net::Scenario& scenario, std::uint64_t seed) {
    level1::RunOptions options;
    options.retry = retry;
    return level1::run(scenario, seed, options).verdict;
  };
  level.demo = [retry](const net::Scenario& scenario, std::uint64_t seed,
                       const TraceObserver& observer) {
    level1::RunOptions options;
    options.retry = retry;
    options.observer = observer;
    level1::RunResult result = level1::run(scenario, seed, options);
    std::vector<std::string> notes = level1_notes(result, retry);
    return DemoRun{std::move(result.verdict), std::nullopt, std::nullopt, std::move(notes)};
  };
  level.options = {LevelOption{.name = "retry",
                               .help = "level 1: whether a client sends a timed-out call again",
                               .values = {level1::to_string(level1::RetryPolicy::on_timeout),
                                          level1::to_string(level1::RetryPolicy::never)}}};
  level.with_options = [](const LevelSettings& settings) {
    const std::optional<level1::RetryPolicy> chosen =
        level1::parse_retry_policy(settings.at("retry"));
    assert(chosen && "select_options() passes only values the option declares");
    return make_level1(*chosen);
  };
  return level;
}

// Level 2 running `variant`: the replicas on threads, the messages on real UDP.
Level make_level2(level2::Variant variant) {
  Level level;
  level.number = 2;
  level.title = "threads and async messages";
  level.belief =
      "explicit messages, timeouts and a distributed algorithm on threads handle partial failure";
  level.verdict = [variant](const net::Scenario& scenario, std::uint64_t seed) {
    level2::RunOptions options;
    options.variant = variant;
    return level2::run(scenario, seed, options).verdict;
  };
  level.demo = [variant](const net::Scenario& scenario, std::uint64_t seed,
                         const TraceObserver& observer) {
    level2::RunOptions options;
    options.variant = variant;
    options.observer = observer;
    level2::RunResult result = level2::run(scenario, seed, options);
    return DemoRun{std::move(result.verdict), std::nullopt, std::nullopt};
  };
  // The trace carries each datagram's body: the protocol's binary messages, decoded for the log.
  level.describe = [](std::string_view payload) {
    const protocol::DecodeResult decoded = protocol::decode(payload);
    return decoded ? protocol::describe(decoded.message())
                   : "malformed: " + decoded.error().message;
  };
  // Real threads and a real scheduler: one run proves nothing, so the tour shows frequencies.
  level.runs_per_cell = 5;
  level.variants = {"first-release", "fixed"};  // the default first: what the author shipped
  level.with_variant = [](const std::string& name) {
    const std::optional<level2::Variant> chosen = level2::parse_variant(name);
    assert(chosen && "with_variant() is called with one of `variants`");
    return make_level2(*chosen);
  };
  return level;
}

// Level 3 running `variant`: the pure core on the deterministic simulator.
Level make_level3(level3::Variant variant) {
  Level level;
  level.number = 3;
  level.title = "pure step function";
  level.belief =
      "the protocol is a pure function step(state, input) -> (state, actions); IO is detached";
  level.verdict = [variant](const net::Scenario& scenario, std::uint64_t seed) {
    return level3::run_sim(level3::make_spec(scenario, seed, variant)).verdict;
  };
  level.demo = [variant](const net::Scenario& scenario, std::uint64_t seed,
                         const TraceObserver& observer) {
    const level3::SimSpec spec = level3::make_spec(scenario, seed, variant);
    level3::SimHooks hooks;
    hooks.observer = observer;
    level3::SimResult result = level3::run_sim(spec, hooks);
    DemoRun run{std::move(result.verdict), result.digest, result.stats};
    run.notes.push_back(fmt::format("variant {}, {} simulated events, healed at {} ms",
                                    level3::to_string(variant), result.events, result.healed_at));
    return run;
  };
  level.describe = [](std::string_view payload) { return level3::describe_payload(payload); };
  level.describe_timer = [](std::string_view tag) { return level3::describe_timer_tag(tag); };
  level.variants = {"first-release", "fixed"};  // the default first: what the author shipped
  level.with_variant = [](const std::string& name) {
    const std::optional<level3::Variant> chosen = level3::parse_variant(name);
    assert(chosen && "with_variant() is called with one of `variants`");
    return make_level3(*chosen);
  };
  level.monkey_stuck_after_ms = 10'000;
  level.save_run = [variant](const net::Scenario& scenario, std::uint64_t seed) {
    const level3::SimSpec spec = level3::make_spec(scenario, seed, variant);
    level3::SimResult result;
    const level3::Trace trace = level3::record_trace(spec, &result);
    const std::filesystem::path folder = level3::results_folder("runs", spec);
    level3::save_results(folder, trace, result);
    return folder;
  };
  return level;
}

std::vector<Level> make_levels() {
  // One entry per level, in order. A new level adds its make_levelN() here.
  std::vector<Level> all{make_level0(), make_level1(level1::RetryPolicy::on_timeout),
                         make_level2(level2::Variant::first_release),
                         make_level3(level3::Variant::first_release)};
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

Level select_variant(const Level& level, const std::string& variant) {
  if (variant.empty()) return level;
  if (std::find(level.variants.begin(), level.variants.end(), variant) == level.variants.end()) {
    throw UsageError(
        level.variants.empty()
            ? fmt::format("level {} has no variants (--variant {})", level.number, variant)
            : fmt::format("level {} has no variant \"{}\"; its variants are: {}", level.number,
                          variant, fmt::join(level.variants, ", ")));
  }
  return level.with_variant(variant);
}

Level select_options(const Level& level, const LevelSettings& settings) {
  if (settings.empty()) return level;
  std::vector<std::string> names;
  for (const LevelOption& option : level.options)
    names.push_back("--" + option.name);
  LevelSettings complete;  // every option of the level, at its default unless given
  for (const LevelOption& option : level.options) {
    assert(!option.values.empty() && "an option offers at least its default");
    complete[option.name] = option.values.front();
  }
  for (const auto& [name, value] : settings) {
    const auto option = std::find_if(level.options.begin(), level.options.end(),
                                     [&name](const LevelOption& o) { return o.name == name; });
    if (option == level.options.end()) {
      throw UsageError(names.empty()
                           ? fmt::format("level {} takes no option --{}", level.number, name)
                           : fmt::format("level {} takes no option --{}; its options are: {}",
                                         level.number, name, fmt::join(names, ", ")));
    }
    if (std::find(option->values.begin(), option->values.end(), value) == option->values.end()) {
      throw UsageError(fmt::format("--{} {}: level {} accepts {}", name, value, level.number,
                                   fmt::join(option->values, ", ")));
    }
    complete[name] = value;
  }
  assert(level.with_options && "a level with options can apply them");
  return level.with_options(complete);
}

std::vector<LevelOption> all_level_options() {
  std::vector<LevelOption> all;
  for (const Level& level : levels()) {
    for (const LevelOption& option : level.options) {
      const bool known = std::any_of(all.begin(), all.end(), [&option](const LevelOption& o) {
        return o.name == option.name;
      });
      if (!known) all.push_back(option);
    }
  }
  return all;
}

std::string settings_flags(const LevelSettings& settings) {
  std::string flags;
  for (const auto& [name, value] : settings)
    flags += fmt::format(" --{} {}", name, value);
  return flags;
}

std::string level_numbers() {
  std::vector<int> numbers;
  for (const Level& level : levels())
    numbers.push_back(level.number);
  return fmt::format("{}", fmt::join(numbers, ", "));
}

}  // namespace ladder::tools
