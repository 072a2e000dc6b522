/// \file
/// describe() writes the one-line forms that logs, traces and docs/protocol.md show.

#include <catch2/catch.hpp>

#include <string>

#include "protocol/config.hpp"
#include "protocol/messages.hpp"
#include "protocol/tests/sample_messages.hpp"

namespace ladder::protocol {
namespace {

TEST_CASE("describe writes one short line per message type", "[describe]") {
  const std::string expected[] = {
      "Request c0#3 add(+2)",
      "Reply v1 c0#3 =12",
      "Prepare v1 op7 c0#3 read commit6",
      "PrepareOk v1 op7 from r2",
      "Commit v1 commit300",
      "StartViewChange v2 from r1",
      "DoViewChange v2 from r1 normal_v1 op7 commit6",
      "StartView v2 op7 commit6",
      "GetState v1 op5 from r2",
      "NewState v1 op7 commit6",
      "Recovery from r2 nonce 9",
      "RecoveryResponse v1 from r0 nonce 9 op7 commit6",
  };
  const auto messages = test::sample_messages();
  REQUIRE(messages.size() == std::size(expected));
  for (std::size_t i = 0; i < messages.size(); ++i)
    CHECK(describe(messages[i]) == expected[i]);
}

TEST_CASE("describe shows the task's example and a backup's RecoveryResponse", "[describe]") {
  CHECK(describe(Prepare{1, 7, 6, Request{{0, 3}, Op::add(2)}}) ==
        "Prepare v1 op7 c0#3 add(+2) commit6");
  CHECK(describe(RecoveryResponse{4, 1, 2, std::nullopt}) ==
        "RecoveryResponse v4 from r2 nonce 1 no log");
}

TEST_CASE("ops show their sign", "[describe]") {
  CHECK(describe(Op::add(2)) == "add(+2)");
  CHECK(describe(Op::add(-1)) == "add(-1)");
  CHECK(describe(Op::add(0)) == "add(+0)");
  CHECK(describe(Op::read()) == "read");
}

TEST_CASE("message type names are the ones docs/protocol.md uses", "[describe]") {
  CHECK(std::string(to_string(MessageType::prepare_ok)) == "PrepareOk");
  CHECK(std::string(to_string(MessageType::recovery_response)) == "RecoveryResponse");
  CHECK(type_of(Commit{}) == MessageType::commit);
  CHECK(type_of(StartViewChange{}) == MessageType::start_view_change);
}

TEST_CASE("a log's numbers count its suffix beyond its snapshot", "[messages]") {
  const Log log = test::sample_log();
  CHECK(log.commit_number() == 6);
  CHECK(log.op_number() == 7);
  CHECK(Log{}.op_number() == 0);
}

TEST_CASE("the configuration names the primary of each view and the quorum", "[config]") {
  const Config three;
  CHECK(three.valid());
  CHECK(three.f() == 1);
  CHECK(three.quorum() == 2);
  CHECK(three.primary(0) == 0);
  CHECK(three.primary(4) == 1);
  Config five;
  five.replicas = 5;
  CHECK(five.f() == 2);
  CHECK(five.primary(7) == 2);
  Config even;
  even.replicas = 4;
  CHECK_FALSE(even.valid());
  Config slow_heartbeat;
  slow_heartbeat.heartbeat_ms = slow_heartbeat.view_change_timeout_ms;
  CHECK_FALSE(slow_heartbeat.valid());
}

}  // namespace
}  // namespace ladder::protocol
