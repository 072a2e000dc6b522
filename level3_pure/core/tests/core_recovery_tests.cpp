/// \file
/// Rule P5 end to end: ops a primary's crash lost from its disk come back from the backups.
/// Restarts rule by rule (R0-R3, P3, and this story too) are a transcript:
/// level3_pure/core/testdata/recovery.txt.

#include <catch2/catch.hpp>

#include "level3_pure/core/tests/core_support.hpp"

namespace ladder::level3::test {
namespace {

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
