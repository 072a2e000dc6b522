// BAD-READ: every ok read must lie between what was acknowledged before it began and what might
// have happened before it ended.

#include <vector>

#include <catch2/catch.hpp>

#include "counter_spec/checkers.hpp"

using Catch::Matchers::Contains;
using ladder::spec::check_reads;
using ladder::spec::FindingKind;
using ladder::spec::History;
using ladder::spec::OpKind;

namespace {

// c0: add +5 from 0 to 100 (ok), then add +3 from 200 to 400 (ok).
History two_adds() {
  History history;
  history.invoke(0, 0, OpKind::add, 5);
  history.ok(100, 0);
  history.invoke(200, 0, OpKind::add, 3);
  history.ok(400, 0);
  return history;
}

}  // namespace

TEST_CASE("a read after every add returns their sum") {
  History history = two_adds();
  history.invoke(500, 1, OpKind::read);
  history.ok(520, 1, 8);
  CHECK(check_reads(history).empty());
}

TEST_CASE("a read concurrent with an add may see it or not") {
  for (const std::int64_t value : {5, 8}) {
    History history = two_adds();
    history.invoke(300, 1, OpKind::read);  // during the +3
    history.ok(350, 1, value);
    CHECK(check_reads(history).empty());
  }
}

TEST_CASE("a stale read that misses an acknowledged add is BAD-READ") {
  History history = two_adds();
  history.invoke(500, 1, OpKind::read);
  history.ok(520, 1, 5);
  const auto findings = check_reads(history);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == FindingKind::bad_read);
  CHECK(findings[0].amount == 1);
  CHECK(findings[0].evidence ==
        "c1 read()=5 ok at 520 ms (invoked at 500 ms) is stale: the adds acknowledged before it "
        "began guarantee at least 8 (possible: 8 to 8)");
}

TEST_CASE("a read of more than every add that might have happened is BAD-READ") {
  History history = two_adds();
  history.invoke(300, 1, OpKind::read);
  history.ok(350, 1, 9);
  const auto findings = check_reads(history);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].evidence ==
        "c1 read()=9 ok at 350 ms (invoked at 300 ms) is impossible: the adds that might have "
        "happened by then make at most 8 (possible: 5 to 8)");
}

TEST_CASE("an add invoked after the read was answered cannot be in it") {
  History history = two_adds();
  history.invoke(120, 1, OpKind::read);
  history.ok(150, 1, 8);  // the +3 began at 200
  REQUIRE(check_reads(history).size() == 1);
}

TEST_CASE("a failed add is in no read") {
  History history = two_adds();
  history.invoke(500, 0, OpKind::add, 10);
  history.fail(600, 0);
  history.invoke(700, 1, OpKind::read);
  history.ok(710, 1, 18);
  REQUIRE(check_reads(history).size() == 1);
}

TEST_CASE("an add of unknown outcome may be in every later read, or in none") {
  for (const std::int64_t value : {8, 18}) {
    History history = two_adds();
    history.invoke(500, 0, OpKind::add, 10);
    history.info(600, 0);
    history.invoke(700, 1, OpKind::read);
    history.ok(710, 1, value);
    CHECK(check_reads(history).empty());
  }
}

TEST_CASE("a concurrent negative add may lower a read below the acknowledged sum") {
  History history = two_adds();
  history.invoke(500, 0, OpKind::add, -4);
  history.invoke(510, 1, OpKind::read);
  history.ok(520, 1, 4);
  CHECK(check_reads(history).empty());

  History too_low = two_adds();
  too_low.invoke(500, 0, OpKind::add, -4);
  too_low.invoke(510, 1, OpKind::read);
  too_low.ok(520, 1, 3);
  const auto findings = check_reads(too_low);
  REQUIRE(findings.size() == 1);
  CHECK_THAT(findings[0].evidence, Contains("(possible: 4 to 8)"));
}

TEST_CASE("an add acknowledged in the millisecond a read begins counts as concurrent") {
  History history = two_adds();  // the +3 is acknowledged at 400
  history.invoke(400, 1, OpKind::read);
  history.ok(410, 1, 5);
  CHECK(check_reads(history).empty());
}

TEST_CASE("reads that failed, timed out or are pending are not checked") {
  History history = two_adds();
  history.invoke(500, 1, OpKind::read);
  history.fail(510, 1);
  history.invoke(500, 2, OpKind::read);
  history.info(510, 2);
  history.invoke(500, 3, OpKind::read);
  CHECK(check_reads(history).empty());
}

TEST_CASE("each bad read is its own finding") {
  History history = two_adds();
  history.invoke(500, 1, OpKind::read);
  history.ok(510, 1, 0);
  history.invoke(500, 2, OpKind::read);
  history.ok(510, 2, 8);
  history.invoke(600, 1, OpKind::read);
  history.ok(610, 1, 100);
  const auto findings = check_reads(history);
  REQUIRE(findings.size() == 2);
  CHECK_THAT(findings[0].evidence, Contains("c1 read()=0"));
  CHECK_THAT(findings[1].evidence, Contains("c1 read()=100"));
}
