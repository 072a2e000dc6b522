// Linearizability: the Wing–Gong checker with memoisation, on the counter and register models.

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "counter_spec/checkers.hpp"
#include "counter_spec/history_jsonl.hpp"
#include "counter_spec/linearizability.hpp"
#include "counter_spec/linearizability_picture.hpp"
#include "counter_spec/models.hpp"

using Catch::Matchers::Contains;
using ladder::spec::Call;
using ladder::spec::CallKind;
using ladder::spec::check_linearizability;
using ladder::spec::CounterModel;
using ladder::spec::explain;
using ladder::spec::LinearizabilityResult;
using ladder::spec::RegisterModel;

namespace {

std::vector<Call> parse(const std::string& text) {
  std::istringstream in(text);
  return ladder::spec::parse_history_jsonl(in, "test.jsonl");
}

// A call that returned: `value` is an add's delta or a read's result.
Call make_call(std::size_t index, std::uint32_t client, CallKind kind, std::int64_t value,
               ladder::spec::Time invoked, ladder::spec::Time returned) {
  Call call;
  call.index = index;
  call.client = client;
  call.kind = kind;
  if (kind == CallKind::read) {
    call.result = value;
  } else {
    call.value = value;
  }
  call.invoked = invoked;
  call.returned = returned;
  return call;
}

// The order a linearizable result gives is a legal run of the model that keeps real-time order
// and holds every call that returned.
template <class Model>
void require_valid_order(const std::vector<Call>& calls, const LinearizabilityResult& result,
                         const Model& model) {
  REQUIRE(result.linearizable);
  auto state = model.init();
  for (std::size_t i = 0; i < result.order.size(); ++i) {
    const Call& call = calls[result.order[i]];
    const auto next = model.step(state, call);
    REQUIRE(next.has_value());
    state = *next;
    for (std::size_t j = i + 1; j < result.order.size(); ++j) {
      const Call& later = calls[result.order[j]];
      // A call that returned before another was invoked must come first.
      REQUIRE_FALSE((later.returned && *later.returned < call.invoked));
    }
  }
  for (const Call& call : calls) {
    if (call.returned) {
      CHECK(std::count(result.order.begin(), result.order.end(), call.index) == 1);
    }
  }
}

}  // namespace

TEST_CASE("register: a stale read after a completed write is not linearizable, and is named") {
  const std::vector<Call> calls = parse(R"(
{"type": "invoke", "client": 0, "time": 0, "op": "write", "value": 1}
{"type": "ok", "client": 0, "time": 10, "op": "write"}
{"type": "invoke", "client": 1, "time": 20, "op": "read"}
{"type": "ok", "client": 1, "time": 30, "op": "read", "value": 0}
)");
  const LinearizabilityResult result = check_linearizability(calls, RegisterModel{});
  CHECK_FALSE(result.linearizable);
  REQUIRE(result.blocking == 1u);
  CHECK(result.order == std::vector<std::size_t>{0});
  CHECK(result.state_after_order == "value 1");
  const std::string text = explain(result, calls);
  CHECK_THAT(text, Contains("c1 read() -> 0 [20, 30] cannot be placed"));
  CHECK_THAT(text, Contains("c0 write(1) [0, 10]"));
}

TEST_CASE("register: a read concurrent with a write may see the old or the new value") {
  for (const int seen : {0, 1}) {
    const std::vector<Call> calls = parse(fmt::format(R"(
{{"type": "invoke", "client": 0, "time": 0, "op": "write", "value": 1}}
{{"type": "invoke", "client": 1, "time": 5, "op": "read"}}
{{"type": "ok", "client": 1, "time": 8, "op": "read", "value": {}}}
{{"type": "ok", "client": 0, "time": 10, "op": "write"}}
)",
                                                      seen));
    const LinearizabilityResult result = check_linearizability(calls, RegisterModel{});
    require_valid_order(calls, result, RegisterModel{});
    CHECK(result.order ==
          (seen == 0 ? std::vector<std::size_t>{1, 0} : std::vector<std::size_t>{0, 1}));
  }
}

