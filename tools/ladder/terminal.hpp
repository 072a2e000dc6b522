#pragma once
/// \file
/// Output for a terminal: when to colour it, a painter that colours or not, and word wrapping.

#include <cstdio>
#include <string>
#include <string_view>

#include <fmt/color.h>

namespace ladder::tools {

/// The `--color` option: colour when writing to a terminal, always, or never.
enum class ColorMode { automatic, always, never };

/// True when `stream` is a terminal.
[[nodiscard]] bool is_terminal(std::FILE* stream);

/// Whether to colour what goes to `stream`: `always` and `never` say so; `automatic` colours only a
/// terminal, and only while the NO_COLOR environment variable is unset (https://no-color.org).
[[nodiscard]] bool use_color(ColorMode mode, std::FILE* stream);

/// Applies text styles when colour is on and leaves the text alone when it is off, so that the
/// code that builds output is the same either way (and so is every byte of it when colour is off).
class Painter {
 public:
  /// A painter that colours when `enabled`.
  explicit Painter(bool enabled) : enabled_(enabled) {}
  /// `text` in `style`, or `text` itself when colour is off.
  [[nodiscard]] std::string paint(std::string_view text, fmt::text_style style) const;
  /// True when this painter colours.
  [[nodiscard]] bool enabled() const { return enabled_; }

 private:
  bool enabled_;
};

/// `text` broken into lines of at most `width` columns (a longer word gets a line of its own), each
/// line starting with `indent` and ending with a newline.
[[nodiscard]] std::string wrap(std::string_view text, std::size_t width, std::string_view indent);

/// The styles every verb uses, so that "good" and "bad" look the same everywhere.
namespace styles {
/// A clean result: "ok".
inline const fmt::text_style good = fmt::fg(fmt::terminal_color::green);
/// A broken rule: "LOST 3", "DIVERGED", a dropped message.
inline const fmt::text_style bad = fmt::fg(fmt::terminal_color::red) | fmt::emphasis::bold;
/// Something the network did to the nodes: a crash, a partition, a heal.
inline const fmt::text_style fault = fmt::fg(fmt::terminal_color::yellow) | fmt::emphasis::bold;
/// A client's own story: "invoke add(+3)", "ok add(+3)".
inline const fmt::text_style client = fmt::fg(fmt::terminal_color::cyan) | fmt::emphasis::bold;
/// A replica's own remark.
inline const fmt::text_style replica = fmt::fg(fmt::terminal_color::cyan);
/// Background chatter: a message handed to the network.
inline const fmt::text_style quiet = fmt::emphasis::faint;
/// Headings and commands to copy.
inline const fmt::text_style heading = fmt::emphasis::bold;
}  // namespace styles

}  // namespace ladder::tools
