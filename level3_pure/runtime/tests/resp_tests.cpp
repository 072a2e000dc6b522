// The RESP2 parser, encoder and command table of level 3's front door
// (level3_pure/runtime/resp.hpp): every command form, every split, pipelining, the limits, a
// garbage barrage, exact reply bytes.

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "level3_pure/runtime/resp.hpp"

using namespace ladder::level3;

namespace {

using Args = std::vector<std::string>;

// Everything `parser` yields now: the commands' arguments, and the error message if one came.
struct Drained {
  std::vector<Args> commands;
  std::string error;  // empty: none
};

void drain(RespParser& parser, Drained& out) {
  while (auto item = parser.next()) {
    REQUIRE(out.error.empty());  // nothing after an error
    if (auto* command = std::get_if<RespCommand>(&*item)) {
      out.commands.push_back(command->args);
    } else {
      out.error = std::get<RespProtocolError>(*item).message;
    }
  }
}

Drained parse_all(std::string_view input, RespLimits limits = {}) {
  RespParser parser(limits);
  parser.feed(input);
  Drained out;
  drain(parser, out);
  return out;
}

// `input` fed in pieces of `piece` bytes, draining after each.
Drained parse_in_pieces(std::string_view input, std::size_t piece, RespLimits limits = {}) {
  RespParser parser(limits);
  Drained out;
  for (std::size_t pos = 0; pos < input.size(); pos += piece) {
    parser.feed(input.substr(pos, piece));
    drain(parser, out);
  }
  return out;
}

std::string array_of(const Args& args) {
  return resp_bulk_array(args);
}

RespLocalReply local_of(const RespDecision& decision) {
  REQUIRE(std::holds_alternative<RespLocalReply>(decision));
  return std::get<RespLocalReply>(decision);
}

RespCounterRequest counter_of(const RespDecision& decision) {
  REQUIRE(std::holds_alternative<RespCounterRequest>(decision));
  return std::get<RespCounterRequest>(decision);
}

std::string reply_to(const Args& args) {
  return local_of(interpret(RespCommand{args})).reply;
}

}  // namespace

TEST_CASE("parser: an array of bulk strings, as client libraries send", "[resp][parser]") {
  const auto out = parse_all("*2\r\n$4\r\nINCR\r\n$1\r\nx\r\n");
  CHECK(out.error.empty());
  REQUIRE(out.commands == std::vector<Args>{{"INCR", "x"}});
}

TEST_CASE("parser: bulk strings hold any bytes, CR LF and NUL included", "[resp][parser]") {
  const char bytes[] = "*2\r\n$4\r\nECHO\r\n$5\r\na\r\n\0b\r\n";
  const std::string input(bytes, sizeof bytes - 1);
  const auto out = parse_all(input);
  REQUIRE(out.commands.size() == 1);
  CHECK(out.commands[0][1] == std::string("a\r\n\0b", 5));
  CHECK(parse_all("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n").commands == std::vector<Args>{{"ECHO", ""}});
}

TEST_CASE("parser: inline commands, ended by CRLF or LF alone", "[resp][parser]") {
  CHECK(parse_all("INCR x\r\n").commands == std::vector<Args>{{"INCR", "x"}});
  CHECK(parse_all("incrby  x\t 5\n").commands == std::vector<Args>{{"incrby", "x", "5"}});
  CHECK(parse_all("PING\r\nPING\n").commands == std::vector<Args>{{"PING"}, {"PING"}});
}

TEST_CASE("parser: inline quoting as redis-cli and Redis read it", "[resp][parser]") {
  const auto out = parse_all(R"(ECHO "a b" 'c\'d' "\x41\n\"" x"y z"w)"
                             "\r\n");
  // x"y z"w is not valid (a closing quote must be followed by a space); test it separately.
  CHECK(out.error.find("unbalanced quotes") != std::string::npos);
  const auto good = parse_all(R"(ECHO "a b" 'c\'d' "\x41\n\"" "")"
                              "\r\n");
  REQUIRE(good.error.empty());
  CHECK(good.commands == std::vector<Args>{{"ECHO", "a b", "c'd", "A\n\"", ""}});
  CHECK(parse_all("ECHO \"open\r\n").error ==
        "ERR Protocol error: unbalanced quotes in request at byte 0");
}

