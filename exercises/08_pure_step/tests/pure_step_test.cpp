/// \file
/// Exercise 08's grading tests: the pure step against the imperative primary it replaces. Both
/// are driven with the same scripted inputs and must end in the same state with the same actions,
/// in the same order; the pure one must also be pure.

#include <cstdint>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "exercises/08_pure_step/given/imperative_primary.hpp"
#include "pure_primary.hpp"

namespace {

using namespace ladder;
using ex08::Action;
using ex08::HeartbeatFired;
using ex08::Input;
using ex08::Primary;
using ex08::ReplyToClient;
using ex08::Send;
using protocol::Commit;
using protocol::Prepare;
using protocol::PrepareOk;
using protocol::Reply;
using protocol::Request;

// Op k of the log: client k % 2's request, add(+k).
Request op(std::uint64_t k) {
  return Request{spec::RequestId{static_cast<spec::ClientId>(k % 2), k},
                 protocol::Op::add(static_cast<std::int64_t>(k))};
}

// The primary of view `view` in a cluster of `replicas`, holding ops 1 .. `held`, none committed
// and none acknowledged.
Primary primary_holding(std::uint64_t held, int replicas = 3, protocol::ViewNumber view = 0) {
  Primary p;
  p.view = view;
  p.self = static_cast<protocol::ReplicaId>(view % static_cast<protocol::ViewNumber>(replicas));
  p.replicas = replicas;
  p.acked.assign(static_cast<std::size_t>(replicas), 0);
  for (std::uint64_t k = 1; k <= held; ++k)
    p.log.suffix.push_back(op(k));
  return p;
}

struct Run {
  Primary state;
  std::vector<Action> actions;
};

// The level-2 way: build the object, capture its callbacks, feed it.
Run run_imperative(const Primary& start, const std::vector<Input>& inputs) {
  std::vector<Action> actions;
  ex08::ImperativePrimary primary(
      start,
      [&](protocol::ReplicaId to, const protocol::Message& m) {
        actions.emplace_back(Send{to, m});
      },
      [&](spec::ClientId client, const Reply& r) {
        actions.emplace_back(ReplyToClient{client, r});
      });
  for (const Input& input : inputs) {
    if (const auto* ack = std::get_if<PrepareOk>(&input)) {
      primary.on(*ack);
    } else {
      primary.on_heartbeat();
    }
  }
  return Run{primary.state(), actions};
}

// The level-3 way: fold step() over the inputs.
Run run_pure(const Primary& start, const std::vector<Input>& inputs) {
  Run run{start, {}};
  for (const Input& input : inputs) {
    ex08::StepResult result = ex08::step(run.state, input);
    run.state = result.next;
    run.actions.insert(run.actions.end(), result.actions.begin(), result.actions.end());
  }
  return run;
}

Reply reply_to(std::uint64_t k, std::int64_t value, protocol::ViewNumber view = 0) {
  return Reply{view, op(k).id, value};
}

}  // namespace

TEST_CASE("part 1: one backup's ack commits the ops it covers, with a reply per op, in order") {
  const Primary start = primary_holding(3);
  const ex08::StepResult result = ex08::step(start, PrepareOk{0, 2, 1});
  CHECK(result.actions ==
        std::vector<Action>{ReplyToClient{1, reply_to(1, 1)}, ReplyToClient{0, reply_to(2, 3)}});
  CHECK(result.next.acked == std::vector<protocol::OpNumber>{0, 2, 0});
  CHECK(result.next.log.commit_number() == 2);
  CHECK(result.next.log.op_number() == 3);
  CHECK(result.next.log.snapshot.value == 3);
  CHECK(result.next == run_imperative(start, {PrepareOk{0, 2, 1}}).state);
}

