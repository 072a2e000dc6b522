// LOST, DUPLICATED and DIVERGED: the checkers that judge where the replicas ended.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "counter_spec/checkers.hpp"

using Catch::Matchers::Contains;
using ladder::spec::check_diverged;
using ladder::spec::check_duplicated;
using ladder::spec::check_lost;
using ladder::spec::FindingKind;
using ladder::spec::History;
using ladder::spec::OpKind;
using ladder::spec::ReplicaState;
using ladder::spec::RequestId;

namespace {

ReplicaState replica(const std::string& name, std::int64_t value, bool up = true) {
  ReplicaState state;
  state.name = name;
  state.up = up;
  state.value = value;
  return state;
}

ReplicaState logged(const std::string& name, std::int64_t value, std::vector<RequestId> applied) {
  return ReplicaState{
      .name = name, .up = true, .value = value, .has_apply_log = true, .applied = applied};
}

RequestId req(ladder::spec::ClientId client, std::uint64_t seq) {
  return RequestId{.client = client, .seq = seq};
}

// c0 adds +5 (ok at 100), c1 adds +12 (ok at 300), c0 adds +3 (ok at 412): 20 acknowledged.
History twenty_acknowledged() {
  History history;
  history.invoke(0, 0, OpKind::add, 5);
  history.ok(100, 0);
  history.invoke(150, 1, OpKind::add, 12);
  history.ok(300, 1);
  history.invoke(400, 0, OpKind::add, 3);
  history.ok(412, 0);
  return history;
}

}  // namespace

TEST_CASE("replicas holding exactly the acknowledged adds pass LOST, DUPLICATED and DIVERGED") {
  const History history = twenty_acknowledged();
  const std::vector replicas{replica("r0", 20), replica("r1", 20), replica("r2", 20)};
  CHECK(check_lost(history, replicas).empty());
  CHECK(check_duplicated(history, replicas).empty());
  CHECK(check_diverged(replicas).empty());
}

TEST_CASE("LOST names the replica, its value, the acknowledged sum and the last acknowledged add") {
  const History history = twenty_acknowledged();
  const std::vector replicas{replica("r0", 20), replica("r1", 17)};
  const auto findings = check_lost(history, replicas);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == FindingKind::lost);
  CHECK(findings[0].amount == 3);
  CHECK(findings[0].evidence ==
        "replica r1 holds 17 but the acknowledged adds sum to 20 "
        "(last acknowledged: c0 add(+3) ok at 412 ms)");
}

TEST_CASE("an add of unknown outcome may or may not be in the final value") {
  History history = twenty_acknowledged();
  history.invoke(500, 1, OpKind::add, 4);
  history.info(900, 1);                    // timed out: it might have happened
  history.invoke(950, 2, OpKind::add, 6);  // never answered: pending, might have happened too

  for (const std::int64_t value : {20, 24, 26, 30}) {
    const std::vector replicas{replica("r0", value)};
    CHECK(check_lost(history, replicas).empty());
    CHECK(check_duplicated(history, replicas).empty());
  }
  const std::vector low{replica("r0", 19)};
  REQUIRE(check_lost(history, low).size() == 1);
  CHECK(check_lost(history, low)[0].amount == 1);
  const std::vector high{replica("r0", 31)};
  REQUIRE(check_duplicated(history, high).size() == 1);
  CHECK(check_duplicated(history, high)[0].amount == 1);
}

TEST_CASE("negative deltas of unknown outcome widen the bounds downwards") {
  History history = twenty_acknowledged();
  history.invoke(500, 1, OpKind::add, -2);
  history.info(600, 1);

  const std::vector eighteen{replica("r0", 18)};
  CHECK(check_lost(history, eighteen).empty());  // the -2 might have happened
  const std::vector seventeen{replica("r0", 17)};
  const auto lost = check_lost(history, seventeen);
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].amount == 1);  // lower bound 18, not 20
  CHECK_THAT(lost[0].evidence, Contains("can lower that only to 18"));
  const std::vector twenty_one{replica("r0", 21)};
  const auto duplicated = check_duplicated(history, twenty_one);
  REQUIRE(duplicated.size() == 1);
  CHECK(duplicated[0].amount == 1);  // the -2 cannot raise the upper bound above 20
}

TEST_CASE("an acknowledged negative add lowers both bounds") {
  History history;
  history.invoke(0, 0, OpKind::add, 10);
  history.ok(10, 0);
  history.invoke(20, 0, OpKind::add, -4);
  history.ok(30, 0);
  CHECK(check_lost(history, std::vector{replica("r0", 6)}).empty());
  CHECK(check_duplicated(history, std::vector{replica("r0", 6)}).empty());
  REQUIRE(check_duplicated(history, std::vector{replica("r0", 10)}).size() == 1);
  CHECK(check_duplicated(history, std::vector{replica("r0", 10)})[0].amount == 4);
}

TEST_CASE("a failed add never counts: holding it is DUPLICATED, missing it is fine") {
  History history = twenty_acknowledged();
  history.invoke(500, 1, OpKind::add, 5);
  history.fail(510, 1);

  CHECK(check_lost(history, std::vector{replica("r0", 20)}).empty());
  const auto findings = check_duplicated(history, std::vector{replica("r0", 25)});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].amount == 5);
  CHECK(findings[0].evidence ==
        "replica r0 holds 25 but the adds that might have happened sum to at most 20 "
        "(every add was acknowledged or failed)");
}

