// The message encoding: what the encoders write, and that the decoders' fast path for that exact
// layout never decides differently from the general JSON decoder.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include <catch2/catch.hpp>

#include "level1_rpc/message.hpp"
#include "network/rng.hpp"

namespace {

using ladder::level1::DecodeError;
using ladder::level1::Reply;
using ladder::level1::Request;

// The same message, re-spelled so that the fast path cannot take it: pretty-printed with
// newlines, and keys in the document's (alphabetical) order. nullopt when `body` is not JSON.
std::optional<std::string> respelled(const std::string& body) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return std::nullopt;
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A decoded message or the decoder's error message, for comparing two decodes.
template <typename Message>
using Outcome = std::variant<Message, std::string>;

Outcome<Request> try_request(const std::string& body) {
  try {
    return ladder::level1::decode_request(body);
  } catch (const DecodeError& e) {
    return std::string(e.what());
  }
}

Outcome<Reply> try_reply(const std::string& body) {
  try {
    return ladder::level1::decode_reply(body);
  } catch (const DecodeError& e) {
    return std::string(e.what());
  }
}

bool same(const Outcome<Request>& a, const Outcome<Request>& b) {
  if (a.index() != b.index()) return false;
  if (a.index() == 1) return true;  // both rejected (the messages may name different bytes)
  const Request& x = std::get<0>(a);
  const Request& y = std::get<0>(b);
  return x.id == y.id && x.method == y.method && x.args == y.args;
}

bool same(const Outcome<Reply>& a, const Outcome<Reply>& b) {
  if (a.index() != b.index()) return false;
  if (a.index() == 1) return true;
  const Reply& x = std::get<0>(a);
  const Reply& y = std::get<0>(b);
  return x.id == y.id && x.ok == y.ok && x.result == y.result && x.error == y.error;
}

// `body` with a few bytes replaced by bytes that matter to JSON, or cut short.
std::string mutated(std::string body, ladder::net::Rng& rng) {
  static const std::string kBytes = "{}[]\":,\\ 0123456789-e.abnrtx\x01\x7f\xc3";
  const std::uint64_t flips = 1 + rng.below(3);
  for (std::uint64_t i = 0; i < flips; ++i) {
    body[rng.below(body.size())] = kBytes[rng.below(kBytes.size())];
  }
  if (rng.chance(0.2)) body.resize(rng.below(body.size()));
  return body;
}

}  // namespace

TEST_CASE("the encoders write the documented keys in order, without spaces", "[level1][rpc]") {
  CHECK(ladder::level1::encode(Request{.id = 7, .method = "add", .args = {{"delta", 2}}}) ==
        R"({"id":7,"method":"add","args":{"delta":2}})");
  CHECK(
      ladder::level1::encode(Reply{.id = 7, .ok = true, .result = {{"value", 12}}, .error = ""}) ==
      R"({"id":7,"result":{"value":12}})");
  CHECK(ladder::level1::encode(
            Reply{.id = 7, .ok = false, .result = {}, .error = "no such method: \"ad\""}) ==
        R"({"id":7,"error":"no such method: \"ad\""})");
}

TEST_CASE("a message decodes the same however it is spelled", "[level1][rpc]") {
  const std::string request =
      ladder::level1::encode(Request{.id = 3, .method = "add", .args = {{"delta", -2}}});
  const Outcome<Request> fast = try_request(request);
  REQUIRE(fast.index() == 0);
  CHECK(std::get<0>(fast).id == 3);
  CHECK(std::get<0>(fast).method == "add");
  CHECK(std::get<0>(fast).args == nlohmann::json{{"delta", -2}});
  CHECK(same(fast, try_request(*respelled(request))));

  const std::string reply =
      ladder::level1::encode(Reply{.id = 9, .ok = false, .result = {}, .error = "tab\there"});
  const Outcome<Reply> error = try_reply(reply);
  REQUIRE(error.index() == 0);
  CHECK(std::get<0>(error).error == "tab\there");  // an escape: the general path decodes it
  CHECK(same(error, try_reply(*respelled(reply))));
}

TEST_CASE("bodies that only look like the fast layout are judged by the general decoder",
          "[level1][rpc]") {
  const auto rejected = [](const std::string& body) {
    return std::holds_alternative<std::string>(try_request(body));
  };
  CHECK(rejected(R"({"id":0,"method":"add","args":{}})"));   // id 0
  CHECK(rejected(R"({"id":01,"method":"add","args":{}})"));  // a leading zero: not JSON
  CHECK(rejected(R"({"id":18446744073709551616,"method":"a","args":1})"));  // over 64 bits
  CHECK(rejected(R"({"id":1,"method":"add","args":{},"x":1})"));            // a key after args
  CHECK(rejected(R"({"id":1,"method":"add","args":{}}})"));                 // a brace too many
  CHECK(rejected(R"({"id":1,"method":"add","args":})"));                    // no value
  CHECK(std::get<std::string>(try_request(R"({"id":1,"method":"add","args":{},"x":1})")) ==
        "request body: unknown field \"x\"");
  const Outcome<Reply> late = try_reply(R"({"id":2,"result":1,"error":"x"})");
  REQUIRE(std::holds_alternative<std::string>(late));
  CHECK(std::get<std::string>(late) ==
        "reply body: expected exactly one of \"result\" and \"error\"");
}

