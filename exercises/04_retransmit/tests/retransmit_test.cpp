/// \file
/// Exercise 04's grading tests: the retry loop against a scripted network on a virtual clock.
/// Every test states the schedule it expects, to the millisecond: nothing here depends on the
/// machine's speed.

#include <algorithm>
#include <functional>
#include <optional>
#include <vector>

#include <catch2/catch.hpp>

#include "retransmit.hpp"

namespace {

using namespace ladder;
using ex04::CallOutcome;
using ex04::RetryPolicy;
using protocol::ReplicaId;
using protocol::Reply;
using protocol::Request;

// One send the loop made, with its time.
struct Send {
  net::Time at = 0;
  ReplicaId to = 0;
  Request request;
};

// A network on a virtual clock. `answer` decides, for each send, whether and when a Reply comes;
// `stray` replies arrive at their times whatever is sent.
class ScriptedTransport : public ex04::Transport {
 public:
  struct Delivery {
    net::Time at = 0;
    Reply reply;
  };
  std::function<std::optional<Delivery>(const Send&)> answer;

  void stray(net::Time at, Reply reply) { pending_.push_back(Delivery{at, reply}); }

  void send(ReplicaId to, const Request& request) override {
    REQUIRE(to < 3);
    sends.push_back(Send{now_, to, request});
    if (answer) {
      if (auto delivery = answer(sends.back())) pending_.push_back(*delivery);
    }
  }

  std::optional<Reply> receive_for(net::Time timeout_ms) override {
    REQUIRE(timeout_ms > 0);  // waiting 0 ms or less would spin
    ++waits;
    const auto first = std::min_element(pending_.begin(), pending_.end(),
                                        [](const auto& a, const auto& b) { return a.at < b.at; });
    if (first == pending_.end() || first->at > now_ + timeout_ms) {
      now_ += timeout_ms;
      return std::nullopt;
    }
    now_ = std::max(now_, first->at);
    const Reply reply = first->reply;
    pending_.erase(first);
    return reply;
  }

  [[nodiscard]] net::Time now() const override { return now_; }

  std::vector<Send> sends;
  int waits = 0;

 private:
  net::Time now_ = 0;
  std::vector<Delivery> pending_;
};

const Request kRequest{spec::RequestId{0, 7}, protocol::Op::add(2)};

std::vector<net::Time> send_times(const ScriptedTransport& t) {
  std::vector<net::Time> times;
  for (const Send& s : t.sends)
    times.push_back(s.at);
  return times;
}

std::vector<ReplicaId> targets(const ScriptedTransport& t) {
  std::vector<ReplicaId> to;
  for (const Send& s : t.sends)
    to.push_back(s.to);
  return to;
}

}  // namespace

TEST_CASE("part 1: a reply from the primary completes the call") {
  ScriptedTransport net;
  net.answer = [](const Send& s) {
    return std::optional(ScriptedTransport::Delivery{s.at + 10, Reply{0, s.request.id, 12}});
  };
  ReplicaId primary = 0;
  const CallOutcome outcome = ex04::call_with_retry(net, kRequest, RetryPolicy{}, primary);
  CHECK(outcome.ok);
  CHECK(outcome.value == 12);
  CHECK(outcome.sends == 1);
  CHECK(targets(net) == std::vector<ReplicaId>{0});
  CHECK(net.now() == 10);
}

TEST_CASE("part 1: a reply to another request is ignored and the call keeps waiting") {
  ScriptedTransport net;
  net.stray(5, Reply{0, spec::RequestId{0, 6}, 99});  // a late answer to request 6
  net.answer = [](const Send& s) {
    return std::optional(ScriptedTransport::Delivery{s.at + 40, Reply{0, s.request.id, 12}});
  };
  ReplicaId primary = 0;
  const CallOutcome outcome = ex04::call_with_retry(net, kRequest, RetryPolicy{}, primary);
  CHECK(outcome.ok);
  CHECK(outcome.value == 12);
  CHECK(outcome.sends == 1);
  CHECK(net.now() == 40);
}

TEST_CASE("part 2: no reply within retry_ms: the same request goes to the next replica") {
  ScriptedTransport net;
  // Replica 0 is gone; replica 1 is the primary of view 4 (4 mod 3 = 1) and answers in 10 ms.
  net.answer = [](const Send& s) -> std::optional<ScriptedTransport::Delivery> {
    if (s.to != 1) return std::nullopt;
    return ScriptedTransport::Delivery{s.at + 10, Reply{4, s.request.id, 12}};
  };
  ReplicaId primary = 0;
  const CallOutcome outcome = ex04::call_with_retry(net, kRequest, RetryPolicy{}, primary);
  CHECK(outcome.ok);
  CHECK(outcome.sends == 2);
  CHECK(targets(net) == std::vector<ReplicaId>{0, 1});
  CHECK(send_times(net) == std::vector<net::Time>{0, 100});
  for (const Send& s : net.sends)
    CHECK(s.request == kRequest);  // the same request, same id: a retry, not a new add
  CHECK(primary == 1);             // the Reply's view names the primary for next time
}

TEST_CASE("part 2: a stray reply does not delay the retry schedule") {
  ScriptedTransport net;
  net.stray(30, Reply{0, spec::RequestId{0, 6}, 99});
  net.stray(130, Reply{0, spec::RequestId{0, 5}, 98});
  net.answer = [](const Send& s) -> std::optional<ScriptedTransport::Delivery> {
    if (s.to != 2) return std::nullopt;
    return ScriptedTransport::Delivery{s.at + 10, Reply{2, s.request.id, 12}};
  };
  ReplicaId primary = 0;
  const CallOutcome outcome = ex04::call_with_retry(net, kRequest, RetryPolicy{}, primary);
  CHECK(outcome.ok);
  CHECK(send_times(net) == std::vector<net::Time>{0, 100, 200});
  CHECK(targets(net) == std::vector<ReplicaId>{0, 1, 2});
  CHECK(primary == 2);
}

TEST_CASE("part 2: a reply that arrives after the retry still completes the call") {
  ScriptedTransport net;
  // Replica 0 is slow: its reply comes 150 ms after the first send, after the retry to replica 1.
  net.answer = [](const Send& s) -> std::optional<ScriptedTransport::Delivery> {
    if (s.to != 0) return std::nullopt;
    return ScriptedTransport::Delivery{s.at + 150, Reply{0, s.request.id, 12}};
  };
  ReplicaId primary = 0;
  const CallOutcome outcome = ex04::call_with_retry(net, kRequest, RetryPolicy{}, primary);
  CHECK(outcome.ok);
  CHECK(outcome.value == 12);
  CHECK(outcome.sends == 2);
  CHECK(net.now() == 150);
  CHECK(primary == 0);
}

TEST_CASE(
    "part 3: nobody answers: the call tries every replica in turn and gives up at the "
    "deadline") {
  ScriptedTransport net;
  ReplicaId primary = 1;
  const CallOutcome outcome =
      ex04::call_with_retry(net, kRequest, RetryPolicy{3, 100, 450}, primary);
  CHECK_FALSE(outcome.ok);  // unknown: a request may sit in some log and be applied later
  CHECK(send_times(net) == std::vector<net::Time>{0, 100, 200, 300, 400});
  CHECK(targets(net) == std::vector<ReplicaId>{1, 2, 0, 1, 2});
  CHECK(net.now() == 450);  // not a millisecond past the deadline
  CHECK(primary == 1);      // nothing learned: the guess stays
}
