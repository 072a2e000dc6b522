#include "network/frame.hpp"

#include <cassert>
#include <limits>

#include <fmt/format.h>

namespace ladder::net {

namespace {

constexpr std::size_t kLengthBytes = 4;

// The length field at the start of `bytes`; precondition: at least four bytes.
std::uint32_t read_length(std::string_view bytes) {
  assert(bytes.size() >= kLengthBytes);
  std::uint32_t length = 0;
  for (std::size_t i = 0; i < kLengthBytes; ++i) {
    length = (length << 8U) | static_cast<unsigned char>(bytes[i]);
  }
  return length;
}

// Checks a frame's length field against the limit; `offset` is where the frame starts.
std::optional<FrameError> check_length(std::uint32_t length, std::size_t max_frame_bytes,
                                       std::uint64_t offset) {
  if (length == 0) {
    return FrameError{FrameErrorKind::empty, offset,
                      fmt::format("empty frame at byte {}: its length is 0, but even the version "
                                  "byte needs 1",
                                  offset)};
  }
  if (length > max_frame_bytes) {
    return FrameError{
        FrameErrorKind::too_large, offset,
        fmt::format("frame of {} bytes exceeds the {}-byte limit", length, max_frame_bytes)};
  }
  return std::nullopt;
}

// Checks the version byte found at stream offset `offset`.
std::optional<FrameError> check_version(char version, std::uint64_t offset) {
  const auto value = static_cast<unsigned char>(version);
  if (value != kWireVersion) {
    return FrameError{FrameErrorKind::bad_version, offset,
                      fmt::format("unknown wire version {} at byte {}", value, offset)};
  }
  return std::nullopt;
}

}  // namespace

const char* to_string(FrameErrorKind kind) {
  switch (kind) {
    case FrameErrorKind::empty:
      return "empty";
    case FrameErrorKind::too_large:
      return "too_large";
    case FrameErrorKind::bad_version:
      return "bad_version";
    case FrameErrorKind::truncated:
      return "truncated";
    case FrameErrorKind::trailing_bytes:
      return "trailing_bytes";
  }
  assert(false && "unknown FrameErrorKind");
  return "?";
}

const std::string& FrameResult::body() const& {
  assert(ok() && "FrameResult::body() called on an error");
  return std::get<std::string>(value_);
}

std::string FrameResult::body() && {
  assert(ok() && "FrameResult::body() called on an error");
  return std::move(std::get<std::string>(value_));
}

const FrameError& FrameResult::error() const {
  assert(!ok() && "FrameResult::error() called on a body");
  return std::get<FrameError>(value_);
}

std::string encode_frame(std::string_view body, std::size_t max_frame_bytes) {
  assert(body.size() < max_frame_bytes && "body too large for the receiver's frame limit");
  assert(body.size() < std::numeric_limits<std::uint32_t>::max() && "body too large for a frame");
  const auto length = static_cast<std::uint32_t>(body.size() + 1);
  std::string frame;
  frame.reserve(kFrameHeaderBytes + body.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    frame.push_back(static_cast<char>((length >> shift) & 0xFFU));
  }
  frame.push_back(static_cast<char>(kWireVersion));
  frame.append(body);
  assert(frame.size() == kLengthBytes + length);
  return frame;
}

FrameResult decode_datagram(std::string_view datagram, std::size_t max_frame_bytes) {
  assert(max_frame_bytes >= 1);
  if (datagram.size() < kLengthBytes) {
    return FrameResult::failure(
        {FrameErrorKind::truncated, datagram.size(),
         fmt::format("datagram of {} bytes is truncated: the length field alone takes 4",
                     datagram.size())});
  }
  const std::uint32_t length = read_length(datagram);
  if (auto error = check_length(length, max_frame_bytes, 0)) {
    return FrameResult::failure(std::move(*error));
  }
  const std::size_t frame_bytes = kLengthBytes + length;
  if (datagram.size() < frame_bytes) {
    return FrameResult::failure(
        {FrameErrorKind::truncated, datagram.size(),
         fmt::format("frame of {} bytes is truncated: the datagram ends at byte {}", length,
                     datagram.size())});
  }
  if (datagram.size() > frame_bytes) {
    return FrameResult::failure({FrameErrorKind::trailing_bytes, frame_bytes,
                                 fmt::format("{} trailing bytes at byte {} after the frame",
                                             datagram.size() - frame_bytes, frame_bytes)});
  }
  if (auto error = check_version(datagram[kLengthBytes], kLengthBytes)) {
    return FrameResult::failure(std::move(*error));
  }
  return FrameResult::success(std::string(datagram.substr(kFrameHeaderBytes)));
}

FrameDecoder::FrameDecoder(std::size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {
  assert(max_frame_bytes >= 1 && "a frame holds at least its version byte");
  assert(max_frame_bytes <= std::numeric_limits<std::uint32_t>::max());
}

void FrameDecoder::feed(std::string_view bytes) {
  bytes_fed_ += bytes.size();
  if (failed()) {
    return;  // the stream is unusable; keeping its bytes would only grow the buffer
  }
  // Drop what was already returned before appending, so the buffer holds only pending bytes.
  if (consumed_ > 0) {
    buffer_.erase(0, consumed_);
    stream_offset_ += consumed_;
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

std::optional<FrameResult> FrameDecoder::next() {
  if (failed()) {
    if (error_reported_) {
      return std::nullopt;
    }
    error_reported_ = true;
    return FrameResult::failure(*error_);
  }
  const std::string_view pending = std::string_view(buffer_).substr(consumed_);
  if (pending.size() < kLengthBytes) {
    return std::nullopt;
  }
  const std::uint64_t frame_offset = stream_offset_ + consumed_;
  const std::uint32_t length = read_length(pending);
  if (auto error = check_length(length, max_frame_bytes_, frame_offset)) {
    return fail(std::move(*error));
  }
  // The version is checked as soon as it arrives, not when the whole frame has.
  if (pending.size() > kLengthBytes) {
    if (auto error = check_version(pending[kLengthBytes], frame_offset + kLengthBytes)) {
      return fail(std::move(*error));
    }
  }
  const std::size_t frame_bytes = kLengthBytes + length;
  if (pending.size() < frame_bytes) {
    assert(buffered_bytes() < kLengthBytes + max_frame_bytes_);
    return std::nullopt;
  }
  std::string body(pending.substr(kFrameHeaderBytes, length - 1));
  consumed_ += frame_bytes;
  ++frames_;
  return FrameResult::success(std::move(body));
}

void FrameDecoder::reset() {
  stream_offset_ = 0;
  buffer_.clear();
  consumed_ = 0;
  error_.reset();
  error_reported_ = false;
}

const FrameError& FrameDecoder::error() const {
  assert(failed() && "FrameDecoder::error() called on a healthy stream");
  return *error_;
}

FrameResult FrameDecoder::fail(FrameError error) {
  assert(!failed());
  ++errors_;
  error_ = error;
  error_reported_ = true;
  // Release the stream's bytes: nothing in them can be trusted any more.
  stream_offset_ += buffer_.size();
  buffer_.clear();
  buffer_.shrink_to_fit();
  consumed_ = 0;
  return FrameResult::failure(std::move(error));
}

}  // namespace ladder::net