TEST_CASE("parser: empty lines and empty arrays are skipped, as Redis does", "[resp][parser]") {
  const auto out = parse_all("\r\n   \n*0\r\n*-1\r\nPING\r\n");
  CHECK(out.error.empty());
  CHECK(out.commands == std::vector<Args>{{"PING"}});
}

TEST_CASE("parser: many pipelined commands in one read", "[resp][parser]") {
  std::string input;
  std::vector<Args> expected;
  for (int i = 0; i < 1000; ++i) {
    const Args args = {"INCRBY", "k", std::to_string(i)};
    input += (i % 2 == 0) ? array_of(args) : "INCRBY k " + std::to_string(i) + "\r\n";
    expected.push_back(args);
  }
  RespParser parser;
  parser.feed(input);
  Drained out;
  drain(parser, out);
  CHECK(out.error.empty());
  CHECK(out.commands == expected);
  CHECK(parser.commands() == 1000);
  CHECK(parser.buffered_bytes() == 0);
  CHECK(parser.bytes_fed() == input.size());
}

TEST_CASE("parser: a stream split at every byte offset parses the same", "[resp][parser]") {
  const std::string input = array_of({"INCR", "counter:__rand_int__"}) + "GET x\r\n" +
                            array_of({"ECHO", "a\r\nb"}) + "\n" + "*0\r\n" + "PING 'q w'\n" +
                            array_of({"DECRBY", "k", "-12"});
  const auto whole = parse_all(input);
  REQUIRE(whole.commands.size() == 5);
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    RespParser parser;
    Drained out;
    parser.feed(std::string_view(input).substr(0, cut));
    drain(parser, out);
    parser.feed(std::string_view(input).substr(cut));
    drain(parser, out);
    INFO("cut at byte " << cut);
    CHECK(out.commands == whole.commands);
    CHECK(out.error.empty());
  }
  for (std::size_t piece = 1; piece <= 7; ++piece) {
    INFO("pieces of " << piece);
    CHECK(parse_in_pieces(input, piece).commands == whole.commands);
  }
}

TEST_CASE("parser: malformed headers are protocol errors in Redis's words", "[resp][parser]") {
  CHECK(parse_all("*2\r\nINCR\r\n").error == "ERR Protocol error: expected '$', got 'I' at byte 4");
  CHECK(parse_all("*x\r\n").error == "ERR Protocol error: invalid multibulk length 'x' at byte 0");
  CHECK(parse_all("*2\n").error == "ERR Protocol error: invalid multibulk length '2' at byte 0");
  CHECK(parse_all("*1\r\n$-3\r\n").error ==
        "ERR Protocol error: invalid bulk length '-3' at byte 4");
  CHECK(parse_all("*1\r\n$+3\r\n").error ==
        "ERR Protocol error: invalid bulk length '+3' at byte 4");
  CHECK(parse_all("*1\r\n$3\r\nabcX\n").error ==
        "ERR Protocol error: expected CRLF after a bulk string of 3 bytes at byte 11");
  CHECK(parse_all("PING\r\n*1\r\n$\x01\r\n").error ==
        "ERR Protocol error: invalid bulk length '\\x01' at byte 10");
  CHECK(parse_all("*1\r\n\x80").error == "ERR Protocol error: expected '$', got '\\x80' at byte 4");
}

TEST_CASE("parser: nothing after an error; the buffer is released", "[resp][parser]") {
  RespParser parser;
  parser.feed("PING\r\n*1\r\n$x\r\nPING\r\n");
  Drained out;
  drain(parser, out);
  CHECK(out.commands == std::vector<Args>{{"PING"}});
  CHECK_FALSE(out.error.empty());
  CHECK(parser.failed());
  parser.feed("PING\r\n");
  CHECK_FALSE(parser.next().has_value());
  CHECK(parser.buffered_bytes() == 0);
  CHECK(parser.bytes_fed() == 26);
}