TEST_CASE("register: once a read saw the new value, a later read may not see the old one") {
  const std::vector<Call> calls = parse(R"(
{"type": "invoke", "client": 0, "time": 0, "op": "write", "value": 1}
{"type": "invoke", "client": 1, "time": 1, "op": "read"}
{"type": "ok", "client": 1, "time": 2, "op": "read", "value": 1}
{"type": "invoke", "client": 2, "time": 3, "op": "read"}
{"type": "ok", "client": 2, "time": 4, "op": "read", "value": 0}
{"type": "ok", "client": 0, "time": 10, "op": "write"}
)");
  const LinearizabilityResult result = check_linearizability(calls, RegisterModel{});
  CHECK_FALSE(result.linearizable);
  CHECK(result.blocking == 2u);
  CHECK(result.order == std::vector<std::size_t>{0, 1});
}

TEST_CASE("register: two concurrent cas from the same value cannot both succeed") {
  const std::string both = R"(
{"type": "invoke", "client": 0, "time": 0, "op": "cas", "value": [0, 1]}
{"type": "invoke", "client": 1, "time": 0, "op": "cas", "value": [0, 2]}
{"type": "ok", "client": 0, "time": 5, "op": "cas"}
{"type": "ok", "client": 1, "time": 5, "op": "cas"}
)";
  CHECK_FALSE(check_linearizability(parse(both), RegisterModel{}).linearizable);
  std::string one = both;
  one.replace(one.rfind("ok"), 2, "fail");
  const std::vector<Call> calls = parse(one);
  REQUIRE(calls.size() == 1);
  require_valid_order(calls, check_linearizability(calls, RegisterModel{}), RegisterModel{});
}

TEST_CASE("counter: concurrent adds can be ordered to explain every read") {
  const std::vector<Call> calls = parse(R"(
{"type": "invoke", "client": 0, "time": 0, "op": "add", "value": 1}
{"type": "invoke", "client": 1, "time": 0, "op": "add", "value": 2}
{"type": "invoke", "client": 2, "time": 1, "op": "read"}
{"type": "ok", "client": 2, "time": 2, "op": "read", "value": 2}
{"type": "ok", "client": 0, "time": 10, "op": "add"}
{"type": "ok", "client": 1, "time": 10, "op": "add"}
{"type": "invoke", "client": 2, "time": 11, "op": "read"}
{"type": "ok", "client": 2, "time": 12, "op": "read", "value": 3}
)");
  const LinearizabilityResult result = check_linearizability(calls, CounterModel{});
  require_valid_order(calls, result, CounterModel{});
  CHECK(result.order == std::vector<std::size_t>{1, 2, 0, 3});
  CHECK(result.state_after_order == "value 3");
}

TEST_CASE("counter: a read no order of the adds explains is not linearizable") {
  const std::vector<Call> calls = parse(R"(
{"type": "invoke", "client": 0, "time": 0, "op": "add", "value": 1}
{"type": "invoke", "client": 1, "time": 0, "op": "add", "value": 3}
{"type": "invoke", "client": 2, "time": 1, "op": "read"}
{"type": "ok", "client": 2, "time": 2, "op": "read", "value": 2}
{"type": "ok", "client": 0, "time": 10, "op": "add"}
{"type": "ok", "client": 1, "time": 10, "op": "add"}
)");
  const LinearizabilityResult result = check_linearizability(calls, CounterModel{});
  CHECK_FALSE(result.linearizable);
  CHECK(result.blocking == 2u);
  CHECK_THAT(explain(result, calls), Contains("c2 read() -> 2 [1, 2] cannot be placed"));
}

TEST_CASE("an unknown (info) write that a later read saw must have taken effect") {
  const std::vector<Call> calls = parse(R"(
{"type": "invoke", "client": 0, "time": 0, "op": "write", "value": 7}
{"type": "info", "client": 0, "time": 10, "op": "write"}
{"type": "invoke", "client": 1, "time": 50, "op": "read"}
{"type": "ok", "client": 1, "time": 60, "op": "read", "value": 7}
)");
  const LinearizabilityResult result = check_linearizability(calls, RegisterModel{});
  require_valid_order(calls, result, RegisterModel{});
  CHECK(result.order == std::vector<std::size_t>{0, 1});
}

TEST_CASE("an unknown (info) write that no read saw may never have happened") {
  const std::vector<Call> calls = parse(R"(
{"type": "invoke", "client": 0, "time": 0, "op": "write", "value": 7}
{"type": "info", "client": 0, "time": 10, "op": "write"}
{"type": "invoke", "client": 1, "time": 50, "op": "read"}
{"type": "ok", "client": 1, "time": 60, "op": "read", "value": 0}
)");
  const LinearizabilityResult result = check_linearizability(calls, RegisterModel{});
  require_valid_order(calls, result, RegisterModel{});
  CHECK(result.order == std::vector<std::size_t>{1});
}

