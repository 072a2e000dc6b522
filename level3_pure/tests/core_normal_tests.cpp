/// \file
/// Normal operation, rule by rule (docs/protocol.md N1-N8, A1), on hand-built states.

#include <catch2/catch.hpp>

#include "level3_pure/tests/core_support.hpp"

namespace ladder::level3::test {
namespace {

constexpr net::NodeId kClient0 = 3;  // client 0's node in a 3-replica cluster

// A primary (r0, view 0) that holds op 1 = c0#1 add(+5), uncommitted.
Replica primary_with_one_op() {
  Replica r0 = fresh(0);
  feed(r0, from(kClient0, add(0, 1, 5)));
  REQUIRE(r0.op_number() == 1);
  REQUIRE(r0.commit_number() == 0);
  return r0;
}

TEST_CASE("N2d: a Request at the primary is appended and Prepared to every backup, Persist first",
          "[level3][normal]") {
  Replica r0 = fresh(0);
  const auto result = step(r0, from(kClient0, add(0, 1, 5)));

  CHECK(result.rule == Rule::N2d);
  CHECK(result.next.op_number() == 1);
  CHECK(result.next.log.suffix.back() == add(0, 1, 5));
  const auto prepares = sent<protocol::Prepare>(result.actions);
  REQUIRE(prepares.size() == 2);
  CHECK(prepares[0].first == 1);
  CHECK(prepares[1].first == 2);
  CHECK(prepares[0].second == protocol::Prepare{0, 1, 0, add(0, 1, 5)});
  // The Persist comes first (P2), but the Prepares may leave before it is on disk (P5): the
  // backups then write while the primary does. Anything that waits for the op, its reply first,
  // comes in a later step and waits for this write.
  REQUIRE(std::holds_alternative<Persist>(result.actions.front()));
  CHECK(std::get<Persist>(result.actions.front()).state.log.op_number() == 1);
  CHECK(std::get<Persist>(result.actions.front()).durability == Durability::before_replies);
  CHECK(all<ReplyToClient>(result.actions).empty());
}

TEST_CASE("N1: a Request at a backup is ignored", "[level3][normal]") {
  const Replica r1 = fresh(1);
  const auto result = step(r1, from(kClient0, add(0, 1, 5)));
  CHECK(result.rule == Rule::ignored_not_primary_n1);
  CHECK(result.actions.empty());
  CHECK(result.next == r1);
}

TEST_CASE("N3: a backup appends the next op, acks it and learns the commit number",
          "[level3][normal]") {
  Replica r1 = fresh(1);
  const auto actions = feed(r1, from(0, protocol::Prepare{0, 1, 0, add(0, 1, 5)}));
  CHECK(r1.op_number() == 1);
  CHECK(r1.commit_number() == 0);
  const auto oks = sent<protocol::PrepareOk>(actions);
  REQUIRE(oks.size() == 1);
  CHECK(oks[0] == std::pair<net::NodeId, protocol::PrepareOk>{0, {0, 1, 1}});
  CHECK(std::holds_alternative<Persist>(actions.front()));  // log on disk before PrepareOk (P2)
  CHECK(all<SetTimer>(actions) == std::vector<SetTimer>{{Timer::view_change, 200}});

  // The next Prepare carries commit 1: the backup applies op 1. It also appends op 2, so the
  // Persist is strict and first, before the PrepareOk (P2), not lazy (P4 is a commit alone).
  const auto next = feed(r1, from(0, protocol::Prepare{0, 2, 1, add(0, 2, 3)}));
  CHECK(r1.op_number() == 2);
  CHECK(r1.commit_number() == 1);
  CHECK(r1.value() == 5);
  REQUIRE(std::holds_alternative<Persist>(next.front()));
  CHECK_FALSE(std::get<Persist>(next.front()).lazy());
}

TEST_CASE("N3: a Prepare for an op already held is re-acked cumulatively", "[level3][normal]") {
  Replica r1 = fresh(1);
  feed(r1, from(0, protocol::Prepare{0, 1, 0, add(0, 1, 5)}));
  feed(r1, from(0, protocol::Prepare{0, 2, 0, add(1, 1, 1)}));
  const auto actions = feed(r1, from(0, protocol::Prepare{0, 1, 0, add(0, 1, 5)}));
  const auto oks = sent<protocol::PrepareOk>(actions);
  REQUIRE(oks.size() == 1);
  CHECK(oks[0].second.op_number == 2);  // the ack names the last op held, not the Prepare's
  CHECK(r1.op_number() == 2);
}

TEST_CASE("N3/S1: a gap makes the backup ask for state instead of appending", "[level3][normal]") {
  Replica r1 = fresh(1);
  const auto actions = feed(r1, from(0, protocol::Prepare{0, 3, 0, add(0, 3, 1)}));
  CHECK(r1.op_number() == 0);
  CHECK(sent<protocol::PrepareOk>(actions).empty());
  const auto gets = sent<protocol::GetState>(actions);
  REQUIRE(gets.size() == 1);
  CHECK(gets[0] == std::pair<net::NodeId, protocol::GetState>{0, {0, 0, 1}});
  CHECK(all<Persist>(actions).empty());  // nothing durable changed
}

TEST_CASE("N4/N5: f PrepareOks commit the op and reply with the value right after it",
          "[level3][normal]") {
  Replica r0 = primary_with_one_op();
  const auto actions = feed(r0, from(2, protocol::PrepareOk{0, 1, 2}));
  CHECK(r0.commit_number() == 1);
  CHECK(r0.value() == 5);
  CHECK(r0.acked[2] == 1);
  const auto replies = all<ReplyToClient>(actions);
  REQUIRE(replies.size() == 1);
  CHECK(replies[0] == ReplyToClient{0, protocol::Reply{0, {0, 1}, 5}});
  // The commit alone changed the log's snapshot: persisted last and lazily, after the reply, which
  // waits for no fsync (P4: the op is on a majority of disks already).
  REQUIRE(std::holds_alternative<Persist>(actions.back()));
  CHECK(std::get<Persist>(actions.back()).lazy());
  CHECK(std::get<Persist>(actions.back()).state == r0.durable());
  CHECK(all<Persist>(actions).size() == 1);

  // A late PrepareOk from the other backup changes nothing visible.
  const auto late = feed(r0, from(1, protocol::PrepareOk{0, 1, 1}));
  CHECK(all<ReplyToClient>(late).empty());
  CHECK(r0.commit_number() == 1);
}

TEST_CASE("N4: a PrepareOk of another view or beyond op_number is ignored", "[level3][normal]") {
  const Replica r0 = primary_with_one_op();
  CHECK(is_ignored(step(r0, from(1, protocol::PrepareOk{1, 1, 1})).rule));
  CHECK(is_ignored(step(r0, from(1, protocol::PrepareOk{0, 9, 1})).rule));
  CHECK(is_ignored(step(r0, from(1, protocol::PrepareOk{0, 1, 2})).rule));  // from lies
}

TEST_CASE("N2b: a duplicate of the latest applied request is answered from the client table",
          "[level3][normal]") {
  Replica r0 = primary_with_one_op();
  feed(r0, from(1, protocol::PrepareOk{0, 1, 1}));
  REQUIRE(r0.value() == 5);

  const auto actions = feed(r0, from(kClient0, add(0, 1, 5)));
  CHECK(all<ReplyToClient>(actions) ==
        std::vector<ReplyToClient>{{0, protocol::Reply{0, {0, 1}, 5}}});
  CHECK(sent<protocol::Prepare>(actions).empty());
  CHECK(r0.op_number() == 1);  // not appended again
  CHECK(r0.value() == 5);      // not applied twice
}

TEST_CASE("N2a/N2c: stale, in-progress and overflowing requests are ignored", "[level3][normal]") {
  Replica r0 = primary_with_one_op();
  SECTION("in progress: the same request again") {
    CHECK(step(r0, from(kClient0, add(0, 1, 5))).rule == Rule::ignored_in_progress);
  }
  SECTION("a stale straggler behind a later request of the same client") {
    feed(r0, from(kClient0, add(0, 3, 1)));
    CHECK(step(r0, from(kClient0, add(0, 2, 1))).rule == Rule::ignored_in_progress);
  }
  SECTION("stale against the client table") {
    feed(r0, from(1, protocol::PrepareOk{0, 1, 1}));
    feed(r0, from(kClient0, add(0, 2, 1)));
    feed(r0, from(1, protocol::PrepareOk{0, 2, 1}));
    CHECK(step(r0, from(kClient0, add(0, 1, 5))).rule == Rule::ignored_stale_duplicate);
  }
  SECTION("the pipeline is full at kMaxUncommitted") {
    for (std::uint64_t c = 1; c < protocol::kMaxUncommitted; ++c) {
      const auto client = static_cast<spec::ClientId>(c);
      feed(r0, from(kClient0 + client, add(client, 1, 1)));
    }
    REQUIRE(r0.op_number() == protocol::kMaxUncommitted);
    CHECK(step(r0, from(kClient0, add(0, 2, 1))).rule == Rule::ignored_pipeline_full);
  }
}

TEST_CASE("N7: the heartbeat resends the latest Prepare while ops are uncommitted, else Commit",
          "[level3][normal]") {
  Replica r0 = primary_with_one_op();
  auto actions = feed(r0, fired(Timer::heartbeat));
  CHECK(sent<protocol::Prepare>(actions).size() == 2);
  CHECK(sent<protocol::Prepare>(actions)[0].second.op_number == 1);
  CHECK(all<SetTimer>(actions) == std::vector<SetTimer>{{Timer::heartbeat, 50}});

  feed(r0, from(1, protocol::PrepareOk{0, 1, 1}));
  actions = feed(r0, fired(Timer::heartbeat));
  CHECK(sent<protocol::Prepare>(actions).empty());
  const auto commits = sent<protocol::Commit>(actions);
  REQUIRE(commits.size() == 2);
  CHECK(commits[0].second == protocol::Commit{0, 1});
}

TEST_CASE("N8/N6: a Commit applies only the ops held and asks for the rest", "[level3][normal]") {
  Replica r1 = fresh(1);
  feed(r1, from(0, protocol::Prepare{0, 1, 0, add(0, 1, 5)}));
  const auto actions = feed(r1, from(0, protocol::Commit{0, 2}));
  CHECK(r1.commit_number() == 1);  // min(2, op_number 1)
  CHECK(r1.value() == 5);
  CHECK(sent<protocol::GetState>(actions).size() == 1);
  // The commit is the only durable change: a lazy Persist, after the GetState (P4).
  REQUIRE(std::holds_alternative<Persist>(actions.back()));
  CHECK(std::get<Persist>(actions.back()).lazy());
  CHECK(std::get<Persist>(actions.back()).state.log.commit_number() == 1);
}

TEST_CASE("A1: add wraps around in 64-bit two's complement instead of overflowing",
          "[level3][normal]") {
  Replica r0 = fresh(0);
  feed(r0, from(kClient0, add(0, 1, INT64_MAX)));
  feed(r0, from(1, protocol::PrepareOk{0, 1, 1}));
  feed(r0, from(kClient0, add(0, 2, 1)));
  feed(r0, from(1, protocol::PrepareOk{0, 2, 1}));
  CHECK(r0.value() == INT64_MIN);
}

TEST_CASE("N5: with n = 1 a request commits at once", "[level3][normal]") {
  Replica solo = fresh(0, Variant::fixed, 1);
  const auto actions = feed(solo, from(1, add(0, 1, 7)));
  CHECK(solo.commit_number() == 1);
  CHECK(all<ReplyToClient>(actions) ==
        std::vector<ReplyToClient>{{0, protocol::Reply{0, {0, 1}, 7}}});
  // Appended and committed in one step: the Persist is strict and precedes the reply (P2), not
  // one the step's sends may overtake (P5 holds only while the reply comes later).
  REQUIRE(std::holds_alternative<Persist>(actions.front()));
  CHECK(std::get<Persist>(actions.front()).durability == Durability::before_sends);
}

}  // namespace
}  // namespace ladder::level3::test
