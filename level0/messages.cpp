#include "level0/messages.hpp"

#include <cassert>
#include <charconv>
#include <system_error>

#include <fmt/format.h>

namespace ladder::level0 {

namespace {

constexpr std::string_view kGet = "get";
constexpr std::string_view kValuePrefix = "value ";
constexpr std::string_view kStorePrefix = "store ";

// The number after a prefix, or nullopt unless the whole rest is one decimal integer that fits.
std::optional<std::int64_t> parse_number(std::string_view digits) {
  std::int64_t number = 0;
  const char* const first = digits.data();
  const char* const last = first + digits.size();
  const auto [end, error] = std::from_chars(first, last, number);
  if (error != std::errc{} || end != last) return std::nullopt;
  return number;
}

}  // namespace

std::string encode(const Message& message) {
  switch (message.kind) {
    case MessageKind::get:
      assert(message.value == 0 && "a get carries no number");
      return std::string(kGet);
    case MessageKind::value:
      return fmt::format("{}{}", kValuePrefix, message.value);
    case MessageKind::store:
      return fmt::format("{}{}", kStorePrefix, message.value);
  }
  assert(false && "unknown MessageKind");
  return {};
}

std::optional<Message> decode(std::string_view text) {
  std::optional<Message> message;
  if (text == kGet) {
    message = Message{MessageKind::get, 0};
  } else if (text.starts_with(kValuePrefix)) {
    if (auto number = parse_number(text.substr(kValuePrefix.size()))) {
      message = Message{MessageKind::value, *number};
    }
  } else if (text.starts_with(kStorePrefix)) {
    if (auto number = parse_number(text.substr(kStorePrefix.size()))) {
      message = Message{MessageKind::store, *number};
    }
  }
  // from_chars accepts "007" and "-0"; only the canonical spelling is a message, so that every
  // message has exactly one text and the trace of a run has exactly one way to read.
  if (message && encode(*message) != text) return std::nullopt;
  return message;
}

}  // namespace ladder::level0
