/// \file
/// The pure client, rule by rule (docs/protocol.md C1-C4), and the outcomes it reports for the
/// History.

#include <catch2/catch.hpp>

#include "level3_pure/client.hpp"
#include "level3_pure/tests/core_support.hpp"

namespace ladder::level3::test {
namespace {

template <typename A>
std::vector<A> all_client(const std::vector<ClientAction>& actions) {
  std::vector<A> found;
  for (const auto& action : actions) {
    if (const auto* a = std::get_if<A>(&action)) found.push_back(*a);
  }
  return found;
}

TEST_CASE("C1: an invoke numbers the request, records it and sends it to the believed primary",
          "[level3][client]") {
  const auto result = client_step(ClientState::initial(4, cluster()), Invoke{protocol::Op::add(2)});
  const protocol::Request expected = add(4, 1, 2);
  CHECK(result.rule == Rule::C1);
  CHECK(result.actions == std::vector<ClientAction>{Invoked{expected}, Send{0, expected},
                                                    SetTimer{Timer::client_retry, 300}});
  CHECK(result.next.busy());
  CHECK(result.next.last_seq == 1);
}

TEST_CASE("C2: the retry timer sends the same request to the next replica, round and round",
          "[level3][client]") {
  ClientState c =
      client_step(ClientState::initial(0, cluster()), Invoke{protocol::Op::read()}).next;
  std::vector<net::NodeId> targets;
  for (int i = 0; i < 4; ++i) {
    auto result = client_step(c, TimerFired{Timer::client_retry});
    CHECK(result.rule == Rule::C2);
    const auto sends = all_client<Send>(result.actions);
    REQUIRE(sends.size() == 1);
    CHECK(std::get<protocol::Request>(sends[0].message).id == spec::RequestId{0, 1});
    targets.push_back(sends[0].to);
    c = std::move(result.next);
  }
  CHECK(targets == std::vector<net::NodeId>{1, 2, 0, 1});
}

TEST_CASE("C3: the awaited Reply completes the request and names the primary; others are ignored",
          "[level3][client]") {
  const ClientState c =
      client_step(ClientState::initial(0, cluster()), Invoke{protocol::Op::add(2)}).next;
  const auto other = client_step(c, Receive{1, protocol::Reply{1, {0, 7}, 9}});
  CHECK(is_ignored(other.rule));
  CHECK(other.next == c);

  const auto done = client_step(c, Receive{1, protocol::Reply{4, {0, 1}, 12}});
  CHECK(done.rule == Rule::C3);
  CHECK(done.actions ==
        std::vector<ClientAction>{Completed{add(0, 1, 2), 12}, CancelTimer{Timer::client_retry}});
  CHECK_FALSE(done.next.busy());
  CHECK(done.next.target == 1);  // primary(4) = 4 mod 3

  // A late duplicate of the same Reply is ignored now that nothing is outstanding.
  CHECK(client_step(done.next, Receive{1, protocol::Reply{4, {0, 1}, 12}}).actions.empty());
}

TEST_CASE("C4: abandoning reports info, and the next request takes the next seq",
          "[level3][client]") {
  ClientState c =
      client_step(ClientState::initial(0, cluster()), Invoke{protocol::Op::add(2)}).next;
  auto abandoned = client_step(c, Abandon{});
  CHECK(abandoned.actions ==
        std::vector<ClientAction>{Abandoned{add(0, 1, 2)}, CancelTimer{Timer::client_retry}});
  CHECK(describe(abandoned.actions[0]) == "info c0#1 add(+2)");
  auto next = client_step(abandoned.next, Invoke{protocol::Op::add(3)});
  CHECK(all_client<Invoked>(next.actions) == std::vector<Invoked>{{add(0, 2, 3)}});
  CHECK(is_ignored(client_step(abandoned.next, Abandon{}).rule));
}

}  // namespace
}  // namespace ladder::level3::test
