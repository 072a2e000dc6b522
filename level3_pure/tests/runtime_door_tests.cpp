// The front door without a network: its clients' Requests are caught, and the test answers them
// as a primary would, to check the order of a connection's commands and the coalescing of waiting
// commands into one request (runtime_door.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "level3_pure/runtime_door.hpp"

namespace {

using ladder::level3::CommandOutcome;
using ladder::level3::CounterCommand;
using ladder::level3::DoorOptions;
using ladder::level3::FrontDoor;
using ladder::protocol::Message;
using ladder::protocol::Request;

struct Harness {
  explicit Harness(std::size_t clients) {
    DoorOptions options;
    options.clients = {10, clients};
    door.emplace(io.get_executor(), ladder::protocol::Config{}, options,
                 [this](ladder::protocol::ReplicaId, const Message& message) {
                   sent.push_back(std::get<Request>(message));
                 });
  }
  // Submits `command` on `connection`; its answer lands in answers[index].
  std::size_t submit(std::uint64_t connection, CounterCommand command) {
    answers.emplace_back();
    const std::size_t index = answers.size() - 1;
    door->submit(connection, command,
                 [this, index](CommandOutcome outcome) { answers[index] = outcome; });
    return index;
  }
  // Answers sent request `i` as the primary, with the counter's value after it.
  void reply(std::size_t i, std::int64_t value) {
    const Request& request = sent.at(i);
    door->on_message(request.id.client, Message{ladder::protocol::Reply{0, request.id, value}}, 0);
  }

  boost::asio::io_context io;  // never run: no timer fires in these tests
  std::optional<FrontDoor> door;
  std::vector<Request> sent;
  std::vector<std::optional<CommandOutcome>> answers;
};

CounterCommand add(std::int64_t delta) {
  return {CounterCommand::Kind::add, delta};
}
CounterCommand read() {
  return {CounterCommand::Kind::read, 0};
}

std::int64_t value_of(const std::optional<CommandOutcome>& outcome) {
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->kind == CommandOutcome::Kind::ok);
  return outcome->value;
}

}  // namespace

TEST_CASE("waiting commands of different connections share one request, answered in order") {
  Harness h(1);
  const auto a = h.submit(1, add(1));
  const auto b = h.submit(2, add(2));
  const auto c = h.submit(3, add(3));
  const auto d = h.submit(1, add(4));  // behind connection 1's first command
  const auto e = h.submit(4, read());
  REQUIRE(h.sent.size() == 1);  // one client: the others wait
  CHECK(h.sent[0].op == ladder::protocol::Op::add(1));
  CHECK(h.sent[0].id.client == 10);
  h.reply(0, 1);
  CHECK(value_of(h.answers[a]) == 1);
  // The line held b, c (adds) and e (a read); d joined it when a ended. The adds go together.
  REQUIRE(h.sent.size() == 2);
  CHECK(h.sent[1].op == ladder::protocol::Op::add(2 + 3 + 4));
  CHECK(h.sent[1].id.seq == h.sent[0].id.seq + 1);
  h.reply(1, 10);
  CHECK(value_of(h.answers[b]) == 3);
  CHECK(value_of(h.answers[c]) == 6);
  CHECK(value_of(h.answers[d]) == 10);
  CHECK_FALSE(h.answers[e].has_value());
  REQUIRE(h.sent.size() == 3);
  CHECK(h.sent[2].op == ladder::protocol::Op::read());
  h.reply(2, 10);
  CHECK(value_of(h.answers[e]) == 10);
  CHECK(h.door->stats().requests == 3);
  CHECK(h.door->stats().commands == 5);
  CHECK(h.door->stats().ok == 5);
}

TEST_CASE("a connection's commands run one after another, even with clients free") {
  Harness h(4);
  const auto incr = h.submit(7, add(5));
  const auto get = h.submit(7, read());
  REQUIRE(h.sent.size() == 1);  // the GET waits for the INCR (Redis's order)
  h.reply(0, 5);
  CHECK(value_of(h.answers[incr]) == 5);
  REQUIRE(h.sent.size() == 2);
  CHECK(h.sent[1].op == ladder::protocol::Op::read());
  h.reply(1, 5);
  CHECK(value_of(h.answers[get]) == 5);
}

TEST_CASE("commands of a closed connection that had not started are dropped") {
  Harness h(1);
  h.submit(1, add(1));
  const auto later = h.submit(1, add(2));
  h.door->disconnected(1);
  CHECK(h.door->waiting() == 0);
  h.reply(0, 1);
  CHECK(h.sent.size() == 1);  // the dropped command was never sent
  CHECK_FALSE(h.answers[later].has_value());
}
