#include "level1_rpc/message.hpp"

#include <cassert>
#include <initializer_list>

#include <fmt/format.h>

namespace ladder::level1 {
namespace {

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

}  // namespace

std::string encode(const Request& request) {
  assert(request.id != 0 && "call ids start at 1");
  return nlohmann::json{{"id", request.id}, {"method", request.method}, {"args", request.args}}
      .dump();
}

std::string encode(const Reply& reply) {
  assert(reply.id != 0 && "call ids start at 1");
  nlohmann::json doc{{"id", reply.id}};
  if (reply.ok) {
    doc["result"] = reply.result;
  } else {
    doc["error"] = reply.error;
  }
  // dump's `replace` handler: an error message quoting the client's bad bytes must still encode.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Request decode_request(std::string_view body) {
  const nlohmann::json doc = parse_object(body, "request");
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
  request.args = *args;
  return request;
}

Reply decode_reply(std::string_view body) {
  const nlohmann::json doc = parse_object(body, "reply");
  reject_unknown_fields(doc, {"id", "result", "error"}, "reply");
  Reply reply;
  reply.id = read_id(doc, "reply");
  const auto result = doc.find("result");
  const auto error = doc.find("error");
  if ((result == doc.end()) == (error == doc.end())) {
    throw DecodeError("reply body: expected exactly one of \"result\" and \"error\"");
  }
  if (result != doc.end()) {
    reply.result = *result;
    return reply;
  }
  if (!error->is_string()) throw DecodeError("reply body: field \"error\" must be a string");
  reply.ok = false;
  reply.error = error->get<std::string>();
  return reply;
}

}  // namespace ladder::level1
