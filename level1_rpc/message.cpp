#include "level1_rpc/message.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <system_error>

#include <fmt/format.h>

namespace ladder::level1 {
namespace {

// ---- The general decoder: any JSON spelling of a message, with an error naming the field. ----

nlohmann::json parse_object(std::string_view body, const char* what) {
  // allow_exceptions = false: a parse error yields a "discarded" value instead of throwing, so
  // that every malformed body ends in one DecodeError with one kind of message.
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw DecodeError(fmt::format("{} body: not valid JSON", what));
  if (!doc.is_object()) throw DecodeError(fmt::format("{} body: expected a JSON object", what));
  return doc;
}

std::uint64_t read_id(const nlohmann::json& doc, const char* what) {
  const auto it = doc.find("id");
  if (it == doc.end()) throw DecodeError(fmt::format("{} body: missing field \"id\"", what));
  if (!it->is_number_unsigned() || it->get<std::uint64_t>() == 0) {
    throw DecodeError(fmt::format("{} body: field \"id\" must be an integer >= 1", what));
  }
  return it->get<std::uint64_t>();
}

void reject_unknown_fields(const nlohmann::json& doc, std::initializer_list<std::string_view> known,
                           const char* what) {
  for (const auto& [key, value] : doc.items()) {
    bool found = false;
    for (const auto name : known)
      found = found || key == name;
    if (!found) throw DecodeError(fmt::format("{} body: unknown field \"{}\"", what, key));
  }
}

Request decode_request_document(std::string_view body) {
  nlohmann::json doc = parse_object(body, "request");
  reject_unknown_fields(doc, {"id", "method", "args"}, "request");
  Request request;
  request.id = read_id(doc, "request");
  const auto method = doc.find("method");
  if (method == doc.end() || !method->is_string()) {
    throw DecodeError("request body: field \"method\" must be a string");
  }
  request.method = method->get<std::string>();
  const auto args = doc.find("args");
  if (args == doc.end()) throw DecodeError("request body: missing field \"args\"");
  request.args = std::move(*args);
  return request;
}

Reply decode_reply_document(std::string_view body) {
  nlohmann::json doc = parse_object(body, "reply");
  reject_unknown_fields(doc, {"id", "result", "error"}, "reply");
  Reply reply;
  reply.id = read_id(doc, "reply");
  const auto result = doc.find("result");
  const auto error = doc.find("error");
  if ((result == doc.end()) == (error == doc.end())) {
    throw DecodeError("reply body: expected exactly one of \"result\" and \"error\"");
  }
  if (result != doc.end()) {
    reply.result = std::move(*result);
    return reply;
  }
  if (!error->is_string()) throw DecodeError("reply body: field \"error\" must be a string");
  reply.ok = false;
  reply.error = error->get<std::string>();
  return reply;
}

// ---- The fast path: the exact layout the encoders below write. ----
//
// The general decoder builds a document of the whole body and then copies pieces out of it;
// on loopback that was a fifth of a round trip's CPU. A body written by encode() has one fixed
// layout, {"id":7,"method":"add","args":...} or {"id":7,"result":...}, which a cursor reads with
// one comparison per key, leaving only the arguments (or result) to the JSON parser. The fast
// path takes a body only when the general decoder would return the same message; for anything
// else (spaces, another key order, escapes, an error of any kind) it steps aside, and the general
// decoder decides, with its messages. So it changes no outcome, only the cost.

// Reads a body in the canonical layout, left to right; every method returns false or nullopt at
// the first byte that does not fit the layout, and the caller falls back.
class Cursor {
 public:
  explicit Cursor(std::string_view body) : body_(body) {}

  bool literal(std::string_view text) {
    if (body_.substr(pos_, text.size()) != text) return false;
    pos_ += text.size();
    return true;
  }

