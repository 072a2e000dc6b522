// JSON-lines histories: the documented format, its errors (file, line, field), and History.

#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "counter_spec/history_jsonl.hpp"

using Catch::Matchers::Contains;
using ladder::spec::Call;
using ladder::spec::CallKind;
using ladder::spec::History;
using ladder::spec::HistoryFileError;
using ladder::spec::OpKind;

namespace {

std::vector<Call> parse_text(const std::string& text) {
  std::istringstream in(text);
  return ladder::spec::parse_history_jsonl(in, "h.jsonl");
}

}  // namespace

TEST_CASE("the documented example parses into paired calls") {
  const std::vector<Call> calls = parse_text(R"(# two clients
{"type": "invoke", "client": 0, "time": 12, "op": "add", "value": 3}
{"type": "invoke", "client": 1, "time": 13, "op": "read"}
{"type": "ok",     "client": 0, "time": 20, "op": "add", "value": 3}

{"type": "ok",     "client": 1, "time": 25, "op": "read", "value": 3}
{"type": "invoke", "client": 2, "time": 30, "op": "cas", "value": [3, 4]}
)");
  REQUIRE(calls.size() == 3);
  CHECK(calls[0].kind == CallKind::add);
  CHECK(calls[0].value == 3);
  CHECK(calls[0].invoked == 12);
  CHECK(calls[0].returned == 20);
  CHECK(calls[0].line == 2);
  CHECK(calls[1].kind == CallKind::read);
  CHECK(calls[1].result == 3);
  CHECK(calls[1].returned == 25);
  CHECK(calls[2].kind == CallKind::cas);
  CHECK(calls[2].expected == 3);
  CHECK(calls[2].value == 4);
  CHECK_FALSE(calls[2].returned.has_value());  // never completed: unknown
  CHECK(calls[2].index == 2);
}

TEST_CASE("a failed call is dropped and an info call is unknown") {
  const std::vector<Call> calls = parse_text(R"(
{"type": "invoke", "client": 0, "time": 0, "op": "write", "value": 1}
{"type": "fail", "client": 0, "time": 5, "op": "write"}
{"type": "invoke", "client": 0, "time": 6, "op": "write", "value": 2}
{"type": "info", "client": 0, "time": 9, "op": "write"}
)");
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].value == 2);
  CHECK(calls[0].index == 0);
  CHECK_FALSE(calls[0].returned.has_value());
}

TEST_CASE("parse_text errors name the file, the line and the field") {
  const auto error_of = [](const std::string& text) {
    try {
      parse_text(text);
    } catch (const HistoryFileError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(
      error_of("{\"type\": \"invoke\", \"client\": 0, \"time\": 0, \"op\": \"read\"}\n{oops"),
      Contains("h.jsonl:2: not JSON"));
  CHECK_THAT(error_of(R"({"type": "invoke", "client": 0, "op": "read"})"),
             Contains("h.jsonl:1: field \"time\" is missing"));
  CHECK_THAT(error_of(R"({"type": "invoke", "client": "a", "time": 0, "op": "read"})"),
             Contains("h.jsonl:1: field \"client\" must be an integer, not \"a\""));
  CHECK_THAT(error_of(R"({"type": "invoke", "client": 0, "time": 0, "op": "incr"})"),
             Contains("h.jsonl:1: field \"op\" must be \"add\", \"read\", \"write\" or \"cas\", "
                      "not \"incr\""));
  CHECK_THAT(error_of(R"({"type": "begin", "client": 0, "time": 0, "op": "read"})"),
             Contains("h.jsonl:1: field \"type\" must be"));
  CHECK_THAT(error_of(R"({"type": "invoke", "client": 0, "time": 0, "op": "cas", "value": 3})"),
             Contains("h.jsonl:1: field \"value\" of a cas must be [expected, new]"));
  CHECK_THAT(error_of(R"({"type": "invoke", "client": 0, "time": 0, "op": "add"})"),
             Contains("h.jsonl:1: field \"value\" is missing"));
  CHECK_THAT(error_of(R"({"type": "ok", "client": 4, "time": 0, "op": "read", "value": 1})"),
             Contains("h.jsonl:1: field \"type\": ok for client 4, which has no call outstanding"));
  CHECK_THAT(error_of(R"({"type": "invoke", "client": 0, "time": 0, "op": "read"}
{"type": "invoke", "client": 0, "time": 1, "op": "read"})"),
             Contains("h.jsonl:2: field \"type\": client 0 invokes while its call from line 1"));
  CHECK_THAT(error_of(R"({"type": "invoke", "client": 0, "time": 5, "op": "read"}
{"type": "ok", "client": 0, "time": 4, "op": "read", "value": 0})"),
             Contains("h.jsonl:2: field \"time\": 4 is before the invoke at 5 (line 1)"));
  CHECK_THAT(
      error_of(R"({"type": "invoke", "client": 0, "time": 5, "op": "read"}
{"type": "ok", "client": 0, "time": 6, "op": "write"})"),
      Contains("h.jsonl:2: field \"op\": \"write\" completes the \"read\" invoked on line 1"));
  CHECK_THAT(error_of(R"({"type": "invoke", "client": 0, "time": 5, "op": "read"}
{"type": "ok", "client": 0, "time": 6, "op": "read"})"),
             Contains("h.jsonl:2: field \"value\" is missing"));
}

TEST_CASE("a missing file is an error naming it") {
  CHECK_THROWS_WITH(ladder::spec::load_history_jsonl("/nonexistent/h.jsonl"),
                    Contains("/nonexistent/h.jsonl: cannot open the file"));
}

TEST_CASE("a History converts to calls, directly or through its JSON lines, alike") {
  History history;
  history.invoke(0, 0, OpKind::add, 5);
  history.invoke(1, 1, OpKind::read);
  history.ok(4, 1, 5);
  history.ok(6, 0);
  history.invoke(7, 0, OpKind::add, -2);
  history.fail(8, 0);
  history.invoke(9, 0, OpKind::add, 3);
  history.info(12, 0);
  history.invoke(13, 1, OpKind::read);

  const std::vector<Call> direct = ladder::spec::calls_from_history(history);
  const std::vector<Call> through_file = parse_text(ladder::spec::to_jsonl(history));
  REQUIRE(direct.size() == 4);  // the failed add is dropped
  REQUIRE(through_file.size() == direct.size());
  for (std::size_t i = 0; i < direct.size(); ++i) {
    INFO("call " << i);
    CHECK(direct[i].describe() == through_file[i].describe());
    CHECK(direct[i].index == i);
  }
  CHECK(direct[0].describe() == "c0 add(+5) [0, 6]");
  CHECK(direct[1].describe() == "c1 read() -> 5 [1, 4]");
  CHECK(direct[2].describe() == "c0 add(+3) [9, ?]");
  CHECK(direct[3].describe() == "c1 read() -> ? [13, ?]");
}
