#pragma once
/// \file
/// The messages of level 1's RPC and their encoding: a JSON body inside each network frame.
///
/// Every frame on a level 1 connection carries exactly one message, as compact UTF-8 JSON:
///
///     request:        {"id": 7, "method": "add", "args": {"client": 0, "seq": 3, "delta": 2}}
///     success reply:  {"id": 7, "result": {"value": 12}}
///     error reply:    {"id": 7, "error": "no such method: \"ad\""}
///
/// `id` is the call id: the client numbers its calls from 1 on each stub, and a reply carries the
/// id of the request it answers, so that a late reply to an abandoned call is never mistaken for
/// the reply to the current one. `args` and `result` are any JSON value the method defines. A
/// reply has exactly one of `result` and `error`. Unknown fields are rejected: a message either
/// means exactly one thing or it is malformed.
///
/// The encoders write exactly the layout above without the spaces, keys in that order
/// (`{"id":7,"result":{"value":12}}`); the decoders accept any JSON spelling of a message, and read
/// that exact layout on a fast path that parses only `args` or `result` as JSON, and builds them
/// without the parser when they are flat objects of integers (`{"client":0,"seq":3,"delta":2}`).
///
/// JSON was chosen over a binary layout because the reader can read it in a packet capture and in
/// the demo's log; the frame around it (network/frame.hpp) already gives the length, a version
/// byte and a size limit.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ladder::level1 {

/// One call: which method, with what arguments, under which call id.
struct Request {
  std::uint64_t id = 0;  ///< the call id, unique per client stub, from 1
  std::string method;    ///< the method's registered name
  nlohmann::json args;   ///< the method's arguments
};

/// The answer to one call: a result, or the server's error message.
struct Reply {
  std::uint64_t id = 0;   ///< the id of the request this answers
  bool ok = true;         ///< true: `result` holds the result; false: `error` says what went wrong
  nlohmann::json result;  ///< the method's result (when ok)
  std::string error;      ///< the server's message (when not ok)
};

/// A message body that does not decode. what() names the field and what was expected.
class DecodeError : public std::runtime_error {
 public:
  /// `what` names the field and what was expected.
  explicit DecodeError(const std::string& what) : std::runtime_error(what) {}
};

/// The frame body of a request.
std::string encode(const Request& request);
/// The frame body of the request for call `id` of `method` with `args`: the same as encode(Request)
/// without copying the arguments into a Request first.
std::string encode_request(std::uint64_t id, std::string_view method, const nlohmann::json& args);
/// The same with the arguments already serialised (`args.dump()`), so that a caller sending one
/// call to several servers serialises them once. Precondition: `args_json` is one compact JSON
/// value.
std::string encode_request_json(std::uint64_t id, std::string_view method,
                                std::string_view args_json);
/// The frame body of a reply.
std::string encode(const Reply& reply);
/// The request in a frame body. Throws DecodeError.
Request decode_request(std::string_view body);
/// The reply in a frame body. Throws DecodeError.
Reply decode_reply(std::string_view body);

}  // namespace ladder::level1
