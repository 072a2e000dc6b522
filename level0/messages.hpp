#pragma once
/// \file
/// Level 0's wire format: three short text messages, "get", "value 17" and "store 20".
///
/// There is no request id, no sender sequence number and no acknowledgement: a client asks a
/// replica for its value and then tells every replica what to store. That is all level 0 believes
/// a replicated counter needs, and the scenarios show why it is not enough.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ladder::level0 {

/// The three kinds of level 0 message.
enum class MessageKind {
  get,    ///< client -> replica: "tell me your value"
  value,  ///< replica -> client: "my value is v" (the reply to get)
  store,  ///< client -> replica: "set your value to v" (no reply)
};

/// One decoded message.
struct Message {
  MessageKind kind = MessageKind::get;  ///< what the message asks or says
  std::int64_t value = 0;               ///< value, store: the number; get: always 0

  /// Messages are equal when kind and value are.
  friend bool operator==(const Message&, const Message&) = default;
};

/// "get", "value 17" or "store -3": the one text a message has on the wire.
[[nodiscard]] std::string encode(const Message& message);

/// The message `text` encodes, or nullopt when it is malformed.
///
/// Parsing is strict: the text must be exactly what encode() would produce for some message, so
/// "get ", "value", "value +3", "value 007", "store 1 2" and numbers outside 64 bits are all
/// rejected. A node counts and ignores what this rejects; it never crashes on it.
[[nodiscard]] std::optional<Message> decode(std::string_view text);

}  // namespace ladder::level0