TEST_CASE("part 1: with five replicas an op commits only when two backups acked it") {
  const Primary start = primary_holding(2, 5);
  const ex08::StepResult one = ex08::step(start, PrepareOk{0, 2, 3});
  CHECK(one.actions.empty());
  CHECK(one.next.acked == std::vector<protocol::OpNumber>{0, 0, 0, 2, 0});
  CHECK(one.next.log.commit_number() == 0);
  const ex08::StepResult two = ex08::step(one.next, PrepareOk{0, 1, 4});
  CHECK(two.actions == std::vector<Action>{ReplyToClient{1, reply_to(1, 1)}});
  CHECK(two.next.log.commit_number() == 1);
}

TEST_CASE("part 1: acks of another view, from self, beyond op_number or older are ignored") {
  const Primary start = primary_holding(2);
  const ex08::StepResult after_ack = ex08::step(start, PrepareOk{0, 1, 2});
  REQUIRE(after_ack.next.log.commit_number() == 1);
  for (const PrepareOk& ignored : {PrepareOk{1, 2, 1}, PrepareOk{0, 2, 0}, PrepareOk{0, 3, 1},
                                   PrepareOk{0, 2, 7}, PrepareOk{0, 0, 2}}) {
    INFO("PrepareOk view " << ignored.view << " op " << ignored.op_number << " from "
                           << ignored.from);
    const ex08::StepResult result = ex08::step(after_ack.next, ignored);
    CHECK(result.next == after_ack.next);
    CHECK(result.actions.empty());
  }
}

TEST_CASE("part 2: the heartbeat resends the latest Prepare while ops are uncommitted") {
  const Primary start = primary_holding(3, 3, 4);  // view 4: replica 1 is primary
  const ex08::StepResult result = ex08::step(start, HeartbeatFired{});
  const Prepare latest{4, 3, 0, op(3)};
  CHECK(result.actions == std::vector<Action>{Send{0, latest}, Send{2, latest}});
  CHECK(result.next == start);
}

TEST_CASE("part 2: the heartbeat sends Commit when everything is committed") {
  const Primary start = primary_holding(2);
  const Primary committed = ex08::step(start, PrepareOk{0, 2, 2}).next;
  REQUIRE(committed.log.commit_number() == 2);
  const ex08::StepResult result = ex08::step(committed, HeartbeatFired{});
  CHECK(result.actions == std::vector<Action>{Send{1, Commit{0, 2}}, Send{2, Commit{0, 2}}});
  CHECK(result.next == committed);
}

TEST_CASE("part 3: a scripted sequence ends in the imperative primary's state and actions") {
  const std::vector<Input> script = {
      HeartbeatFired{},   PrepareOk{0, 1, 2}, PrepareOk{0, 1, 2},  // a duplicated ack
      PrepareOk{1, 4, 1},                                          // another view: ignored
      PrepareOk{0, 4, 1}, HeartbeatFired{},   PrepareOk{0, 3, 2},  // an old ack arrives late
      PrepareOk{0, 5, 2}, HeartbeatFired{}};
  for (const int replicas : {3, 5}) {
    INFO("replicas: " << replicas);
    const Primary start = primary_holding(5, replicas);
    const Run imperative = run_imperative(start, script);
    const Run pure = run_pure(start, script);
    CHECK(pure.state == imperative.state);
    CHECK(pure.actions == imperative.actions);
    CHECK_FALSE(pure.actions.empty());
  }
}

TEST_CASE("part 3: step is pure: the same input twice gives the same result, the state is kept") {
  const Primary start = primary_holding(4);
  const Primary copy = start;
  for (const Input& input : std::vector<Input>{PrepareOk{0, 3, 1}, HeartbeatFired{}}) {
    const ex08::StepResult first = ex08::step(start, input);
    const ex08::StepResult second = ex08::step(start, input);
    CHECK(first == second);
    CHECK(start == copy);  // the input state is unchanged: step returned a new one
  }
  // A step from the state of a finished step continues from there, not from the first state.
  const ex08::StepResult first = ex08::step(start, PrepareOk{0, 3, 1});
  const ex08::StepResult next = ex08::step(first.next, PrepareOk{0, 4, 2});
  CHECK(next.actions == std::vector<Action>{ReplyToClient{0, reply_to(4, 10)}});
}
