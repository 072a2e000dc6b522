#include "level3_pure/runtime/resp.hpp"

#include <cassert>
#include <charconv>
#include <limits>

#include <fmt/format.h>

namespace ladder::level3 {

namespace {

// Compaction threshold: below it the consumed prefix stays, so that a connection sending small
// commands does not move its buffer on every read.
constexpr std::size_t kCompactBytes = 4096;
// How much of a bad header an error message quotes.
constexpr std::size_t kQuoteBytes = 32;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `bytes` for an error message: printable ASCII as is, anything else as \xHH, cut at kQuoteBytes.
std::string quote(std::string_view bytes) {
  std::string out;
  for (const char c : bytes.substr(0, kQuoteBytes)) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      out += fmt::format("\\x{:02x}", u);
    }
  }
  if (bytes.size() > kQuoteBytes) out += "...";
  return out;
}

// One argument in double quotes, as Redis's sdssplitargs reads it: `p` is just after the opening
// quote; on success `p` is just after the closing one. Escapes: \xHH, \n \r \t \b \a, \<any>.
bool read_double_quoted(std::string_view line, std::size_t& p, std::string& arg) {
  while (p < line.size()) {
    const char c = line[p];
    if (c == '\\' && p + 3 < line.size() && line[p + 1] == 'x' && hex_value(line[p + 2]) >= 0 &&
        hex_value(line[p + 3]) >= 0) {
      arg += static_cast<char>(hex_value(line[p + 2]) * 16 + hex_value(line[p + 3]));
      p += 4;
    } else if (c == '\\' && p + 1 < line.size()) {
      const char e = line[p + 1];
      arg += e == 'n'   ? '\n'
             : e == 'r' ? '\r'
             : e == 't' ? '\t'
             : e == 'b' ? '\b'
             : e == 'a' ? '\a'
                        : e;
      p += 2;
    } else if (c == '"') {
      ++p;
      return true;
    } else {
      arg += c;
      ++p;
    }
  }
  return false;
}

// One argument in single quotes: only \' is an escape.
bool read_single_quoted(std::string_view line, std::size_t& p, std::string& arg) {
  while (p < line.size()) {
    const char c = line[p];
    if (c == '\\' && p + 1 < line.size() && line[p + 1] == '\'') {
      arg += '\'';
      p += 2;
    } else if (c == '\'') {
      ++p;
      return true;
    } else {
      arg += c;
      ++p;
    }
  }
  return false;
}

// Splits an inline command line into arguments the way redis-cli and Redis do (sdssplitargs):
// whitespace separates, quotes group, a closing quote must be followed by a space or the end.
// Nothing when the quotes are unbalanced.
std::optional<std::vector<std::string>> split_inline(std::string_view line) {
  std::vector<std::string> args;
  std::size_t p = 0;
  while (true) {
    while (p < line.size() && is_space(line[p]))
      ++p;
    if (p == line.size()) return args;
    std::string arg;
    bool done = false;
    while (!done) {
      if (p == line.size() || is_space(line[p])) {
        done = true;
      } else if (line[p] == '"' || line[p] == '\'') {
        const bool dq = line[p] == '"';
        ++p;
        const bool closed =
            dq ? read_double_quoted(line, p, arg) : read_single_quoted(line, p, arg);
        if (!closed || (p < line.size() && !is_space(line[p]))) return std::nullopt;
      } else {
        arg += line[p++];
      }
    }
    args.push_back(std::move(arg));
  }
}

void append_crlf(std::string& out) {
  out += "\r\n";
}

void append_number(std::string& out, std::int64_t n) {
  char digits[24];
  const auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), n);
  assert(ec == std::errc{} && "24 characters hold any 64-bit integer");
  out.append(digits, static_cast<std::size_t>(end - digits));
}

// `text` with CR and LF replaced: a simple string or an error is one line.
void append_line_text(std::string& out, std::string_view text) {
  for (const char c : text)
    out += (c == '\r' || c == '\n') ? ' ' : c;
}

}  // namespace