  // A call id as JSON writes it: digits, no sign, no leading zero, not 0, fits 64 bits.
  std::optional<std::uint64_t> id() {
    if (pos_ >= body_.size() || body_[pos_] < '1' || body_[pos_] > '9') return std::nullopt;
    std::uint64_t value = 0;
    const char* end = body_.data() + body_.size();
    const auto [next, error] = std::from_chars(body_.data() + pos_, end, value);
    if (error != std::errc()) return std::nullopt;
    pos_ = static_cast<std::size_t>(next - body_.data());
    return value;
  }

  // A string of printable ASCII without escapes: the text between the quotes.
  std::optional<std::string_view> plain_string() {
    if (!literal("\"")) return std::nullopt;
    const std::size_t start = pos_;
    for (; pos_ < body_.size(); ++pos_) {
      const char c = body_[pos_];
      if (c == '"') return body_.substr(start, pos_++ - start);
      if (c < 0x20 || c > 0x7e || c == '\\') return std::nullopt;
    }
    return std::nullopt;
  }

  // A JSON integer: an optional minus, then digits without a leading zero; it must fit 64 bits.
  // Non-negative integers become unsigned and negative ones signed, as the JSON parser makes them.
  std::optional<nlohmann::json> integer() {
    const bool negative = pos_ < body_.size() && body_[pos_] == '-';
    const std::size_t digits = pos_ + (negative ? 1 : 0);
    if (digits >= body_.size() || body_[digits] < '0' || body_[digits] > '9') return std::nullopt;
    const bool leading_zero = body_[digits] == '0' && digits + 1 < body_.size() &&
                              body_[digits + 1] >= '0' && body_[digits + 1] <= '9';
    if (leading_zero || (negative && body_[digits] == '0')) return std::nullopt;
    const char* begin = body_.data() + pos_;
    const char* end = body_.data() + body_.size();
    std::from_chars_result parsed{};
    nlohmann::json value;
    if (negative) {
      std::int64_t number = 0;
      parsed = std::from_chars(begin, end, number);
      value = number;
    } else {
      std::uint64_t number = 0;
      parsed = std::from_chars(begin, end, number);
      value = number;
    }
    if (parsed.ec != std::errc()) return std::nullopt;  // over 64 bits: the parser makes a float
    pos_ = static_cast<std::size_t>(parsed.ptr - body_.data());
    return value;
  }

  // The last value when it is a flat object of integers under plain keys, such as
  // {"client":0,"seq":3,"delta":2} or {"value":12}: what add, apply and read exchange. Built key by
  // key, without the JSON parser, which costs three times as much for these few bytes.
  // nullopt for anything else (a fraction, a nested value, a space, a key twice, which the parser
  // resolves by keeping the last), and the caller parses it.
  std::optional<nlohmann::json> last_flat_object() {
    Cursor object_cursor = *this;  // moves on; this cursor moves only on success
    if (!object_cursor.literal("{")) return std::nullopt;
    nlohmann::json object(nlohmann::json::value_t::object);
    if (!object_cursor.literal("}")) {
      do {
        const std::optional<std::string_view> key = object_cursor.plain_string();
        if (!key || !object_cursor.literal(":")) return std::nullopt;
        std::optional<nlohmann::json> value = object_cursor.integer();
        if (!value || !object.emplace(std::string(*key), std::move(*value)).second) {
          return std::nullopt;
        }
      } while (object_cursor.literal(","));
      if (!object_cursor.literal("}")) return std::nullopt;
    }
    // The message's own closing brace, and nothing after it.
    if (!object_cursor.literal("}") || !object_cursor.at_end()) return std::nullopt;
    pos_ = body_.size();
    return object;
  }