TEST_CASE("an unknown add cannot take effect before it was invoked, nor twice") {
  // The read ends before the add is invoked, so it cannot see it.
  const std::vector<Call> early = parse(R"(
{"type": "invoke", "client": 1, "time": 0, "op": "read"}
{"type": "ok", "client": 1, "time": 5, "op": "read", "value": 4}
{"type": "invoke", "client": 0, "time": 10, "op": "add", "value": 4}
{"type": "info", "client": 0, "time": 20, "op": "add"}
)");
  CHECK_FALSE(check_linearizability(early, CounterModel{}).linearizable);
  // An unfinished add (no completion at all) of 4 explains 4, never 8.
  const std::vector<Call> twice = parse(R"(
{"type": "invoke", "client": 0, "time": 0, "op": "add", "value": 4}
{"type": "invoke", "client": 1, "time": 10, "op": "read"}
{"type": "ok", "client": 1, "time": 20, "op": "read", "value": 8}
)");
  const LinearizabilityResult result = check_linearizability(twice, CounterModel{});
  CHECK_FALSE(result.linearizable);
  CHECK(result.blocking == 1u);
}

TEST_CASE("memoisation visits each (placed set, state) once: 16 concurrent adds, 2^16 - 1 pairs") {
  // Without the memo table the search would try all 16! orders before giving up; with it, each
  // non-empty subset of the adds is stored exactly once.
  std::vector<Call> calls;
  for (std::uint32_t i = 0; i < 16; ++i) {
    calls.push_back(make_call(i, i, CallKind::add, 1, 0, 100));
  }
  calls.push_back(make_call(16, 16, CallKind::read, 17, 200, 210));
  const LinearizabilityResult result = check_linearizability(calls, CounterModel{});
  CHECK_FALSE(result.linearizable);
  CHECK(result.blocking == 16u);
  CHECK(result.order.size() == 16);
  CHECK(result.states_memoised == (1u << 16) - 1);
}

namespace {

// A small deterministic generator for the brute-force comparison (splitmix64).
struct Mix {
  std::uint64_t s;
  std::uint64_t below(std::uint64_t n) {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (z ^ (z >> 31)) % n;
  }
};

// Every order, by brute force: place any call that no unplaced returned call precedes in real
// time; unknown calls may also be left out.
bool brute_force(const std::vector<Call>& calls, std::vector<bool>& placed, std::int64_t value) {
  bool all_returned_placed = true;
  for (const Call& call : calls) {
    if (call.returned && !placed[call.index]) all_returned_placed = false;
  }
  if (all_returned_placed) return true;
  for (const Call& call : calls) {
    if (placed[call.index]) continue;
    const bool preceded = std::any_of(calls.begin(), calls.end(), [&](const Call& other) {
      return !placed[other.index] && other.returned && *other.returned < call.invoked;
    });
    if (preceded) continue;
    const auto next = CounterModel::step(value, call);
    if (!next) continue;
    placed[call.index] = true;
    if (brute_force(calls, placed, *next)) return true;
    placed[call.index] = false;
  }
  return false;
}

}  // namespace

TEST_CASE("the checker agrees with brute force on 500 random small counter histories") {
  Mix mix{42};
  int linearizable = 0;
  for (int round = 0; round < 500; ++round) {
    std::vector<Call> calls;
    const auto n = 2 + mix.below(6);
    std::vector<ladder::spec::Time> free_at(3, 0);
    for (std::size_t i = 0; i < n; ++i) {
      Call call;
      call.index = i;
      call.client = static_cast<std::uint32_t>(mix.below(3));
      call.invoked = free_at[call.client] + static_cast<std::int64_t>(mix.below(4));
      const bool unknown = mix.below(5) == 0;
      if (!unknown) call.returned = call.invoked + static_cast<std::int64_t>(mix.below(6));
      free_at[call.client] = unknown ? call.invoked + 1000 : *call.returned;
      if (mix.below(2) == 0) {
        call.kind = CallKind::add;
        call.value = static_cast<std::int64_t>(mix.below(3)) + 1;
      } else {
        call.kind = CallKind::read;
        if (call.returned) call.result = static_cast<std::int64_t>(mix.below(6));
      }
      calls.push_back(call);
    }
    std::sort(calls.begin(), calls.end(),
              [](const Call& a, const Call& b) { return a.invoked < b.invoked; });
    for (std::size_t i = 0; i < calls.size(); ++i)
      calls[i].index = i;
    std::vector<bool> placed(calls.size(), false);
    const bool expected = brute_force(calls, placed, 0);
    const LinearizabilityResult result = check_linearizability(calls, CounterModel{});
    INFO("round " << round);
    REQUIRE(result.linearizable == expected);
    if (expected) {
      require_valid_order(calls, result, CounterModel{});
      ++linearizable;
    }
  }
  // Both verdicts occur, so the comparison tests something either way.
  CHECK(linearizable > 50);
  CHECK(linearizable < 450);
}

