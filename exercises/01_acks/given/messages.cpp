#include "exercises/01_acks/given/messages.hpp"

#include <cassert>
#include <charconv>
#include <vector>

#include <fmt/format.h>

namespace ladder::ex01 {

namespace {

// The words of `text` separated by single spaces; nullopt for empty words (double, leading or
// trailing spaces), which encode() never produces.
std::optional<std::vector<std::string_view>> words(std::string_view text) {
  std::vector<std::string_view> result;
  while (true) {
    const std::size_t space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    if (word.empty()) return std::nullopt;
    result.push_back(word);
    if (space == std::string_view::npos) return result;
    text.remove_prefix(space + 1);
  }
}

// A number exactly as fmt prints it: no sign but '-', no leading zeros, in range.
template <typename Number>
std::optional<Number> number(std::string_view word) {
  const std::string_view digits = word.starts_with('-') ? word.substr(1) : word;
  if (digits.empty() || (digits.size() > 1 && digits.front() == '0')) return std::nullopt;
  if (word.starts_with('-') && digits == "0") return std::nullopt;
  Number parsed{};
  const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), parsed);
  if (error != std::errc{} || end != word.data() + word.size()) return std::nullopt;
  return parsed;
}

}  // namespace

std::string encode(const Message& message) {
  switch (message.kind) {
    case MessageKind::get:
      return "get";
    case MessageKind::value:
      return fmt::format("value {} {}", message.version, message.value);
    case MessageKind::store:
      return fmt::format("store {} {}", message.version, message.value);
    case MessageKind::stored:
      return fmt::format("stored {}", message.version);
  }
  assert(false && "a message kind encode() does not know");
  return {};
}

std::optional<Message> decode(std::string_view text) {
  const auto parts = words(text);
  if (!parts) return std::nullopt;
  const std::string_view verb = parts->front();
  if (verb == "get" && parts->size() == 1) return Message{MessageKind::get, 0, 0};
  if (verb == "stored" && parts->size() == 2) {
    const auto version = number<Version>((*parts)[1]);
    if (!version) return std::nullopt;
    return Message{MessageKind::stored, *version, 0};
  }
  if ((verb == "value" || verb == "store") && parts->size() == 3) {
    const auto version = number<Version>((*parts)[1]);
    const auto value = number<std::int64_t>((*parts)[2]);
    if (!version || !value) return std::nullopt;
    return Message{verb == "value" ? MessageKind::value : MessageKind::store, *version, *value};
  }
  return std::nullopt;
}

}  // namespace ladder::ex01