  // The last value of the object: everything up to the closing brace, parsed. nullopt when it is
  // not exactly one JSON value (which also rules out more keys after it).
  std::optional<nlohmann::json> last_value() {
    if (std::optional<nlohmann::json> flat = last_flat_object()) return flat;
    if (body_.size() < pos_ + 2 || body_.back() != '}') return std::nullopt;
    nlohmann::json value = nlohmann::json::parse(body_.substr(pos_, body_.size() - 1 - pos_),
                                                 nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return std::nullopt;
    pos_ = body_.size();
    return value;
  }

  // At the end of the body, as a completed object must be.
  [[nodiscard]] bool at_end() const { return pos_ == body_.size(); }

 private:
  std::string_view body_;
  std::size_t pos_ = 0;
};

std::optional<Request> decode_request_fast(std::string_view body) {
  Cursor cursor(body);
  if (!cursor.literal(R"({"id":)")) return std::nullopt;
  const std::optional<std::uint64_t> id = cursor.id();
  if (!id || !cursor.literal(R"(,"method":)")) return std::nullopt;
  const std::optional<std::string_view> method = cursor.plain_string();
  if (!method || !cursor.literal(R"(,"args":)")) return std::nullopt;
  std::optional<nlohmann::json> args = cursor.last_value();
  if (!args) return std::nullopt;
  return Request{.id = *id, .method = std::string(*method), .args = std::move(*args)};
}

std::optional<Reply> decode_reply_fast(std::string_view body) {
  Cursor cursor(body);
  if (!cursor.literal(R"({"id":)")) return std::nullopt;
  const std::optional<std::uint64_t> id = cursor.id();
  if (!id) return std::nullopt;
  Reply reply{.id = *id, .ok = true, .result = {}, .error = {}};
  if (cursor.literal(R"(,"result":)")) {
    std::optional<nlohmann::json> result = cursor.last_value();
    if (!result) return std::nullopt;
    reply.result = std::move(*result);
    return reply;
  }
  if (!cursor.literal(R"(,"error":)")) return std::nullopt;
  const std::optional<std::string_view> error = cursor.plain_string();
  if (!error || !cursor.literal("}") || !cursor.at_end()) return std::nullopt;
  reply.ok = false;
  reply.error = std::string(*error);
  return reply;
}

// `{"id":7,"` : the start every message shares.
void start_message(std::string& body, std::uint64_t id) {
  assert(id != 0 && "call ids start at 1");
  body += R"({"id":)";
  body += std::to_string(id);
}

}  // namespace

std::string encode(const Request& request) {
  return encode_request(request.id, request.method, request.args);
}

std::string encode_request(std::uint64_t id, std::string_view method, const nlohmann::json& args) {
  return encode_request_json(id, method, args.dump());
}

std::string encode_request_json(std::uint64_t id, std::string_view method,
                                std::string_view args_json) {
  std::string body;
  body.reserve(32 + method.size() + args_json.size());
  start_message(body, id);
  body += R"(,"method":)";
  const bool plain = std::all_of(method.begin(), method.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (plain) {  // what dump() would write, without building a JSON string first
    body += '"';
    body += method;
    body += '"';
  } else {
    body += nlohmann::json(method).dump();
  }
  body += R"(,"args":)";
  body += args_json;
  body += '}';
  return body;
}

std::string encode(const Reply& reply) {
  std::string body;
  body.reserve(64);
  start_message(body, reply.id);
  // dump's `replace` handler: an error message quoting the client's bad bytes (or a result
  // holding them) must still encode.
  constexpr auto replace = nlohmann::json::error_handler_t::replace;
  if (reply.ok) {
    body += R"(,"result":)";
    body += reply.result.dump(-1, ' ', false, replace);
  } else {
    body += R"(,"error":)";
    body += nlohmann::json(reply.error).dump(-1, ' ', false, replace);
  }
  body += '}';
  return body;
}

Request decode_request(std::string_view body) {
  if (std::optional<Request> request = decode_request_fast(body)) return std::move(*request);
  return decode_request_document(body);
}

Reply decode_reply(std::string_view body) {
  if (std::optional<Reply> reply = decode_reply_fast(body)) return std::move(*reply);
  return decode_reply_document(body);
}

}  // namespace ladder::level1