TEST_CASE("the fast path and the general decoder agree on 20,000 mutated messages",
          "[level1][rpc]") {
  ladder::net::Rng rng(20261126);
  const std::string request = ladder::level1::encode(
      Request{.id = 12, .method = "apply", .args = {{"client", 1}, {"seq", 4}, {"delta", 7}}});
  const std::string reply =
      ladder::level1::encode(Reply{.id = 12, .ok = true, .result = {{"value", 40}}, .error = ""});
  const std::string error =
      ladder::level1::encode(Reply{.id = 12, .ok = false, .result = {}, .error = "on fire"});
  int compared = 0;
  for (int i = 0; i < 10'000; ++i) {
    const std::string r = mutated(request, rng);
    const std::optional<std::string> r2 = respelled(r);
    if (!r2) {
      CHECK(std::holds_alternative<std::string>(try_request(r)));  // not JSON: rejected
    } else {
      CHECK(same(try_request(r), try_request(*r2)));
      ++compared;
    }
    const std::string p = mutated(rng.chance(0.5) ? reply : error, rng);
    const std::optional<std::string> p2 = respelled(p);
    if (!p2) {
      CHECK(std::holds_alternative<std::string>(try_reply(p)));
    } else {
      CHECK(same(try_reply(p), try_reply(*p2)));
      ++compared;
    }
  }
  CHECK(compared > 1000);  // the mutations leave enough valid JSON to compare
}

// The fast path builds flat objects of integers (add's and apply's arguments, add's result) key by
// key instead of parsing them: they must come out as the parser makes them, down to the number
// types that update_from_json checks (a non-negative integer is unsigned, a negative one is not).
TEST_CASE("flat integer objects decode exactly as the JSON parser makes them", "[level1][rpc]") {
  const auto args_of = [](const std::string& args) {
    const std::string body = R"({"id":5,"method":"apply","args":)" + args + "}";
    const Outcome<Request> fast = try_request(body);
    const Outcome<Request> general = try_request(*respelled(body));
    REQUIRE(fast.index() == 0);
    REQUIRE(general.index() == 0);
    return std::pair{std::get<0>(fast).args, std::get<0>(general).args};
  };
  const auto [fast, general] = args_of(R"({"client":0,"seq":18446744073709551615,"delta":-2})");
  CHECK(fast == general);
  CHECK(fast.at("client").is_number_unsigned());
  CHECK(fast.at("seq").get<std::uint64_t>() == 18446744073709551615U);
  CHECK(fast.at("delta").is_number_integer());
  CHECK_FALSE(fast.at("delta").is_number_unsigned());
  CHECK(fast.at("delta").get<std::int64_t>() == -2);
  CHECK(args_of("{}").first == nlohmann::json::object());
  // Spellings the fast path leaves to the parser, which decides as it always did.
  CHECK(args_of(R"({"a":1,"a":2})").first == nlohmann::json{{"a", 2}});  // the last one wins
  CHECK(args_of(R"({"a":18446744073709551616})").first.at("a").is_number_float());
  CHECK(args_of(R"({"a":-9223372036854775809})").first.at("a").is_number_float());
  CHECK(args_of(R"({"a":1.5,"b":2})").first.at("a") == 1.5);
  CHECK(args_of(R"({"a":{"b":1}})").first.at("a").at("b") == 1);
  CHECK(args_of(R"({"a":-0})").first.at("a") == 0);
  CHECK(std::holds_alternative<std::string>(
      try_request(R"({"id":5,"method":"apply","args":{"a":01}})")));  // a leading zero
  CHECK(std::holds_alternative<std::string>(
      try_request(R"({"id":5,"method":"apply","args":{"a":-}})")));  // a sign alone
  CHECK(std::holds_alternative<std::string>(
      try_request(R"({"id":5,"method":"apply","args":{"a":1,}})")));  // a comma too many
  const Outcome<Reply> reply = try_reply(R"({"id":5,"result":{"value":-7}})");
  REQUIRE(reply.index() == 0);
  CHECK(std::get<0>(reply).result.at("value").get<std::int64_t>() == -7);
}

TEST_CASE("a request encodes the same from serialised arguments", "[level1][rpc]") {
  const nlohmann::json args{{"client", 1}, {"seq", 2}, {"delta", -3}};
  CHECK(ladder::level1::encode_request_json(4, "apply", args.dump()) ==
        ladder::level1::encode_request(4, "apply", args));
  CHECK(ladder::level1::encode_request(4, "apply", args) ==
        R"({"id":4,"method":"apply","args":{"client":1,"delta":-3,"seq":2}})");
  // A method name that needs escapes is written as JSON writes it, and decodes back.
  const std::string odd = "quote\" back\\ tab\t";
  const std::string body = ladder::level1::encode_request_json(4, odd, "{}");
  CHECK(body == R"({"id":4,"method":"quote\" back\\ tab\t","args":{}})");
  const Outcome<Request> decoded = try_request(body);
  REQUIRE(decoded.index() == 0);
  CHECK(std::get<0>(decoded).method == odd);
}
