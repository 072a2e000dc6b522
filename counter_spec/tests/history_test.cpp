#include <catch2/catch.hpp>

#include "counter_spec/history.hpp"

using ladder::spec::EventType;
using ladder::spec::History;
using ladder::spec::OpKind;
using ladder::spec::Outcome;
using ladder::spec::RequestId;

TEST_CASE("operations pair each invoke with its own client's completion, in invoke order") {
  History history;
  CHECK(history.invoke(0, 0, OpKind::add, 3) == 0);
  CHECK(history.invoke(5, 1, OpKind::read) == 1);
  history.ok(10, 1, 42);  // client 1 finishes first
  history.fail(12, 0);
  CHECK(history.invoke(20, 0, OpKind::add, -2) == 2);
  history.info(30, 0);

  const auto ops = history.operations();
  REQUIRE(ops.size() == 3);
  CHECK(ops[0].index == 0);
  CHECK(ops[0].client == 0);
  CHECK(ops[0].kind == OpKind::add);
  CHECK(ops[0].delta == 3);
  CHECK(ops[0].invoked == 0);
  CHECK(ops[0].completed == 12);
  CHECK(ops[0].outcome == Outcome::fail);
  CHECK(ops[1].client == 1);
  CHECK(ops[1].kind == OpKind::read);
  CHECK(ops[1].read_value == 42);
  CHECK(ops[1].completed == 10);
  CHECK(ops[1].outcome == Outcome::ok);
  CHECK(ops[2].index == 2);
  CHECK(ops[2].delta == -2);
  CHECK(ops[2].outcome == Outcome::info);
  CHECK(ops[2].completed == 30);
}

TEST_CASE("an operation never completed is pending and might have happened") {
  History history;
  history.invoke(7, 2, OpKind::add, 4);
  CHECK(history.outstanding(2));
  CHECK_FALSE(history.outstanding(0));  // a client never seen has nothing outstanding

  const auto ops = history.operations();
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].outcome == Outcome::pending);
  CHECK_FALSE(ops[0].completed.has_value());
  CHECK(ops[0].maybe_happened());
}

TEST_CASE("only a failed operation certainly did not happen") {
  History history;
  history.invoke(0, 0, OpKind::add, 1);
  history.ok(1, 0);
  history.invoke(2, 0, OpKind::add, 1);
  history.fail(3, 0);
  history.invoke(4, 0, OpKind::add, 1);
  history.info(5, 0);
  const auto ops = history.operations();
  REQUIRE(ops.size() == 3);
  CHECK(ops[0].maybe_happened());
  CHECK_FALSE(ops[1].maybe_happened());
  CHECK(ops[2].maybe_happened());
  CHECK_FALSE(history.outstanding(0));
}

TEST_CASE("events record completions with the add's delta or the value read") {
  History history;
  const RequestId id{.client = 1, .seq = 3};
  history.invoke(0, 1, OpKind::add, 5, id);
  history.ok(4, 1);
  history.invoke(6, 1, OpKind::read);
  history.ok(9, 1, 5);

  const auto& events = history.events();
  REQUIRE(events.size() == 4);
  CHECK(events[0].type == EventType::invoke);
  CHECK(events[0].value == 5);
  CHECK(events[0].request == id);
  CHECK(events[1].type == EventType::ok);
  CHECK(events[1].value == 5);
  CHECK(events[1].request == id);  // the completion names the request it completes
  CHECK(events[1].time == 4);
  CHECK(events[3].op == OpKind::read);
  CHECK(events[3].value == 5);
  CHECK_FALSE(events[3].request.has_value());
}

TEST_CASE("describe names client or request, operation, outcome and time") {
  History history;
  history.invoke(400, 0, OpKind::add, 3);
  history.ok(412, 0);
  history.invoke(20, 1, OpKind::add, -2, RequestId{.client = 1, .seq = 3});
  history.info(50, 1);
  history.invoke(100, 2, OpKind::read);
  history.ok(300, 2, 5);
  history.invoke(7, 3, OpKind::read);
  history.invoke(8, 4, OpKind::add, 1);
  history.fail(9, 4);

  const auto ops = history.operations();
  REQUIRE(ops.size() == 5);
  CHECK(ops[0].describe() == "c0 add(+3) ok at 412 ms");
  CHECK(ops[1].describe() == "c1#3 add(-2) info at 50 ms");
  CHECK(ops[2].describe() == "c2 read()=5 ok at 300 ms");
  CHECK(ops[3].describe() == "c3 read() pending since 7 ms");
  CHECK(ops[4].describe() == "c4 add(+1) fail at 9 ms");
}

TEST_CASE("names of request ids, operations and event types") {
  CHECK(to_string(RequestId{.client = 0, .seq = 3}) == "c0#3");
  CHECK(std::string(to_string(OpKind::add)) == "add");
  CHECK(std::string(to_string(OpKind::read)) == "read");
  CHECK(std::string(to_string(EventType::invoke)) == "invoke");
  CHECK(std::string(to_string(EventType::info)) == "info");
  CHECK(RequestId{.client = 0, .seq = 9} < RequestId{.client = 1, .seq = 1});
}