TEST_CASE("DUPLICATED evidence names the adds of unknown outcome, the usual culprits") {
  History history = twenty_acknowledged();
  history.invoke(500, 1, OpKind::add, 2, RequestId{.client = 1, .seq = 2});
  history.info(800, 1);
  const auto findings = check_duplicated(history, std::vector{replica("r2", 24)});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].amount == 2);
  CHECK(findings[0].evidence ==
        "replica r2 holds 24 but the adds that might have happened sum to at most 22 "
        "(unknown outcome: c1#2 add(+2) info at 800 ms)");
}

TEST_CASE("crashed replicas are ignored by every final-state checker") {
  const History history = twenty_acknowledged();
  const std::vector replicas{replica("r0", 20), replica("r1", 20), replica("r2", 0, false),
                             replica("r3", 99, false)};
  CHECK(check_lost(history, replicas).empty());
  CHECK(check_duplicated(history, replicas).empty());
  CHECK(check_diverged(replicas).empty());
}

TEST_CASE("each live replica that is off gets its own finding, naming it") {
  const History history = twenty_acknowledged();
  const std::vector replicas{replica("r0", 19), replica("r1", 20), replica("r2", 11)};
  const auto findings = check_lost(history, replicas);
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].amount == 1);
  CHECK_THAT(findings[0].evidence, Contains("replica r0 holds 19"));
  CHECK(findings[1].amount == 9);
  CHECK_THAT(findings[1].evidence, Contains("replica r2 holds 11"));
}

TEST_CASE("LOST with an apply log names the acknowledged requests the replica misses") {
  History history;
  history.invoke(0, 0, OpKind::add, 5, req(0, 1));
  history.ok(100, 0);
  history.invoke(120, 0, OpKind::add, 3, req(0, 2));
  history.ok(412, 0);
  history.invoke(130, 1, OpKind::add, 2, req(1, 1));
  history.ok(200, 1);

  const std::vector replicas{logged("r0", 10, {req(0, 1), req(1, 1), req(0, 2)}),
                             logged("r1", 5, {req(0, 1)})};
  const auto findings = check_lost(history, replicas);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].amount == 5);
  CHECK(findings[0].evidence ==
        "replica r1 holds 5 but the acknowledged adds sum to 10; its apply log misses "
        "c0#2 add(+3) ok at 412 ms and c1#1 add(+2) ok at 200 ms");
}

TEST_CASE("an apply log holding a request twice is DUPLICATED even when the value is in bounds") {
  // c0#1 was acknowledged; c1#1 timed out. A replica that applied c0#1 twice and never saw c1#1
  // holds 2, which the bounds [1, 2] allow: only the apply log shows the duplicate.
  History history;
  history.invoke(0, 0, OpKind::add, 1, req(0, 1));
  history.ok(10, 0);
  history.invoke(0, 1, OpKind::add, 1, req(1, 1));
  history.info(50, 1);

  const std::vector replicas{logged("r0", 1, {req(0, 1)}), logged("r1", 2, {req(0, 1), req(0, 1)})};
  const auto findings = check_duplicated(history, replicas);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == FindingKind::duplicated);
  CHECK(findings[0].amount == 1);
  CHECK(findings[0].evidence == "replica r1 applied c0#1 twice (c0#1 add(+1) ok at 10 ms)");
}

TEST_CASE("apply-log duplicates beyond the bounds name both the request and the values") {
  History history;
  history.invoke(0, 0, OpKind::add, 4, req(0, 1));
  history.info(10, 0);
  const auto findings =
      check_duplicated(history, std::vector{logged("r0", 12, {req(0, 1), req(0, 1), req(0, 1)})});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].amount == 8);
  CHECK(findings[0].evidence ==
        "replica r0 applied c0#1 3 times (c0#1 add(+4) info at 10 ms); it holds 12 but the adds "
        "that might have happened sum to at most 4");
}

TEST_CASE("attempts that retry one request id count as one add") {
  // The first attempt's reply was lost; the retry under the same id was acknowledged. The add
  // happened once, so a replica holding it twice is DUPLICATED (and one holding it once is not
  // LOST just because the first attempt's outcome is unknown).
  History history;
  history.invoke(0, 0, OpKind::add, 5, req(0, 1));
  history.info(100, 0);
  history.invoke(100, 0, OpKind::add, 5, req(0, 1));
  history.ok(150, 0);

  CHECK(check_lost(history, std::vector{replica("r0", 5)}).empty());
  CHECK(check_duplicated(history, std::vector{replica("r0", 5)}).empty());
  const auto findings = check_duplicated(history, std::vector{replica("r0", 10)});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].amount == 5);
  CHECK(check_lost(history, std::vector{replica("r0", 0)}).size() == 1);
}

TEST_CASE("DIVERGED lists every live replica's value and the ones that were down") {
  const std::vector replicas{replica("r0", 5), replica("r1", 3), replica("r2", 0, false),
                             replica("r3", 5)};
  const auto findings = check_diverged(replicas);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == FindingKind::diverged);
  CHECK(findings[0].amount == 2);
  CHECK(findings[0].evidence ==
        "live replicas disagree: r0 holds 5, r1 holds 3, r3 holds 5 (r2 down, not counted)");
}

TEST_CASE("a single live replica cannot diverge") {
  CHECK(check_diverged(std::vector{replica("r0", 5), replica("r1", 3, false)}).empty());
  CHECK(check_diverged(std::vector<ReplicaState>{}).empty());
}