TEST_CASE("parser: limits on bulk, array, line and command sizes", "[resp][parser]") {
  RespLimits limits;
  limits.max_bulk_bytes = 10;
  limits.max_array_length = 3;
  limits.max_line_bytes = 16;
  limits.max_command_bytes = 15;
  CHECK(parse_all("*1\r\n$11\r\n", limits).error ==
        "ERR Protocol error: invalid bulk length '11' at byte 4");
  CHECK(parse_all("*1\r\n$10\r\n0123456789\r\n", limits).commands.size() == 1);
  CHECK(parse_all("*4\r\n", limits).error ==
        "ERR Protocol error: invalid multibulk length '4' at byte 0");
  CHECK(parse_all("*2\r\n$10\r\n0123456789\r\n$6\r\n", limits).error ==
        "ERR Protocol error: command of more than 15 bytes at byte 21");
  CHECK(parse_all("PING 0123456789ab\r\n", limits).error ==
        "ERR Protocol error: too big inline request at byte 0");
  CHECK(parse_all("PING 0123456\r\n", limits).commands.size() == 1);
  // A header that never ends is refused as soon as it is longer than a line may be.
  CHECK(parse_all("*0000000000000000000000", limits).error ==
        "ERR Protocol error: too big mbulk count string at byte 0");
  CHECK(parse_all("*1\r\n$0000000000000000", limits).error ==
        "ERR Protocol error: too big bulk count string at byte 4");
  // A 2^63 length is refused before a byte of it is buffered.
  CHECK(parse_all("*1\r\n$9223372036854775807\r\n").error ==
        "ERR Protocol error: invalid bulk length '9223372036854775807' at byte 4");
}

TEST_CASE("parser: a line without end never holds more than the limit", "[resp][parser]") {
  RespLimits limits;
  limits.max_line_bytes = 1000;
  RespParser parser(limits);
  Drained out;
  std::size_t most = 0;
  for (int i = 0; i < 2000 && out.error.empty(); ++i) {
    parser.feed("xx");
    drain(parser, out);
    most = std::max(most, parser.buffered_bytes());
  }
  CHECK(out.error == "ERR Protocol error: too big inline request at byte 0");
  CHECK(most <= 1002);
}

