#include "tools/ladder/terminal.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace ladder::tools {

bool is_terminal(std::FILE* stream) {
  return isatty(fileno(stream)) == 1;
}

bool use_color(ColorMode mode, std::FILE* stream) {
  switch (mode) {
    case ColorMode::always:
      return true;
    case ColorMode::never:
      return false;
    case ColorMode::automatic:
      return is_terminal(stream) && std::getenv("NO_COLOR") == nullptr;
  }
  return false;
}

std::string Painter::paint(std::string_view text, fmt::text_style style) const {
  if (!enabled_) return std::string(text);
  return fmt::format(style, "{}", text);
}

std::string wrap(std::string_view text, std::size_t width, std::string_view indent) {
  std::string out;
  std::string line(indent);
  bool line_empty = true;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = text.find_first_not_of(' ', pos);
    if (start == std::string_view::npos) break;
    const std::size_t end = std::min(text.find(' ', start), text.size());
    const std::string_view word = text.substr(start, end - start);
    if (!line_empty && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line = std::string(indent);
      line_empty = true;
    }
    if (!line_empty) line += ' ';
    line += word;
    line_empty = false;
    pos = end;
  }
  if (!line_empty) out += line + "\n";
  return out;
}

}  // namespace ladder::tools
