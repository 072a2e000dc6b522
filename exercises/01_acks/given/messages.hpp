#pragma once
/// \file
/// Exercise 01's wire format: level 0's three messages plus the acknowledgement, each store
/// carrying the version it writes.
///
/// | message            | from -> to         | meaning                                        |
/// |--------------------|--------------------|------------------------------------------------|
/// | `get`              | client -> replica  | tell me your version and value                 |
/// | `value 4 17`       | replica -> client  | I hold version 4, whose value is 17            |
/// | `store 5 20`       | client -> replica  | version 5 of the counter is 20                 |
/// | `stored 5`         | replica -> client  | I hold version 5 or newer                      |
///
/// The version is what makes a retransmitted or duplicated store harmless: a replica keeps the
/// newest version it has seen, so a late copy of an older store cannot overwrite a newer one,
/// and a client can tell a fresh reply from a late copy of an old one.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ladder::ex01 {

/// A version of the counter: 0 before the first store, then one more with every write.
using Version = std::uint64_t;

/// The four kinds of message.
enum class MessageKind {
  get,     ///< client -> replica: "tell me your version and value"
  value,   ///< replica -> client: the reply to get
  store,   ///< client -> replica: "version n of the counter is v"
  stored,  ///< replica -> client: "I hold version n (or a newer one)"
};

/// One decoded message. Fields a kind does not use are 0.
struct Message {
  MessageKind kind = MessageKind::get;  ///< what the message asks or says
  Version version = 0;                  ///< value, store, stored: the version
  std::int64_t value = 0;               ///< value, store: the counter's value

  /// Messages are equal when every field is.
  friend bool operator==(const Message&, const Message&) = default;
};

/// "get", "value 4 17", "store 5 20" or "stored 5".
[[nodiscard]] std::string encode(const Message& message);

/// The message `text` encodes, or nullopt when it is malformed. Strict: only what encode()
/// produces is accepted (no extra spaces, no "+", no leading zeros, nothing out of range).
[[nodiscard]] std::optional<Message> decode(std::string_view text);

}  // namespace ladder::ex01
