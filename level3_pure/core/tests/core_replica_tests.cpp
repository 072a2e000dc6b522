/// \file
/// The replica as a value (copy, equality, hash), the variant's spelling, the rule ids' names, and
/// step()'s robustness against malformed and unexpected input.

#include <set>
#include <string_view>

#include <catch2/catch.hpp>

#include "level3_pure/core/tests/core_support.hpp"

namespace ladder::level3::test {
namespace {

TEST_CASE("Copies of a replica are equal and hash alike; a change in any field tells them apart",
          "[level3][replica]") {
  Replica a = fresh(0);
  feed(a, from(3, add(0, 1, 5)));
  const Replica copy = a;
  CHECK(copy == a);
  CHECK(hash_value(copy) == hash_value(a));
  CHECK(std::hash<Replica>{}(copy) == hash_value(a));

  Replica b = a;
  b.acked[2] = 1;
  CHECK_FALSE(b == a);
  CHECK(hash_value(b) != hash_value(a));
  Replica c = a;
  c.log.suffix[0].op.delta = 6;
  CHECK(hash_value(c) != hash_value(a));
  Replica d = a;
  d.config.variant = Variant::first_release;
  CHECK_FALSE(d == a);
  CHECK(hash_value(d) != hash_value(a));
}

TEST_CASE("step is a function: the same state and input give the same result",
          "[level3][replica]") {
  const Replica r1 = fresh(1);
  const Input input = from(0, protocol::Prepare{0, 1, 0, add(0, 1, 5)});
  const auto first = step(r1, input);
  const auto second = step(r1, input);
  CHECK(first.next == second.next);
  CHECK(first.actions == second.actions);
  CHECK(first.rule == second.rule);
}

TEST_CASE("Every rule id has its own name, and only the ignored family is ignored",
          "[level3][replica]") {
  CHECK(name(Rule::none).empty());
  CHECK(name(Rule::boot) == "boot");
  CHECK(name(Rule::N2d) == "N2d");
  CHECK(name(Rule::ignored_stale_view) == "ignored: stale view");
  // The ids are numbered 0, 1, ... in declaration order, and name() spells each one; the first
  // value past the last id has no name.
  std::set<std::string_view> names;
  int ids = 0;
  for (int value = 1; value < 256; ++value) {
    const auto rule = static_cast<Rule>(value);
    const std::string_view spelled = name(rule);
    if (spelled.empty()) break;
    ++ids;
    INFO(spelled);
    CHECK(names.insert(spelled).second);
    CHECK(is_ignored(rule) == spelled.starts_with("ignored: "));
  }
  CHECK(names.contains("C4"));  // the loop met both families
  CHECK(names.contains("ignored: not the Reply awaited (C3)"));
  CHECK(name(static_cast<Rule>(ids + 1)).empty());
  CHECK_FALSE(is_ignored(Rule::none));
  CHECK_FALSE(is_ignored(Rule::C4));
  CHECK(is_ignored(Rule::ignored_not_awaited_reply));
}

TEST_CASE("The variant is spelled as on the command line", "[level3][replica]") {
  CHECK(std::string(to_string(Variant::first_release)) == "first-release");
  CHECK(parse_variant("fixed") == Variant::fixed);
  CHECK(parse_variant("first-release") == Variant::first_release);
  CHECK(parse_variant("first_release") == std::nullopt);
}

TEST_CASE("boot arms the first primary's heartbeat and every backup's view_change timer",
          "[level3][replica]") {
  const auto r0 = boot(ReplicaConfig{0, cluster(), Variant::fixed});
  CHECK(r0.actions == std::vector<Action>{SetTimer{Timer::heartbeat, 50}});
  CHECK(r0.next.role() == Role::primary);
  const auto r2 = boot(ReplicaConfig{2, cluster(), Variant::fixed});
  CHECK(r2.actions == std::vector<Action>{SetTimer{Timer::view_change, 200}});
  CHECK(r2.next.describe() == "r2 backup v0 op0 commit0 =0");
}

TEST_CASE("Malformed and unexpected input is ignored, never a crash, and changes nothing",
          "[level3][replica][robustness]") {
  protocol::Log too_long;
  too_long.suffix.assign(protocol::kMaxUncommitted + 1, add(0, 1, 1));
  protocol::Log unsorted = log_of({add(2, 1, 1), add(1, 1, 1)});
  std::swap(unsorted.snapshot.clients[0], unsorted.snapshot.clients[1]);
  const protocol::Request bad_seq = add(0, 0, 1);
  const protocol::Request bad_client = add(64, 1, 1);

  const std::vector<Input> inputs = {
      from(7, protocol::Commit{0, 1}),                           // sender not a replica
      from(1, protocol::StartViewChange{1, 1}),                  // sent by self
      from(0, protocol::Prepare{0, 0, 0, add(0, 1, 1)}),         // op 0
      from(0, protocol::Prepare{0, 2, 2, add(0, 1, 1)}),         // commit >= op
      from(0, protocol::Prepare{0, 1, 0, bad_seq}),              // seq 0
      from(2, protocol::Prepare{0, 1, 0, add(0, 1, 1)}),         // not from primary(0)
      from(3, bad_client),                                       // client 64
      from(0, protocol::Reply{0, {0, 1}, 5}),                    // a Reply at a replica
      from(0, protocol::NewState{0, too_long}),                  // suffix over the bound
      from(0, protocol::NewState{0, unsorted}),                  // unsorted client table
      from(2, protocol::DoViewChange{1, 1, 2, log_of({})}),      // last_normal_view >= view
      from(0, protocol::StartView{1, too_long}),                 // from r0, not primary(1)
      from(2, protocol::RecoveryResponse{0, 1, 2, log_of({})}),  // not recovering
      from(0, protocol::GetState{0, 0, 0}),                      // a backup gets GetState
      from(0, protocol::PrepareOk{0, 1, 0}),                     // a backup gets PrepareOk
      fired(Timer::heartbeat),                                   // a backup's stray heartbeat
      fired(Timer::recovery),                                    // not recovering
      fired(Timer::client_retry),                                // not a replica's timer
  };
  const Replica r1 = fresh(1);
  for (const auto& input : inputs) {
    INFO(describe(input));
    const auto result = step(r1, input);
    CHECK(is_ignored(result.rule));
    CHECK(result.actions.empty());
    CHECK(result.next == r1);
  }
}

TEST_CASE("P2: every step that changes a durable field persists first, and only those steps",
          "[level3][replica][p2]") {
  // One request through the cluster, a view change and a restart with a disk: steps of every
  // kind, each checked by Cluster::input against keeps_p2. Here the count of Persists is checked
  // too: the durable fields changed in these steps and no others.
  Cluster cluster;
  int persists_expected = 0;
  int persists_seen = 0;
  const auto count = [&](protocol::ReplicaId id, const Input& input) {
    const Replica& before = cluster.replicas[id];
    const auto result = step(before, input);
    if (result.next.durable() != disk_before(before, input)) ++persists_expected;
    persists_seen += static_cast<int>(all<Persist>(result.actions).size());
    CHECK(keeps_p2(disk_before(before, input), result.actions, result.next));
  };
  count(0, from(3, add(0, 1, 2)));                        // N2d: the log grows
  count(1, fired(Timer::heartbeat));                      // ignored: no change
  count(1, fired(Timer::view_change));                    // V1: the view grows
  count(2, from(0, protocol::Commit{0, 0}));              // N8 with nothing to apply: no change
  count(2, Recovered{cluster.replicas[2].durable(), 1});  // P3 from an up-to-date disk: no change
  count(0, Recovered{cluster.replicas[0].durable(), 1});  // P3 at the primary: the next view
  CHECK(persists_expected == 3);
  CHECK(persists_seen == 3);
}

TEST_CASE("Inputs and actions describe themselves in one line for traces", "[level3][replica]") {
  CHECK(describe(from(1, protocol::PrepareOk{0, 7, 1})) == "from node 1: PrepareOk v0 op7 from r1");
  CHECK(describe(fired(Timer::heartbeat)) == "timer heartbeat");
  CHECK(describe(Input{Recovered{std::nullopt, 9}}) == "recovered without disk, nonce 9");
  CHECK(describe(Action{SetTimer{Timer::view_change, 200}}) == "set view_change 200 ms");
  CHECK(describe(Action{CancelTimer{Timer::heartbeat}}) == "cancel heartbeat");
  CHECK(describe(Action{Persist{Durable{2, 1, log_of({add(0, 1, 1)})}}}) ==
        "persist v2 normal_v1 op1 commit1");
  CHECK(describe(Action{Persist{Durable{2, 1, log_of({add(0, 1, 1)})}, Durability::lazy}}) ==
        "persist v2 normal_v1 op1 commit1 lazy");
  CHECK(describe(Action{ReplyToClient{0, protocol::Reply{0, {0, 3}, 12}}}) ==
        "reply c0 Reply v0 c0#3 =12");
}

}  // namespace
}  // namespace ladder::level3::test
