/// \file
/// Restarts: recovery without a disk (docs/protocol.md R0-R3) and with one (P3).

#include <catch2/catch.hpp>

#include "level3_pure/tests/core_support.hpp"

namespace ladder::level3::test {
namespace {

const protocol::Request kA = add(0, 1, 1);
const protocol::Request kB = add(0, 2, 2);

// r1 after a restart without disk, nonce 77.
Replica recovering_r1() {
  Replica r1 = fresh(1);
  feed(r1, from(0, protocol::Prepare{0, 1, 0, kA}));
  feed(r1, Recovered{std::nullopt, 77});
  return r1;
}

TEST_CASE("R0: a restart without a disk forgets everything and asks every replica",
          "[level3][recovery]") {
  Replica r1 = fresh(1);
  feed(r1, from(0, protocol::Prepare{0, 1, 0, kA}));
  const auto result = step(r1, Recovered{std::nullopt, 77});
  CHECK(result.rule == Rule::R0);
  CHECK(result.next.role() == Role::recovering);
  CHECK(result.next.op_number() == 0);
  CHECK(result.next.nonce == 77);
  CHECK(sent<protocol::Recovery>(result.actions).size() == 2);
  CHECK(sent<protocol::Recovery>(result.actions)[0].second == protocol::Recovery{1, 77});
  CHECK(all<SetTimer>(result.actions) == std::vector<SetTimer>{{Timer::recovery, 200}});
  CHECK(all<Persist>(result.actions).empty());  // a replica without a disk persists nothing here
}

TEST_CASE("R1/I10: a recovering replica asks again on its timer and answers nothing else",
          "[level3][recovery]") {
  Replica r1 = recovering_r1();
  CHECK(step(r1, fired(Timer::recovery)).rule == Rule::R1);
  CHECK(sent<protocol::Recovery>(step(r1, fired(Timer::recovery)).actions).size() == 2);
  const auto prepare = step(r1, from(0, protocol::Prepare{0, 2, 1, kB}));
  CHECK(prepare.rule == Rule::ignored_recovering);
  CHECK(prepare.actions.empty());
  CHECK(step(r1, from(2, protocol::Recovery{2, 5})).actions.empty());
  CHECK(step(r1, fired(Timer::view_change)).actions.empty());
}

TEST_CASE(
    "R2: the primary answers Recovery with its log and forgets the replica's acks; a backup "
    "without",
    "[level3][recovery]") {
  Replica r0 = fresh(0);
  feed(r0, from(3, kA));
  feed(r0, from(1, protocol::PrepareOk{0, 1, 1}));
  REQUIRE(r0.acked[1] == 1);
  auto actions = feed(r0, from(1, protocol::Recovery{1, 77}));
  CHECK(r0.acked[1] == 0);
  CHECK(sent<protocol::RecoveryResponse>(actions) ==
        std::vector<std::pair<net::NodeId, protocol::RecoveryResponse>>{{1, {0, 77, 0, r0.log}}});

  Replica r2 = fresh(2);
  actions = feed(r2, from(1, protocol::Recovery{1, 77}));
  CHECK(sent<protocol::RecoveryResponse>(actions) ==
        std::vector<std::pair<net::NodeId, protocol::RecoveryResponse>>{
            {1, {0, 77, 2, std::nullopt}}});
}

TEST_CASE("R3: f + 1 responses with the primary's log make the replica a backup again",
          "[level3][recovery]") {
  Replica r1 = recovering_r1();
  SECTION("the primary's response completes the quorum") {
    feed(r1, from(2, protocol::RecoveryResponse{0, 77, 2, std::nullopt}));
    CHECK(r1.role() == Role::recovering);  // one response is not a quorum
    const auto actions = feed(r1, from(0, protocol::RecoveryResponse{0, 77, 0, log_of({}, {kA})}));
    CHECK(r1.role() == Role::backup);
    CHECK(r1.op_number() == 1);
    CHECK(r1.nonce == 0);
    CHECK(all<CancelTimer>(actions) == std::vector<CancelTimer>{{Timer::recovery}});
    CHECK(sent<protocol::PrepareOk>(actions) ==
          std::vector<std::pair<net::NodeId, protocol::PrepareOk>>{{0, {0, 1, 1}}});
  }
  SECTION("a quorum without the largest view's primary waits") {
    feed(r1, from(2, protocol::RecoveryResponse{3, 77, 2, std::nullopt}));
    feed(r1, from(0, protocol::RecoveryResponse{0, 77, 0, log_of({kA})}));
    CHECK(r1.role() == Role::recovering);  // view 3's primary (r0) has not answered for view 3
  }
  SECTION("a response to another recovery is ignored") {
    const auto result = step(r1, from(0, protocol::RecoveryResponse{0, 76, 0, log_of({kA})}));
    CHECK(result.rule == Rule::ignored_recovery_response_other_nonce);
    CHECK(result.next == r1);
  }
}

TEST_CASE("P3: a restart with a disk resumes the role the disk describes", "[level3][recovery]") {
  SECTION("normal, a backup: it resumes its view with its log") {
    Replica r1 = fresh(1);
    feed(r1, from(0, protocol::Prepare{0, 1, 0, kA}));
    const Durable disk = r1.durable();
    const auto result = step(r1, Recovered{disk, 5});
    CHECK(result.rule == Rule::P3);
    CHECK(result.next.role() == Role::backup);
    CHECK(result.next.view == 0);
    CHECK(result.next.log == disk.log);
    CHECK(all<SetTimer>(result.actions) == std::vector<SetTimer>{{Timer::view_change, 200}});
    CHECK(all<Persist>(result.actions).empty());  // nothing changed since the disk
  }
  SECTION("normal, the primary: it starts the next view instead of resuming its own (P5)") {
    Replica r0 = fresh(0);
    feed(r0, from(3, kA));
    feed(r0, from(1, protocol::PrepareOk{0, 1, 1}));
    const Durable disk = r0.durable();
    const auto result = step(r0, Recovered{disk, 5});
    CHECK(result.rule == Rule::P3);
    CHECK(result.next.role() == Role::view_change);
    CHECK(result.next.view == 1);
    CHECK(result.next.last_normal_view == 0);
    CHECK(result.next.log == disk.log);
    CHECK(sent<protocol::StartViewChange>(result.actions) ==
          std::vector<std::pair<net::NodeId, protocol::StartViewChange>>{{1, {1, 0}}, {2, {1, 0}}});
    // The new view is on disk before the StartViewChanges leave (P2).
    REQUIRE(std::holds_alternative<Persist>(result.actions.front()));
    CHECK(std::get<Persist>(result.actions.front()).durability == Durability::before_sends);
    CHECK(std::get<Persist>(result.actions.front()).state.view == 1);
  }
  SECTION("mid view change: it resumes the view change without moving on") {
    Replica r1 = fresh(1);
    feed(r1, fired(Timer::view_change));
    const auto result = step(r1, Recovered{r1.durable(), 5});
    CHECK(result.next.role() == Role::view_change);
    CHECK(result.next.view == 1);
    CHECK(sent<protocol::StartViewChange>(result.actions).size() == 2);
  }
  SECTION("a new process (the runtime's) resumes whatever role its disk describes") {
    // r0 was primary of view 0 when it started, but its disk says it is a backup of view 1: a
    // new process does not know its old role, and Replica::restarting does not guess one.
    Durable disk;
    disk.view = 1;
    disk.last_normal_view = 1;
    const ReplicaConfig config{0, cluster(3), Variant::fixed};
    REQUIRE(Replica::restarting(config).role() == Role::recovering);
    const auto result = step(Replica::restarting(config), Recovered{disk, 5});
    CHECK(result.rule == Rule::P3);
    CHECK(result.next.role() == Role::backup);
    CHECK(result.next.view == 1);
    CHECK(step(Replica::restarting(config), Recovered{std::nullopt, 5}).next.role() ==
          Role::recovering);
  }
}

TEST_CASE("P5: ops a primary's crash lost from its disk come back from the backups",
          "[level3][recovery]") {
  // The primary appends A and B; their Prepares go first (P5), and it crashes before either
  // write reaches its disk. The backups hold both. Resuming view 0 from its disk, it would give
  // op 1 to the next request C while the backups hold A there. P3 starts view 1 instead.
  Cluster c;
  const Durable empty_disk = c.replicas[0].durable();
  c.request(0, kA);
  c.request(0, add(1, 1, 10));
  c.deliver_all([](net::NodeId to, const Receive&) { return to != 0; });  // no PrepareOk back
  REQUIRE(c.replicas[1].op_number() == 2);
  c.crash(0);
  c.disks[0] = empty_disk;  // the writes P5 let the Prepares overtake never happened
  c.restart(0, /*with_disk=*/true, 7);
  CHECK(c.replicas[0].role() == Role::view_change);
  CHECK(c.replicas[0].view == 1);
  c.deliver_all();
  // primary(1) = r1 started view 1 from the longest log of view 0: A and B are ops 1 and 2, and
  // the StartView's acks commit them.
  REQUIRE(c.replicas[1].role() == Role::primary);
  CHECK(c.replicas[1].view == 1);
  CHECK(c.replicas[1].op_number() == 2);
  CHECK(c.replicas[1].commit_number() == 2);
  CHECK(c.replicas[1].value() == 11);
  c.request(1, add(2, 1, 100));
  c.deliver_all();
  c.fire(1, Timer::heartbeat);  // the backups learn the commit from the primary's next message
  c.deliver_all();
  for (const Replica& r : c.replicas) {
    CHECK(r.commit_number() == 3);
    CHECK(r.value() == 111);
  }
}

}  // namespace
}  // namespace ladder::level3::test
