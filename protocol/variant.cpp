#include "protocol/variant.hpp"

#include <cassert>

namespace ladder::protocol {

const char* to_string(Variant variant) {
  switch (variant) {
    case Variant::first_release:
      return "first-release";
    case Variant::fixed:
      return "fixed";
  }
  assert(false && "to_string of a Variant outside the enum");
  return "?";
}

std::optional<Variant> parse_variant(std::string_view text) {
  if (text == "first-release") return Variant::first_release;
  if (text == "fixed") return Variant::fixed;
  return std::nullopt;
}

const char* to_string(Status status) {
  switch (status) {
    case Status::normal:
      return "normal";
    case Status::view_change:
      return "view_change";
    case Status::recovering:
      return "recovering";
  }
  assert(false && "to_string of a Status outside the enum");
  return "?";
}

}  // namespace ladder::protocol
