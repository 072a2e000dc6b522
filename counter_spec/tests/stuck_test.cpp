// STUCK: no operation acknowledged for too long while a majority was up and connected.

#include <vector>

#include <catch2/catch.hpp>

#include "counter_spec/checkers.hpp"

using Catch::Matchers::Contains;
using ladder::spec::check_stuck;
using ladder::spec::FindingKind;
using ladder::spec::History;
using ladder::spec::Interval;
using ladder::spec::OpKind;

namespace {

const std::vector<Interval> kAlways{{0, 100'000}};

}  // namespace

TEST_CASE("operations answered promptly are not STUCK") {
  History history;
  for (int i = 0; i < 10; ++i) {
    history.invoke(i * 1000, 0, OpKind::add, 1);
    history.ok(i * 1000 + 900, 0);
  }
  CHECK(check_stuck(history, kAlways, 2000, 20'000).empty());
}

TEST_CASE("an operation waiting past the threshold is STUCK, with when and which") {
  History history;
  history.invoke(0, 0, OpKind::add, 1);
  history.ok(100, 0);
  history.invoke(1200, 1, OpKind::add, 2);
  history.ok(5000, 1);
  const auto findings = check_stuck(history, kAlways, 2000, 10'000);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == FindingKind::stuck);
  CHECK(findings[0].amount == 3800);
  CHECK(findings[0].evidence ==
        "no operation completed from 1200 ms to 5000 ms (3800 ms) while a majority was up and "
        "connected; waiting: c1 add(+2) ok at 5000 ms");
}

TEST_CASE("a stretch of exactly the threshold is STUCK, one millisecond less is not") {
  History history;
  history.invoke(0, 0, OpKind::add, 1);
  history.ok(2000, 0);
  CHECK(check_stuck(history, kAlways, 2000, 10'000).size() == 1);
  CHECK(check_stuck(history, kAlways, 2001, 10'000).empty());
}

TEST_CASE("a stretch is clipped to the majority windows") {
  History history;
  history.invoke(0, 0, OpKind::add, 1);
  history.ok(10'000, 0);
  // Only 1000 ms of the wait had a majority up and connected: a minority cannot be expected to
  // answer.
  CHECK(check_stuck(history, std::vector<Interval>{{3000, 4000}}, 2000, 20'000).empty());
  const auto findings = check_stuck(history, std::vector<Interval>{{3000, 6000}}, 2000, 20'000);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].amount == 3000);
  CHECK_THAT(findings[0].evidence, Contains("from 3000 ms to 6000 ms"));
}

TEST_CASE("a stretch is clipped to the end of the run, and a pending operation waits until then") {
  History history;
  history.invoke(1000, 0, OpKind::add, 1);  // never answered
  CHECK(check_stuck(history, kAlways, 2000, 2500).empty());
  const auto findings = check_stuck(history, kAlways, 2000, 3000);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].amount == 2000);
  CHECK(findings[0].evidence ==
        "no operation completed from 1000 ms to 3000 ms (2000 ms) while a majority was up and "
        "connected; waiting: c0 add(+1) pending since 1000 ms");
}

TEST_CASE("timeouts and retries with pauses between them are one STUCK stretch") {
  // A client that times out, thinks for 50 ms and retries is still waiting on the system: the
  // pauses must not split the stretch into pieces that each stay under the threshold.
  History history;
  for (int attempt = 0; attempt < 3; ++attempt) {
    history.invoke(attempt * 1050, 0, OpKind::add, 1);
    history.info(attempt * 1050 + 1000, 0);
  }
  const auto findings = check_stuck(history, kAlways, 2000, 10'000);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].amount == 3100);
  CHECK_THAT(findings[0].evidence, Contains("from 0 ms to 3100 ms"));
  CHECK_THAT(findings[0].evidence, Contains("waiting: c0 add(+1) info at 1000 ms"));
}

TEST_CASE("fails are not progress: a system that only says no is STUCK") {
  History history;
  for (int attempt = 0; attempt < 30; ++attempt) {
    history.invoke(attempt * 100, 0, OpKind::add, 1);
    history.fail(attempt * 100 + 10, 0);
  }
  const auto findings = check_stuck(history, kAlways, 2000, 10'000);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].amount == 2910);
}

TEST_CASE("an acknowledgement by any client cuts the stretch") {
  History history;
  history.invoke(0, 0, OpKind::add, 1);  // waits 3000 ms ...
  history.invoke(0, 1, OpKind::add, 1);
  history.ok(1500, 1);  // ... but client 1 is answered half way through
  history.ok(3000, 0);
  CHECK(check_stuck(history, kAlways, 2000, 10'000).empty());
}

TEST_CASE("time with nothing asked is not STUCK") {
  History history;
  history.invoke(0, 0, OpKind::add, 1);
  history.ok(100, 0);
  history.invoke(200, 0, OpKind::add, 1);
  history.info(300, 0);  // the workload ends here; the run goes on quietly until 50 s
  CHECK(check_stuck(history, kAlways, 2000, 50'000).empty());
}

TEST_CASE("each stretch without progress is its own finding, in time order") {
  History history;
  history.invoke(0, 0, OpKind::add, 1);
  history.ok(2500, 0);
  history.invoke(2500, 0, OpKind::read);
  history.ok(2600, 0, 1);
  history.invoke(2600, 0, OpKind::add, 1);
  history.ok(7000, 0);
  const auto findings =
      check_stuck(history, std::vector<Interval>{{4000, 9000}, {0, 3000}}, 2000, 10'000);
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].amount == 2500);
  CHECK(findings[1].amount == 3000);  // 4000 to 7000, clipped by the second window
  CHECK_THAT(findings[1].evidence, Contains("from 4000 ms to 7000 ms"));
}
