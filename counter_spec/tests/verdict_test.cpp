// The verdict: the words of the tour table and the one-line summary the demos print.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "counter_spec/checkers.hpp"

using ladder::spec::check_all;
using ladder::spec::Finding;
using ladder::spec::FindingKind;
using ladder::spec::History;
using ladder::spec::OpKind;
using ladder::spec::ReplicaState;
using ladder::spec::RunRecord;
using ladder::spec::Verdict;

namespace {

Finding finding(FindingKind kind, std::int64_t amount, std::string evidence = "because") {
  return Finding{.kind = kind, .amount = amount, .evidence = std::move(evidence)};
}

// Three acknowledged adds summing to 20, a majority up throughout, run ends at 1000 ms.
RunRecord clean_run() {
  RunRecord run;
  run.history.invoke(0, 0, OpKind::add, 5);
  run.history.ok(100, 0);
  run.history.invoke(150, 1, OpKind::add, 12);
  run.history.ok(300, 1);
  run.history.invoke(400, 0, OpKind::add, 3);
  run.history.ok(412, 0);
  for (const char* name : {"r0", "r1", "r2"}) {
    ReplicaState replica;
    replica.name = name;
    replica.value = 20;
    run.replicas.push_back(replica);
  }
  run.majority_windows = {{0, 1000}};
  run.end = 1000;
  return run;
}

}  // namespace

TEST_CASE("a clean run's verdict is ok everywhere") {
  const Verdict verdict = check_all(clean_run());
  CHECK(verdict.ok());
  CHECK(verdict.cell() == "ok");
  CHECK(verdict.summary() == "ok");
  CHECK(verdict.kinds() == std::vector<std::string>{"ok"});
}

TEST_CASE("check_all reports lost and diverged replicas as 'LOST 3 DIVERGED'") {
  // Quoted by docs/00-the-ladder.md.
  //! [lost-diverged]
  RunRecord run = clean_run();
  run.replicas[1].value = 17;
  const Verdict verdict = check_all(run);
  CHECK_FALSE(verdict.ok());
  CHECK(verdict.has(FindingKind::lost));
  CHECK(verdict.has(FindingKind::diverged));
  CHECK_FALSE(verdict.has(FindingKind::stuck));
  CHECK(verdict.cell() == "LOST 3 DIVERGED");
  CHECK(verdict.kinds() == std::vector<std::string>{"LOST", "DIVERGED"});
  CHECK(verdict.summary() ==
        "LOST 3 DIVERGED: replica r1 holds 17 but the acknowledged adds sum to 20 "
        "(last acknowledged: c0 add(+3) ok at 412 ms)");
  //! [lost-diverged]
}

TEST_CASE("check_all finds a stuck run and a bad read") {
  RunRecord run = clean_run();
  run.history.invoke(500, 2, OpKind::read);
  run.history.ok(510, 2, 21);
  run.history.invoke(600, 1, OpKind::add, 1);  // never answered
  run.end = 5000;
  run.majority_windows = {{0, 5000}};
  run.stuck_after_ms = 2000;
  const Verdict verdict = check_all(run);
  // The replicas' 20 is fine: the pending +1 might or might not have happened.
  CHECK(verdict.cell() == "STUCK BAD-READ 1");
  REQUIRE(verdict.findings.size() == 2);
  CHECK(verdict.findings[0].kind == FindingKind::stuck);
  CHECK(verdict.findings[0].amount == 4400);
  CHECK(verdict.findings[1].kind == FindingKind::bad_read);
}

TEST_CASE("LOST and DUPLICATED show the worst replica's amount, BAD-READ counts reads") {
  Verdict verdict;
  verdict.findings = {finding(FindingKind::lost, 3),       finding(FindingKind::lost, 1),
                      finding(FindingKind::duplicated, 2), finding(FindingKind::duplicated, 7),
                      finding(FindingKind::bad_read, 1),   finding(FindingKind::bad_read, 1)};
  CHECK(verdict.cell() == "LOST 3 DUPLICATED 7 BAD-READ 2");
}

TEST_CASE("every kind appears once, in the order lost, duplicated, diverged, stuck, bad_read") {
  Verdict verdict;
  verdict.findings = {finding(FindingKind::bad_read, 1, "first"), finding(FindingKind::stuck, 4000),
                      finding(FindingKind::stuck, 2500),          finding(FindingKind::diverged, 2),
                      finding(FindingKind::duplicated, 2),        finding(FindingKind::lost, 1)};
  CHECK(verdict.cell() == "LOST 1 DUPLICATED 2 DIVERGED STUCK BAD-READ 1");
  CHECK(verdict.kinds() ==
        std::vector<std::string>{"LOST", "DUPLICATED", "DIVERGED", "STUCK", "BAD-READ"});
  CHECK(verdict.summary() == "LOST 1 DUPLICATED 2 DIVERGED STUCK BAD-READ 1: first");
}

TEST_CASE("finding kinds print as the tour table writes them") {
  CHECK(std::string(to_string(FindingKind::lost)) == "LOST");
  CHECK(std::string(to_string(FindingKind::duplicated)) == "DUPLICATED");
  CHECK(std::string(to_string(FindingKind::diverged)) == "DIVERGED");
  CHECK(std::string(to_string(FindingKind::stuck)) == "STUCK");
  CHECK(std::string(to_string(FindingKind::bad_read)) == "BAD-READ");
}

TEST_CASE("check_all judges the reads as a whole only when the level asks for it") {
  // Each read alone is explained (the +1 is concurrent with both), but the first saw the +1 and
  // the second, which began after the first ended, did not: no single order explains both.
  RunRecord run;
  run.history.invoke(0, 0, OpKind::add, 1);
  run.history.invoke(1, 1, OpKind::read);
  run.history.ok(2, 1, 1);
  run.history.invoke(3, 2, OpKind::read);
  run.history.ok(4, 2, 0);
  run.history.ok(10, 0);
  for (const char* name : {"r0", "r1", "r2"}) {
    ReplicaState replica;
    replica.name = name;
    replica.value = 1;
    run.replicas.push_back(replica);
  }
  run.majority_windows = {{0, 100}};
  run.end = 100;
  CHECK(check_all(run).ok());  // level 0's verdict: the per-read check alone

  run.linearizable_reads = true;
  const Verdict verdict = check_all(run);
  CHECK(verdict.cell() == "NONLINEAR");
  CHECK(verdict.has(FindingKind::not_linearizable));

  // A read no order of the adds explains is BAD-READ, and NONLINEAR is not added on top of it.
  run.history.invoke(20, 1, OpKind::read);
  run.history.ok(21, 1, 7);
  CHECK(check_all(run).kinds() == std::vector<std::string>{"BAD-READ"});
}
