/// \file
/// The monkey: random but valid scenarios drawn from a seed, in the spirit of TigerBeetle's VOPR.
/// Every parameter comes from the one seed and is written into the description, so a failing
/// monkey run can be saved as a scenario file and replayed.

#include <algorithm>
#include <cassert>
#include <numeric>

#include <fmt/format.h>

#include "network/rng.hpp"
#include "network/scenario.hpp"

namespace ladder::net {
namespace {

constexpr std::uint64_t kMonkeyStream = 0x6d6f6e6b6579U;  // "monkey"
constexpr int kMaxEpisodes = 4;
constexpr Time kShortestHorizonMs = 200;

/// A probability in [0, max_permille / 1000], in steps of 0.001 so that it prints exactly.
double draw_probability(Rng& rng, std::uint64_t max_permille) {
  return static_cast<double>(rng.below(max_permille + 1)) / 1000.0;
}

/// Fisher-Yates with our own generator (std::shuffle's algorithm is unspecified).
void shuffle(std::vector<NodeId>& ids, Rng& rng) {
  for (std::size_t i = ids.size(); i > 1; --i) {
    std::swap(ids[i - 1], ids[rng.below(i)]);
  }
}

std::vector<NodeId> all_nodes(const Topology& topology) {
  std::vector<NodeId> ids(static_cast<std::size_t>(topology.size()));
  std::iota(ids.begin(), ids.end(), NodeId{0});
  return ids;
}

/// Two or three groups, every node in one of them, no group empty.
TimelineEvent draw_partition(Rng& rng, const Topology& topology) {
  std::vector<NodeId> ids = all_nodes(topology);
  assert(ids.size() >= 2);
  shuffle(ids, rng);
  const std::size_t group_count = ids.size() >= 3 && rng.chance(0.3) ? 3 : 2;
  TimelineEvent event;
  event.kind = TimelineKind::partition;
  event.groups.resize(group_count);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    // The first nodes seed one group each; the rest land anywhere.
    const std::size_t group = i < group_count ? i : rng.below(group_count);
    event.groups[group].push_back(ids[i]);
  }
  for (auto& group : event.groups)
    std::sort(group.begin(), group.end());
  return event;
}

/// A one-way cut between two disjoint, non-empty sets of nodes.
TimelineEvent draw_cut(Rng& rng, const Topology& topology) {
  std::vector<NodeId> ids = all_nodes(topology);
  assert(ids.size() >= 2);
  shuffle(ids, rng);
  const auto split =
      static_cast<std::size_t>(rng.between(1, static_cast<std::int64_t>(ids.size()) - 1));
  const auto to_count =
      static_cast<std::size_t>(rng.between(1, static_cast<std::int64_t>(ids.size() - split)));
  TimelineEvent event;
  event.kind = TimelineKind::cut;
  event.from.assign(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(split));
  event.to.assign(ids.begin() + static_cast<std::ptrdiff_t>(split),
                  ids.begin() + static_cast<std::ptrdiff_t>(split + to_count));
  std::sort(event.from.begin(), event.from.end());
  std::sort(event.to.begin(), event.to.end());
  return event;
}

std::string names(const std::vector<NodeId>& ids, const Topology& topology) {
  std::string out;
  for (const NodeId id : ids)
    out += (out.empty() ? "" : " ") + topology.name(id);
  return out;
}

std::string describe_episode(const TimelineEvent& begin, Time end_ms, const Topology& topology) {
  switch (begin.kind) {
    case TimelineKind::partition: {
      std::string groups;
      for (const auto& group : begin.groups) {
        groups += (groups.empty() ? "" : " | ") + names(group, topology);
      }
      return fmt::format("partition {} from {} to {} ms", groups, begin.at_ms, end_ms);
    }
    case TimelineKind::cut:
      return fmt::format("one-way cut {} -> {} from {} to {} ms", names(begin.from, topology),
                         names(begin.to, topology), begin.at_ms, end_ms);
    case TimelineKind::crash:
      return fmt::format("crash {} at {} ms, restart at {} ms", topology.name(begin.node),
                         begin.at_ms, end_ms);
    case TimelineKind::heal:
    case TimelineKind::restart:
      break;
  }
  assert(false && "an episode begins with a partition, a cut or a crash");
  return {};
}

/// Roughly how long the workload runs: each operation thinks, then waits for a round trip.
Time estimated_duration_ms(const Workload& workload, const FaultPlan& faults) {
  const Time per_operation = workload.think_max_ms + 2 * faults.delay_max_ms + 1;
  return std::max(kShortestHorizonMs, per_operation * workload.operations);
}

}  // namespace

Scenario monkey_scenario(std::uint64_t seed, int replicas, const Workload& workload) {
  assert(replicas >= 1 && "the monkey needs at least one replica");
  assert(workload.clients >= 1 && "the monkey needs at least one client");
  Rng rng = Rng(seed).fork(kMonkeyStream);
  Scenario scenario;
  scenario.name = fmt::format("monkey-{}", seed);
  scenario.seed = seed;
  scenario.replicas = replicas;
  scenario.workload = workload;
  const Topology topology = scenario.topology();

  FaultPlan& faults = scenario.faults;
  faults.drop_probability = draw_probability(rng, 300);
  faults.duplicate_probability = draw_probability(rng, 200);
  faults.delay_min_ms = rng.between(1, 10);
  faults.delay_max_ms = faults.delay_min_ms + rng.between(0, 40);
  faults.response_loss_probability = draw_probability(rng, 200);

  // Episodes take turns, each in its own slice of the workload's expected duration, and each
  // ends (heal or restart) inside its slice: the plan always ends healed with every node up.
  const auto episodes = static_cast<int>(rng.below(kMaxEpisodes + 1));
  std::vector<std::string> told;
  if (episodes > 0) {
    const Time slice = estimated_duration_ms(workload, faults) / episodes;
    for (int e = 0; e < episodes; ++e) {
      const Time slice_begin = slice * e;
      TimelineEvent begin;
      TimelineEvent end;
      switch (rng.below(3)) {
        case 0:
          begin = draw_partition(rng, topology);
          end.kind = TimelineKind::heal;
          break;
        case 1:
          begin = draw_cut(rng, topology);
          end.kind = TimelineKind::heal;
          break;
        default:
          begin.kind = TimelineKind::crash;
          begin.node =
              topology.replica(static_cast<int>(rng.below(static_cast<std::uint64_t>(replicas))));
          end.kind = TimelineKind::restart;
          end.node = begin.node;
          break;
      }
      begin.at_ms = slice_begin + rng.between(0, slice / 3);
      end.at_ms = begin.at_ms + rng.between(slice / 4, slice / 2);
      assert(end.at_ms <= slice_begin + slice && "an episode ends inside its slice");
      told.push_back(describe_episode(begin, end.at_ms, topology));
      faults.timeline.push_back(std::move(begin));
      faults.timeline.push_back(std::move(end));
    }
  }

  scenario.description = fmt::format(
      "The monkey's plan for seed {}: drop {}, duplicate {}, delay {}-{} ms, response loss {}; {}.",
      seed, faults.drop_probability, faults.duplicate_probability, faults.delay_min_ms,
      faults.delay_max_ms, faults.response_loss_probability,
      told.empty() ? std::string("no partitions or crashes")
                   : fmt::format("{} fault episode{}: {}", told.size(), told.size() == 1 ? "" : "s",
                                 fmt::join(told, "; then ")));
  return scenario;
}

}  // namespace ladder::net
