/// \file
/// Whole requests through three replicas with the in-test driver of core_support.hpp: a queue of
/// messages, no faults but the ones a test makes by hand.

#include <catch2/catch.hpp>

#include "level3_pure/core/client.hpp"
#include "level3_pure/core/tests/core_support.hpp"

namespace ladder::level3::test {
namespace {

TEST_CASE("A whole add commits through three replicas and every replica applies it",
          "[level3][cluster]") {
  Cluster cluster;
  cluster.request(0, add(0, 1, 2));
  cluster.deliver_all();
  REQUIRE(cluster.replies.size() == 1);
  CHECK(cluster.replies[0] == ReplyToClient{0, protocol::Reply{0, {0, 1}, 2}});
  CHECK(cluster.replicas[0].commit_number() == 1);

  // The backups learn the commit from the next heartbeat (N7, N8).
  cluster.fire(0, Timer::heartbeat);
  cluster.deliver_all();
  for (const auto& replica : cluster.replicas) {
    CHECK(replica.value() == 2);
    CHECK(replica.commit_number() == 1);
    CHECK(cluster.disks[replica.config.self]->log == replica.log);  // what is on disk is current
  }
}

TEST_CASE("A client and three replicas: the client's outcome is ok with the value",
          "[level3][cluster]") {
  Cluster cluster;
  ClientState client = ClientState::initial(0, test::cluster());
  auto invoked = client_step(client, Invoke{protocol::Op::add(5)});
  client = invoked.next;
  for (const auto& action : invoked.actions) {
    if (const auto* send = std::get_if<Send>(&action)) {
      cluster.request(static_cast<protocol::ReplicaId>(send->to),
                      std::get<protocol::Request>(send->message));
    }
  }
  cluster.deliver_all();
  REQUIRE(cluster.replies.size() == 1);
  const auto done = client_step(client, Receive{0, cluster.replies[0].reply});
  CHECK(done.actions.front() == ClientAction{Completed{add(0, 1, 5), 5}});
}

// The story of the planted flaw, end to end: c0#2 add(+10) is committed by r0 with r2's ack and
// acknowledged, but its Prepare to r1 is lost. r0 crashes; r1 becomes primary of view 1 with
// DoViewChanges from itself and r2.
Cluster failover_after_lost_prepare(Variant variant) {
  Cluster cluster(variant);
  cluster.request(0, add(0, 1, 1));
  cluster.deliver_all();
  cluster.fire(0, Timer::heartbeat);
  cluster.deliver_all();

  cluster.request(0, add(0, 2, 10));
  cluster.deliver_all([](net::NodeId to, const Receive& m) {
    return !(to == 1 && std::holds_alternative<protocol::Prepare>(m.message));
  });
  REQUIRE(cluster.replies.size() == 2);
  REQUIRE(cluster.replies[1].reply.value == 11);  // acknowledged

  cluster.crash(0);
  cluster.fire(1, Timer::view_change);
  cluster.fire(2, Timer::view_change);
  cluster.deliver_all();
  REQUIRE(cluster.replicas[1].role() == Role::primary);
  REQUIRE(cluster.replicas[2].role() == Role::backup);
  return cluster;
}

TEST_CASE("Failover after a lost Prepare: fixed keeps the acknowledged add", "[level3][cluster]") {
  const Cluster cluster = failover_after_lost_prepare(Variant::fixed);
  CHECK(cluster.replicas[1].value() == 11);
  CHECK(cluster.replicas[1].view == 1);
}

TEST_CASE("Failover after a lost Prepare: first-release loses the acknowledged add",
          "[level3][cluster][first-release]") {
  const Cluster cluster = failover_after_lost_prepare(Variant::first_release);
  CHECK(cluster.replicas[1].value() == 1);  // the +10 acknowledged at 11 is gone
  CHECK(cluster.replicas[2].op_number() == 1);
  CHECK(cluster.replicas[2].value() == 1);
}

TEST_CASE("A replica restarted without its disk recovers the log from the primary",
          "[level3][cluster]") {
  Cluster cluster;
  cluster.request(0, add(0, 1, 4));
  cluster.deliver_all();
  cluster.crash(2);
  cluster.restart(2, /*with_disk=*/false, /*nonce=*/99);
  CHECK(cluster.replicas[2].role() == Role::recovering);
  cluster.deliver_all();
  CHECK(cluster.replicas[2].role() == Role::backup);
  CHECK(cluster.replicas[2].value() == 4);
  CHECK(cluster.replicas[0].acked[2] == 0);  // R2: its old acks are forgotten
}

}  // namespace
}  // namespace ladder::level3::test
