#pragma once
/// \file
/// Wire frames: how one message travels over a byte stream (TCP, level 1) or in one datagram
/// (UDP, levels 2 and 3), with a length, a version and a size limit.
///
/// The layout of one frame, byte by byte:
///
///     offset 0..3   N, the length of what follows, unsigned 32-bit big-endian (N >= 1)
///     offset 4      the wire version, kWireVersion (1)
///     offset 5..    the body: N - 1 bytes, opaque to this layer
///
/// N counts the version byte and the body, not the four length bytes themselves, and N may not
/// exceed the receiver's limit (kDefaultMaxFrameBytes, 64 KiB, unless configured). The limit is
/// what keeps a peer that announces "a frame of 4 GiB follows" from making us allocate 4 GiB: the
/// length is checked as soon as its four bytes arrive, before a single body byte is buffered.
///
/// Malformed input is the network's business, not a programmer's bug, so decoding never throws
/// and never asserts on input: it returns a FrameError whose message names the problem and the
/// byte where it was found, e.g. "frame of 1048576 bytes exceeds the 65536-byte limit" or
/// "unknown wire version 7 at byte 4".

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ladder::net {

/// The version byte every frame carries. A receiver rejects any other value, so that a future
/// layout can never be misread as this one.
inline constexpr std::uint8_t kWireVersion = 1;

/// Bytes before the body: four length bytes and the version byte.
inline constexpr std::size_t kFrameHeaderBytes = 5;

/// The default limit on N (version byte plus body): 64 KiB. Counter messages are far smaller.
inline constexpr std::size_t kDefaultMaxFrameBytes = 64 * 1024;

/// What was wrong with the input.
enum class FrameErrorKind {
  empty,           ///< the length field was 0: not even the version byte follows
  too_large,       ///< the length field exceeds the receiver's limit
  bad_version,     ///< the version byte is not kWireVersion
  truncated,       ///< a datagram ended before its frame did
  trailing_bytes,  ///< a datagram holds bytes after its frame
};

/// The name of an error kind: "empty", "too_large", "bad_version", "truncated", "trailing_bytes".
const char* to_string(FrameErrorKind kind);

/// Why input was rejected: the kind, where, and a sentence for logs.
struct FrameError {
  FrameErrorKind kind = FrameErrorKind::empty;  ///< what was wrong
  std::uint64_t offset = 0;  ///< the byte (from the start of the stream or datagram) where it was
  std::string message;       ///< e.g. "unknown wire version 7 at byte 4"
};

/// A decoded body or the reason there is none: a small stand-in for C++23's std::expected.
class FrameResult {
 public:
  /// A result holding a decoded body.
  static FrameResult success(std::string body) { return FrameResult(std::move(body)); }
  /// A result holding an error.
  static FrameResult failure(FrameError error) { return FrameResult(std::move(error)); }

  /// True when a body was decoded.
  [[nodiscard]] bool ok() const { return std::holds_alternative<std::string>(value_); }
  /// Same as ok().
  explicit operator bool() const { return ok(); }
  /// The decoded body; precondition: ok().
  [[nodiscard]] const std::string& body() const&;
  /// The decoded body, moved out; precondition: ok().
  [[nodiscard]] std::string body() &&;
  /// The error; precondition: !ok().
  [[nodiscard]] const FrameError& error() const;

 private:
  explicit FrameResult(std::string body) : value_(std::move(body)) {}
  explicit FrameResult(FrameError error) : value_(std::move(error)) {}
  std::variant<std::string, FrameError> value_;
};

/// The frame carrying `body`: the five header bytes followed by the body.
///
/// Precondition (asserted): body.size() < max_frame_bytes, so that a receiver with the same
/// limit accepts the frame. A sender that might exceed it must check before encoding: sending
/// a frame the peer will reject is a bug on the sending side.
std::string encode_frame(std::string_view body,
                         std::size_t max_frame_bytes = kDefaultMaxFrameBytes);

/// Decodes one whole datagram, which must hold exactly one frame: a datagram shorter than its
/// frame is `truncated`, a longer one has `trailing_bytes`. Offsets count from the datagram's
/// first byte.
FrameResult decode_datagram(std::string_view datagram,
                            std::size_t max_frame_bytes = kDefaultMaxFrameBytes);

/// Cuts a byte stream (a TCP connection) into frames, however the bytes were split by reads.
///
/// Feed it whatever a read returned, then call next() until it returns nullopt:
///
///     decoder.feed(std::string_view(buffer, bytes_read));
///     while (auto frame = decoder.next()) {
///       if (!*frame) { log(frame->error().message); close_connection(); break; }
///       handle(std::move(*frame).body());
///     }
///
/// The first malformed frame ends the stream: a byte stream has no markers to resynchronise on,
/// so after an error nothing that follows can be trusted. The decoder then reports the error
/// once, ignores every later byte, and the connection should be closed. reset() makes it ready
/// for a new stream.
///
/// Memory is bounded: once next() has returned nullopt, buffered_bytes() is less than
/// 4 + max_frame_bytes (the length field and at most one incomplete frame), because a length
/// over the limit is rejected as soon as its four bytes arrive.
class FrameDecoder {
 public:
  /// A decoder that accepts frames with N <= max_frame_bytes; precondition: max_frame_bytes >= 1.
  explicit FrameDecoder(std::size_t max_frame_bytes = kDefaultMaxFrameBytes);

  /// Appends bytes read from the stream. After an error they are counted and discarded.
  void feed(std::string_view bytes);

  /// The next complete frame's body, or the stream's error (reported once), or nullopt when more
  /// bytes are needed or the stream already failed.
  std::optional<FrameResult> next();

  /// Forgets the buffered bytes and any error, to decode a new stream. The counters keep
  /// counting.
  void reset();

  /// True once the stream held a malformed frame (until reset()).
  [[nodiscard]] bool failed() const { return error_.has_value(); }
  /// The stream's error; precondition: failed().
  [[nodiscard]] const FrameError& error() const;
  /// Bytes fed but not yet returned in a frame (0 after an error).
  [[nodiscard]] std::size_t buffered_bytes() const { return buffer_.size() - consumed_; }
  /// The limit on N this decoder enforces.
  [[nodiscard]] std::size_t max_frame_bytes() const { return max_frame_bytes_; }
  /// Frames returned so far, over every stream since construction.
  [[nodiscard]] std::uint64_t frames() const { return frames_; }
  /// Malformed streams so far, over every stream since construction.
  [[nodiscard]] std::uint64_t errors() const { return errors_; }
  /// Bytes fed so far, over every stream since construction (discarded ones included).
  [[nodiscard]] std::uint64_t bytes_fed() const { return bytes_fed_; }

 private:
  FrameResult fail(FrameError error);

  std::size_t max_frame_bytes_;
  std::string buffer_;               // bytes fed; [consumed_, size) is not yet returned
  std::size_t consumed_ = 0;         // bytes of buffer_ already returned in frames
  std::uint64_t stream_offset_ = 0;  // stream offset of buffer_[0], for error messages
  std::optional<FrameError> error_;
  bool error_reported_ = false;
  std::uint64_t frames_ = 0;
  std::uint64_t errors_ = 0;
  std::uint64_t bytes_fed_ = 0;
};

}  // namespace ladder::net
