// The front door without a network: its clients' Requests are caught, and the test answers them
// as a primary would, to check the order of a connection's commands and the coalescing of waiting
// commands into one request (runtime_door.hpp).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "level3_pure/runtime/runtime_door.hpp"

namespace {

using ladder::level3::CommandOutcome;
using ladder::level3::CounterCommand;
using ladder::level3::DoorOptions;
using ladder::level3::FrontDoor;
using ladder::protocol::Message;
using ladder::protocol::Request;

struct Harness {
  // A door with `clients` client ids, `in_flight` of them busy at once at most (0: all), whose
  // next group lingers up to `linger` after a group of at least `linger_min` (0: never lingers).
  // A gap of 0: only `linger` bounds it.
  explicit Harness(std::size_t clients, std::size_t in_flight = 0,
                   std::chrono::microseconds linger = {}, std::size_t linger_min = 4,
                   std::chrono::microseconds linger_gap = {}) {
    DoorOptions options;
    options.clients = {10, clients};
    options.max_in_flight = in_flight == 0 ? clients : in_flight;
    options.linger = linger;
    options.linger_gap = linger_gap;
    options.linger_min = linger_min;
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

  // Runs the door's timers until `done()` holds, for at most a second.
  void run_until(const std::function<bool()>& done) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (!done() && std::chrono::steady_clock::now() < until)
      io.run_one_for(std::chrono::milliseconds(10));
  }
  // Runs the door's timers until `sent` holds `count` requests, for at most a second.
  void run_until_sent(std::size_t count) {
    run_until([this, count] { return sent.size() >= count; });
  }