TEST_CASE("parser: a garbage barrage never crashes and ends in commands or one error",
          "[resp][parser][fuzz]") {
  // Mutations of valid streams and random bytes from RESP's alphabet; each input fed in random
  // pieces. Whatever comes, each yield is a command with a name or the one, last, error.
  const std::string seed = array_of({"INCRBY", "k", "5"}) + "GET x\r\n" + "*0\r\n" +
                           array_of({"PING"}) + "ECHO \"a\\x41\" 'b'\n";
  const std::string alphabet = "*$\r\n-+:0123456789 \"'\\xINCRabc";
  std::mt19937_64 rng(20261126);
  RespLimits limits;
  limits.max_bulk_bytes = 64;
  limits.max_line_bytes = 48;
  limits.max_array_length = 8;
  limits.max_command_bytes = 128;
  std::uint64_t errors = 0;
  std::uint64_t commands = 0;
  for (int round = 0; round < 100'000; ++round) {
    std::string input;
    if (round % 2 == 0) {
      input = seed;
      const int mutations = 1 + static_cast<int>(rng() % 4);
      for (int m = 0; m < mutations; ++m) {
        const std::size_t at = rng() % input.size();
        switch (rng() % 3) {
          case 0:
            input[at] = static_cast<char>(rng() % 256);
            break;
          case 1:
            input.erase(at, 1 + rng() % 3);
            break;
          default:
            input.insert(at, 1, alphabet[rng() % alphabet.size()]);
        }
        if (input.empty()) input = "*";
      }
    } else {
      const std::size_t length = 1 + rng() % 60;
      for (std::size_t i = 0; i < length; ++i)
        input += alphabet[rng() % alphabet.size()];
    }
    RespParser parser(limits);
    Drained out;
    std::size_t pos = 0;
    while (pos < input.size()) {
      const std::size_t piece = 1 + rng() % 16;
      parser.feed(std::string_view(input).substr(pos, piece));
      pos += piece;
      drain(parser, out);
      REQUIRE(parser.buffered_bytes() <= 64 + 2 + 16 + 48);
    }
    for (const auto& args : out.commands) {
      REQUIRE_FALSE(args.empty());
      for (const auto& arg : args)
        REQUIRE(arg.size() <= 128);
    }
    if (!out.error.empty()) {
      REQUIRE(out.error.rfind("ERR Protocol error: ", 0) == 0);
      REQUIRE(parser.failed());
      ++errors;
    }
    commands += out.commands.size();
  }
  // The barrage reached both outcomes many times.
  CHECK(errors > 10'000);
  CHECK(commands > 50'000);
}

TEST_CASE("encoder: exact bytes of every reply type", "[resp][encoder]") {
  CHECK(resp_simple("PONG") == "+PONG\r\n");
  CHECK(resp_simple("a\r\nb") == "+a  b\r\n");
  CHECK(resp_error("ERR nope") == "-ERR nope\r\n");
  CHECK(resp_error("ERR two\nlines") == "-ERR two lines\r\n");
  CHECK(resp_integer(0) == ":0\r\n");
  CHECK(resp_integer(-12) == ":-12\r\n");
  CHECK(resp_integer(std::numeric_limits<std::int64_t>::min()) == ":-9223372036854775808\r\n");
  CHECK(resp_bulk("12") == "$2\r\n12\r\n");
  CHECK(resp_bulk("") == "$0\r\n\r\n");
  CHECK(resp_bulk("a\r\nb") == "$4\r\na\r\nb\r\n");
  CHECK(resp_null_bulk() == "$-1\r\n");
  CHECK(resp_bulk_array({}) == "*0\r\n");
  CHECK(resp_bulk_array({"save", ""}) == "*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
}

TEST_CASE("integers: exactly what Redis's string2ll accepts", "[resp][commands]") {
  CHECK(parse_redis_integer("0") == 0);
  CHECK(parse_redis_integer("-5") == -5);
  CHECK(parse_redis_integer("9223372036854775807") == std::numeric_limits<std::int64_t>::max());
  CHECK(parse_redis_integer("-9223372036854775808") == std::numeric_limits<std::int64_t>::min());
  for (const char* bad : {"", "-", "+5", "05", "-0", " 5", "5 ", "5x", "9223372036854775808",
                          "-9223372036854775809", "1e3", "0x10", "123456789012345678901"}) {
    INFO(bad);
    CHECK_FALSE(parse_redis_integer(bad).has_value());
  }
}

TEST_CASE("commands: the counter's commands map to add and read", "[resp][commands]") {
  auto check = [](const Args& args, CounterCommand::Kind kind, std::int64_t delta,
                  const char* name) {
    const auto request = counter_of(interpret(RespCommand{args}));
    CHECK(request.command.kind == kind);
    CHECK(request.command.delta == delta);
    CHECK(request.name == name);
  };
  using K = CounterCommand::Kind;
  check({"INCR", "x"}, K::add, 1, "INCR");
  check({"incr", "counter:__rand_int__"}, K::add, 1, "INCR");
  check({"DECR", "x"}, K::add, -1, "DECR");
  check({"IncrBy", "x", "5"}, K::add, 5, "INCRBY");
  check({"INCRBY", "x", "-7"}, K::add, -7, "INCRBY");
  check({"DECRBY", "x", "5"}, K::add, -5, "DECRBY");
  check({"DECRBY", "x", "9223372036854775807"}, K::add, -9223372036854775807, "DECRBY");
  check({"GET", "any"}, K::read, 0, "GET");
}

TEST_CASE("commands: argument errors in Redis's words", "[resp][commands]") {
  CHECK(reply_to({"INCRBY", "x"}) == "-ERR wrong number of arguments for 'incrby' command\r\n");
  CHECK(reply_to({"incr"}) == "-ERR wrong number of arguments for 'incr' command\r\n");
  CHECK(reply_to({"GET", "a", "b"}) == "-ERR wrong number of arguments for 'get' command\r\n");
  CHECK(reply_to({"PING", "a", "b"}) == "-ERR wrong number of arguments for 'ping' command\r\n");
  CHECK(reply_to({"INCRBY", "x", "five"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(reply_to({"DECRBY", "x", "99999999999999999999"}) ==
        "-ERR value is not an integer or out of range\r\n");
  CHECK(reply_to({"DECRBY", "x", "-9223372036854775808"}) == "-ERR decrement would overflow\r\n");
  CHECK(reply_to({"CONFIG"}) == "-ERR wrong number of arguments for 'config' command\r\n");
}

TEST_CASE("commands: anything else is a clear unknown command", "[resp][commands]") {
  CHECK(reply_to({"SET", "a", "b"}) ==
        "-ERR unknown command 'SET': this server is a replicated counter; it knows INCR, "
        "INCRBY, DECR, DECRBY, GET, PING\r\n");
  CHECK(reply_to({"x\r\ny'z"}) ==
        "-ERR unknown command 'x??y?z': this server is a replicated counter; it knows INCR, "
        "INCRBY, DECR, DECRBY, GET, PING\r\n");
}

TEST_CASE("commands: what the door answers itself", "[resp][commands]") {
  CHECK(reply_to({"PING"}) == "+PONG\r\n");
  CHECK(reply_to({"ping", "hello"}) == "$5\r\nhello\r\n");
  CHECK(reply_to({"ECHO", "hi"}) == "$2\r\nhi\r\n");
  CHECK(reply_to({"COMMAND", "DOCS"}) == "*0\r\n");
  CHECK(reply_to({"COMMAND"}) == "*0\r\n");
  CHECK(reply_to({"CONFIG", "GET", "save"}) == "*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
  CHECK(reply_to({"config", "get", "appendonly"}) == "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n");
  CHECK(reply_to({"CONFIG", "GET", "maxmemory"}) == "*0\r\n");
  CHECK(reply_to({"CONFIG", "SET", "save", ""}).rfind("-ERR unknown subcommand 'SET'", 0) == 0);
  const auto quit = local_of(interpret(RespCommand{{"QUIT"}}));
  CHECK(quit.reply == "+OK\r\n");
  CHECK(quit.close);
  CHECK_FALSE(local_of(interpret(RespCommand{{"PING"}})).close);
  CHECK(std::holds_alternative<RespInfoRequest>(interpret(RespCommand{{"INFO"}})));
  CHECK(std::holds_alternative<RespInfoRequest>(interpret(RespCommand{{"info", "all"}})));
}

TEST_CASE("INFO: its text goes out as a bulk string, and parse_info reads its fields back",
          "[resp][commands]") {
  const std::string text =
      "# ladder\r\nreplica:1\r\nrole:backup\r\n\r\nnot a field\r\nlog:/tmp/a:b\r\nvalue:-3";
  CHECK(encode_info(text) == fmt::format("${}\r\n{}\r\n", text.size(), text));
  const std::map<std::string, std::string> expected{
      {"replica", "1"}, {"role", "backup"}, {"log", "/tmp/a:b"}, {"value", "-3"}};
  CHECK(parse_info(text) == expected);
  CHECK(parse_info("a:1\nb:\n") == std::map<std::string, std::string>{{"a", "1"}, {"b", ""}});
  CHECK(parse_info("").empty());
}

TEST_CASE("outcomes: replies to counter commands, exact bytes", "[resp][commands]") {
  const RespCounterRequest incr{{CounterCommand::Kind::add, 1}, "INCR"};
  const RespCounterRequest get{{CounterCommand::Kind::read, 0}, "GET"};
  CHECK(encode_outcome(incr, CommandOutcome::ok(12)) == ":12\r\n");
  CHECK(encode_outcome(get, CommandOutcome::ok(12)) == "$2\r\n12\r\n");
  CHECK(encode_outcome(get, CommandOutcome::ok(-3)) == "$2\r\n-3\r\n");
  CHECK(encode_outcome(incr, CommandOutcome::unknown("the cluster did not answer in 2000 ms")) ==
        "-TIMEOUT the cluster did not answer in 2000 ms; the INCR may or may not have "
        "happened\r\n");
  CHECK(encode_outcome(get, CommandOutcome::unknown("")) ==
        "-TIMEOUT the cluster did not answer; no value was read\r\n");
  CHECK(encode_outcome(incr, CommandOutcome::error("no primary")) == "-ERR no primary\r\n");
  CHECK(encode_outcome(incr, CommandOutcome::error("CLUSTERDOWN no majority")) ==
        "-CLUSTERDOWN no majority\r\n");
  CHECK(encode_outcome(incr, CommandOutcome::error("ERR increment or decrement would overflow")) ==
        "-ERR increment or decrement would overflow\r\n");
  CHECK(encode_info("# ladder\r\nrole:backup\r\n") == "$23\r\n# ladder\r\nrole:backup\r\n\r\n");
}