std::optional<std::int64_t> parse_redis_integer(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  const bool negative = text.front() == '-';
  const std::string_view digits = negative ? text.substr(1) : text;
  if (digits.empty() || digits.front() < '0' || digits.front() > '9') return std::nullopt;
  // Redis accepts "0" but not "00", "01" or "-0".
  if (digits.front() == '0' && (digits.size() > 1 || negative)) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

RespParser::RespParser(RespLimits limits) : limits_(limits) {
  assert(limits_.max_line_bytes >= 1 && "a line holds at least its newline");
  assert(limits_.max_array_length >= 1 && "a command has at least its name");
}

void RespParser::feed(std::string_view bytes) {
  bytes_fed_ += bytes.size();
  if (failed_) return;
  compact();
  buffer_.append(bytes);
}

void RespParser::compact() {
  if (consumed_ == buffer_.size()) {
    buffer_base_ += consumed_;
    buffer_.clear();
    consumed_ = 0;
  } else if (consumed_ >= kCompactBytes && consumed_ * 2 >= buffer_.size()) {
    buffer_base_ += consumed_;
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
}

std::optional<RespParsed> RespParser::next() {
  std::optional<RespParsed> out;
  while (!failed_) {
    Progress progress = Progress::need_more;
    switch (stage_) {
      case Stage::start:
        if (consumed_ == buffer_.size()) return std::nullopt;
        progress = buffer_[consumed_] == '*' ? parse_array_header(out) : parse_inline(out);
        break;
      case Stage::array_item:
        progress = parse_bulk_header(out);
        break;
      case Stage::bulk_body:
        progress = parse_bulk_body(out);
        break;
    }
    if (progress == Progress::need_more) return std::nullopt;
    if (progress == Progress::yielded) {
      assert(out.has_value() && "a yield carries a command or an error");
      return out;
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> RespParser::find_newline() {
  const std::string_view rest = std::string_view(buffer_).substr(consumed_);
  const std::size_t at = rest.find('\n', scanned_);
  if (at == std::string_view::npos) {
    scanned_ = rest.size();
    return std::nullopt;
  }
  scanned_ = 0;
  return at;
}

RespParser::Progress RespParser::fail(std::optional<RespParsed>& out, std::size_t at,
                                      const std::string& what) {
  const std::uint64_t offset = buffer_base_ + at;
  out = RespProtocolError{offset, fmt::format("ERR Protocol error: {} at byte {}", what, offset)};
  failed_ = true;
  // Nothing more will be parsed: give the memory back at once.
  buffer_base_ += buffer_.size();
  buffer_.clear();
  buffer_.shrink_to_fit();
  consumed_ = 0;
  pending_.args.clear();
  return Progress::yielded;
}

RespParser::Progress RespParser::parse_inline(std::optional<RespParsed>& out) {
  const std::size_t start = consumed_;
  const auto newline = find_newline();
  if (!newline) {
    if (buffered_bytes() > limits_.max_line_bytes) {
      return fail(out, start, "too big inline request");
    }
    return Progress::need_more;
  }
  if (*newline + 1 > limits_.max_line_bytes) return fail(out, start, "too big inline request");
  std::string_view line = std::string_view(buffer_).substr(start, *newline);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto args = split_inline(line);
  if (!args) return fail(out, start, "unbalanced quotes in request");
  consumed_ = start + *newline + 1;
  if (args->empty()) return Progress::again;  // an empty line: Redis skips it
  ++commands_;
  out = RespCommand{std::move(*args)};
  return Progress::yielded;
}

RespParser::Progress RespParser::read_header(std::optional<RespParsed>& out,
                                             const HeaderWords& words, std::int64_t min,
                                             std::int64_t max, std::int64_t& number) {
  const std::size_t start = consumed_;
  const auto newline = find_newline();
  if (!newline) {
    if (buffered_bytes() > limits_.max_line_bytes) {
      return fail(out, start, fmt::format("too big {}", words.too_big));
    }
    return Progress::need_more;
  }
  const std::string_view line = std::string_view(buffer_).substr(start, *newline);
  if (line.size() + 1 > limits_.max_line_bytes) {
    return fail(out, start, fmt::format("too big {}", words.too_big));
  }
  // The line after its '*' or '$', without the CR that must end it.
  const bool crlf = line.size() >= 2 && line.back() == '\r';
  const std::string_view digits = line.substr(1, crlf ? line.size() - 2 : std::string_view::npos);
  const auto value = crlf ? parse_redis_integer(digits) : std::nullopt;
  if (!value || *value < min || *value > max) {
    return fail(out, start, fmt::format("invalid {} '{}'", words.invalid, quote(digits)));
  }
  number = *value;
  consumed_ = start + *newline + 1;
  return Progress::again;
}

RespParser::Progress RespParser::parse_array_header(std::optional<RespParsed>& out) {
  std::int64_t count = 0;
  const Progress header = read_header(out, {"mbulk count string", "multibulk length"},
                                      std::numeric_limits<std::int64_t>::min(),
                                      static_cast<std::int64_t>(limits_.max_array_length), count);
  if (header != Progress::again) return header;
  if (count <= 0) return Progress::again;  // *0 and *-1: Redis skips them
  array_left_ = static_cast<std::size_t>(count);
  command_bytes_ = 0;
  pending_.args.clear();
  pending_.args.reserve(array_left_);
  stage_ = Stage::array_item;
  return Progress::again;
}

RespParser::Progress RespParser::parse_bulk_header(std::optional<RespParsed>& out) {
  assert(array_left_ > 0 && "an array item is expected");
  const std::size_t start = consumed_;
  if (start == buffer_.size()) return Progress::need_more;
  if (buffer_[start] != '$') {
    return fail(out, start,
                fmt::format("expected '$', got '{}'", quote(std::string_view(&buffer_[start], 1))));
  }
  std::int64_t size = 0;
  const Progress header = read_header(out, {"bulk count string", "bulk length"}, 0,
                                      static_cast<std::int64_t>(limits_.max_bulk_bytes), size);
  if (header != Progress::again) return header;
  bulk_size_ = static_cast<std::size_t>(size);
  if (command_bytes_ + bulk_size_ > limits_.max_command_bytes) {
    return fail(out, start,
                fmt::format("command of more than {} bytes", limits_.max_command_bytes));
  }
  command_bytes_ += bulk_size_;
  stage_ = Stage::bulk_body;
  return Progress::again;
}

RespParser::Progress RespParser::parse_bulk_body(std::optional<RespParsed>& out) {
  const std::size_t start = consumed_;
  if (buffered_bytes() < bulk_size_ + 2) return Progress::need_more;
  if (buffer_[start + bulk_size_] != '\r' || buffer_[start + bulk_size_ + 1] != '\n') {
    return fail(out, start + bulk_size_,
                fmt::format("expected CRLF after a bulk string of {} bytes", bulk_size_));
  }
  pending_.args.emplace_back(buffer_, start, bulk_size_);
  consumed_ = start + bulk_size_ + 2;
  scanned_ = 0;
  --array_left_;
  if (array_left_ > 0) {
    stage_ = Stage::array_item;
    return Progress::again;
  }
  stage_ = Stage::start;
  ++commands_;
  out = RespCommand{std::move(pending_.args)};
  pending_.args.clear();
  return Progress::yielded;
}

std::string resp_simple(std::string_view text) {
  std::string out = "+";
  append_line_text(out, text);
  append_crlf(out);
  return out;
}

std::string resp_error(std::string_view text) {
  std::string out = "-";
  append_line_text(out, text);
  append_crlf(out);
  return out;
}

std::string resp_integer(std::int64_t n) {
  std::string out = ":";
  append_number(out, n);
  append_crlf(out);
  return out;
}

std::string resp_bulk(std::string_view bytes) {
  std::string out = "$";
  out.reserve(bytes.size() + 16);
  append_number(out, static_cast<std::int64_t>(bytes.size()));
  append_crlf(out);
  out.append(bytes);
  append_crlf(out);
  return out;
}

std::string resp_null_bulk() {
  return "$-1\r\n";
}

std::string resp_bulk_array(const std::vector<std::string>& elements) {
  std::string out = "*";
  append_number(out, static_cast<std::int64_t>(elements.size()));
  append_crlf(out);
  for (const auto& element : elements)
    out += resp_bulk(element);
  return out;
}

}  // namespace ladder::level3