  boost::asio::io_context io;  // run only by run_until_sent: no other test fires a timer
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

TEST_CASE(
    "at most max_in_flight requests are out; the commands that arrive meanwhile leave as one") {
  Harness h(4, 2);
  const auto a = h.submit(1, add(1));
  const auto b = h.submit(2, add(2));
  const auto c = h.submit(3, add(3));
  const auto d = h.submit(4, add(4));
  REQUIRE(h.sent.size() == 2);  // two clients of four are busy; c and d wait although two are free
  CHECK(h.door->in_flight() == 2);
  CHECK(h.door->waiting() == 2);
  h.reply(0, 1);
  CHECK(value_of(h.answers[a]) == 1);
  REQUIRE(h.sent.size() == 3);  // the freed client takes c and d together
  CHECK(h.sent[2].op == ladder::protocol::Op::add(3 + 4));
  CHECK(h.sent[2].id.client == h.sent[0].id.client);
  CHECK(h.door->in_flight() == 2);
  h.reply(1, 3);
  CHECK(value_of(h.answers[b]) == 3);
  CHECK(h.door->in_flight() == 1);  // nothing waits: the client goes back to the pool
  h.reply(2, 10);
  CHECK(value_of(h.answers[c]) == 6);
  CHECK(value_of(h.answers[d]) == 10);
  CHECK(h.door->in_flight() == 0);
  CHECK(h.door->stats().requests == 3);
}

TEST_CASE("after a large group the next one lingers until the clients just answered are back") {
  Harness h(1, 1, std::chrono::milliseconds(20), 3);
  h.submit(1, add(1));
  h.submit(2, add(2));
  h.submit(3, add(3));
  h.submit(4, add(4));
  REQUIRE(h.sent.size() == 1);
  h.reply(0, 1);
  // A group of one (fewer than linger_min) never makes the next one wait: a lone client's
  // command would pay the linger for nothing.
  REQUIRE(h.sent.size() == 2);
  CHECK(h.sent[1].op == ladder::protocol::Op::add(2 + 3 + 4));
  CHECK_FALSE(h.door->lingering());

  const auto first = h.submit(1, add(10));  // connection 1 is back while the group is out
  h.reply(1, 10);
  // Three answered, one waiting: the next group waits for the three to come back.
  CHECK(h.door->lingering());
  CHECK(h.sent.size() == 2);
  const auto second = h.submit(2, add(20));
  const auto third = h.submit(3, add(30));
  CHECK(h.sent.size() == 2);
  const auto fourth = h.submit(4, add(40));  // all four back: the group leaves at once
  REQUIRE(h.sent.size() == 3);
  CHECK_FALSE(h.door->lingering());
  CHECK(h.sent[2].op == ladder::protocol::Op::add(10 + 20 + 30 + 40));
  h.reply(2, 110);
  CHECK(value_of(h.answers[first]) == 20);
  CHECK(value_of(h.answers[second]) == 40);
  CHECK(value_of(h.answers[third]) == 70);
  CHECK(value_of(h.answers[fourth]) == 110);
  CHECK(h.door->stats().lingers == 2);  // the second one is still waiting
  CHECK(h.door->stats().linger_timeouts == 0);

  // Only one of the four comes back: the group leaves when the linger runs out.
  h.submit(2, add(5));
  CHECK(h.sent.size() == 3);
  h.run_until_sent(4);
  REQUIRE(h.sent.size() == 4);
  CHECK(h.sent[3].op == ladder::protocol::Op::add(5));
  CHECK(h.door->stats().linger_timeouts == 1);
}

TEST_CASE("a linger also ends when no command has arrived for linger_gap, and not before") {
  using std::chrono::milliseconds;
  using Clock = std::chrono::steady_clock;
  // A linger of 100 s, a gap of 300 ms: only the gap can end it within the test.
  Harness h(1, 1, std::chrono::seconds(100), 2, milliseconds(300));
  for (std::uint64_t connection = 1; connection <= 5; ++connection)
    h.submit(connection, add(1));
  h.reply(0, 1);
  REQUIRE(h.sent.size() == 2);  // the other four, together
  h.reply(1, 5);
  REQUIRE(h.door->lingering());  // for the four just answered
  // Three of them come back, 100 ms apart: each arrival moves the gap, so 400 ms after the
  // linger began (more than one gap) it still waits for the fourth.
  const auto began = Clock::now();
  for (std::uint64_t connection = 2; connection <= 4; ++connection) {
    h.io.run_for(milliseconds(100));
    h.submit(connection, add(10));
  }
  h.io.run_for(milliseconds(100));
  REQUIRE(Clock::now() - began >= milliseconds(400));
  CHECK(h.door->lingering());
  CHECK(h.sent.size() == 2);
  // The fourth never comes: 300 ms after the last arrival, the three leave.
  h.run_until_sent(3);
  REQUIRE(h.sent.size() == 3);
  CHECK(h.sent[2].op == ladder::protocol::Op::add(30));
  CHECK(Clock::now() - began < std::chrono::seconds(10));
  CHECK(h.door->stats().linger_timeouts == 1);
}

TEST_CASE("with two requests in flight, one lingers at a time and every client comes back") {
  Harness h(2, 2, std::chrono::milliseconds(20), 1);
  h.submit(1, add(1));
  h.submit(2, add(2));
  REQUIRE(h.sent.size() == 2);
  h.reply(0, 1);
  CHECK(h.door->lingering());  // its client waits for connection 1 to come back
  h.reply(1, 3);               // the other ends meanwhile: it does not linger too
  CHECK(h.door->in_flight() == 1);
  const auto again = h.submit(2, add(4));  // runs at once on the free client
  REQUIRE(h.sent.size() == 3);
  h.reply(2, 7);
  CHECK(value_of(h.answers[again]) == 7);
  // Nothing comes for the lingering client: its linger runs out, with nothing to send.
  h.run_until([&] { return !h.door->lingering(); });
  CHECK_FALSE(h.door->lingering());
  CHECK(h.sent.size() == 3);
  CHECK(h.door->in_flight() == 0);  // both clients are back in the pool
  CHECK(h.door->stats().lingers == 1);
  CHECK(h.door->stats().linger_timeouts == 1);
}

TEST_CASE("the door sums the time requests spend in the cluster, answering, and lingering") {
  using std::chrono::milliseconds;
  using Clock = std::chrono::steady_clock;
  const auto began = Clock::now();
  // One request in flight; a linger only the clients' return can end within the test.
  Harness h(1, 1, std::chrono::seconds(100), 2);
  bool slow_answered = false;
  h.door->submit(1, add(1), [&](const CommandOutcome&) {
    std::this_thread::sleep_for(milliseconds(20));  // an answer that takes 20 ms to hand out
    slow_answered = true;
  });
  h.submit(2, add(2));
  h.submit(3, add(3));
  std::this_thread::sleep_for(milliseconds(30));  // the request is 30 ms in the cluster
  h.reply(0, 1);
  REQUIRE(slow_answered);
  const auto& stats = h.door->stats();
  CHECK(stats.request_us >= 30'000);
  CHECK(stats.answer_us >= 20'000);
  CHECK(stats.linger_us == 0);  // a group of one makes nobody linger
  REQUIRE(h.sent.size() == 2);  // the two that waited, together
  h.reply(1, 6);
  REQUIRE(h.door->lingering());  // for the two just answered
  std::this_thread::sleep_for(milliseconds(25));
  h.submit(2, add(20));
  h.submit(3, add(30));  // both back: the linger ends, 25 ms or more after it began
  REQUIRE(h.sent.size() == 3);
  CHECK(stats.linger_us >= 25'000);
  CHECK(stats.lingers == 1);
  CHECK(stats.linger_timeouts == 0);
  // The three are disjoint stretches of the test: together no longer than it ran.
  const std::chrono::microseconds summed(stats.request_us + stats.answer_us + stats.linger_us);
  CHECK(summed <= Clock::now() - began);
}