TEST_CASE("the picture numbers the linearized calls and marks the one that cannot be placed") {
  const std::vector<Call> calls = parse(R"(
{"type": "invoke", "client": 0, "time": 0, "op": "write", "value": 1}
{"type": "ok", "client": 0, "time": 10, "op": "write"}
{"type": "invoke", "client": 1, "time": 20, "op": "read"}
{"type": "ok", "client": 1, "time": 30, "op": "read", "value": 0}
)");
  const LinearizabilityResult result = check_linearizability(calls, RegisterModel{});
  const std::string html = ladder::spec::linearizability_html(calls, result, "register");
  CHECK_THAT(html, Contains("<svg"));
  CHECK_THAT(html, Contains("not linearizable"));
  CHECK_THAT(html, Contains("<title>c1 read() -&gt; 0 [20, 30]</title>"));
  CHECK_THAT(html, Contains("#e53935"));  // the blocking read's red
  CHECK_THAT(html, Contains(">cannot be placed</text>"));
  CHECK_THAT(html, Contains(">1</text>"));  // the write, first in the partial linearization
}

TEST_CASE("validate_calls rejects a client with two calls at once") {
  std::vector<Call> calls(2);
  calls[0] = make_call(0, 0, CallKind::add, 0, 0, 10);
  calls[1] = make_call(1, 0, CallKind::add, 0, 5, 20);
  CHECK_THROWS_WITH(ladder::spec::validate_calls(calls),
                    Contains("client c0 invokes c0 add(+0) [5, 20] while"));
  calls[1].invoked = 10;
  CHECK_NOTHROW(ladder::spec::validate_calls(calls));
}

TEST_CASE("check_linearizable finds what check_reads, judging each read alone, cannot") {
  // A slow add of +1; one read sees it, a later read does not. Each read alone is explainable
  // (the add was concurrent with both), so BAD-READ stays silent; together they are not.
  ladder::spec::History history;
  using ladder::spec::OpKind;
  history.invoke(0, 0, OpKind::add, 1);
  history.invoke(10, 1, OpKind::read);
  history.ok(20, 1, 1);
  history.invoke(30, 1, OpKind::read);
  history.ok(40, 1, 0);
  history.ok(100, 0);
  CHECK(ladder::spec::check_reads(history).empty());
  const std::vector<ladder::spec::Finding> findings = ladder::spec::check_linearizable(history);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == ladder::spec::FindingKind::not_linearizable);
  CHECK(findings[0].evidence ==
        "c1 read() -> 0 [30, 40] cannot be placed after the longest partial linearization (2 "
        "calls, then value 1)");
  const ladder::spec::Verdict verdict{findings};
  CHECK(verdict.cell() == "NONLINEAR");
  CHECK(verdict.kinds() == std::vector<std::string>{"NONLINEAR"});

  history.invoke(50, 1, OpKind::read);
  history.ok(60, 1, 0);  // harmless on its own; the earlier pair is still the problem
  CHECK(ladder::spec::check_linearizable(history).size() == 1);
}

TEST_CASE("check_linearizable is silent on a history a correct counter produced") {
  ladder::spec::History history;
  using ladder::spec::OpKind;
  history.invoke(0, 0, OpKind::add, 1);
  history.invoke(10, 1, OpKind::read);
  history.ok(20, 1, 1);
  history.invoke(30, 1, OpKind::read);
  history.ok(40, 1, 1);
  history.ok(100, 0);
  history.invoke(110, 0, OpKind::add, 5);
  history.info(120, 0);
  history.invoke(130, 1, OpKind::read);
  history.ok(140, 1, 6);
  CHECK(ladder::spec::check_linearizable(history).empty());
}
