#pragma once
/// \file
/// The wire codec of the protocol's messages: one Message per datagram, as a compact binary body
/// inside the frame of network/frame.hpp.
///
/// ## The byte layout
///
/// A datagram is one frame (four length bytes, the wire version byte, then the body; see
/// network/frame.hpp). The body is a type byte followed by the message's fields in the order
/// messages.hpp declares them:
///
///     byte 0      the MessageType, 1 .. 12
///     byte 1..    the fields, each in one of these encodings:
///
///     u     unsigned integer: LEB128 varint, 7 bits per byte, least significant group first,
///           high bit set on every byte but the last; at most 10 bytes, in the shortest form
///     s     signed integer: zigzag ((x << 1) ^ (x >> 63)), then as u: small magnitudes are short
///     b     one byte, 0 or 1 (an optional's presence)
///     list  u count, then count elements; the count is checked against its bound before any
///           element is read, so a hostile count allocates nothing
///
///     RequestId     u client (< kMaxClients), u seq (>= 1)
///     Op            one byte kind: 0 = add followed by s delta; 1 = read (nothing follows)
///     Request       RequestId, Op
///     ClientRecord  RequestId request, s value
///     Snapshot      u commit_number, s value, list of ClientRecord (<= kMaxClients, sorted by
///                   client id, strictly: one record per client)
///     Log           Snapshot, list of Request suffix (<= kMaxUncommitted); commit_number plus the
///                   suffix's length must not overflow 64 bits
///     ReplicaId     u, < kMaxReplicas
///
///     type  message           fields
///      1    Request           RequestId id, Op op
///      2    Reply             u view, RequestId id, s value
///      3    Prepare           u view, u op_number (>= 1), u commit_number (< op_number), Request
///      4    PrepareOk         u view, u op_number, ReplicaId from
///      5    Commit            u view, u commit_number
///      6    StartViewChange   u view, ReplicaId from
///      7    DoViewChange      u view, u last_normal_view, ReplicaId from, Log log
///      8    StartView         u view, Log log
///      9    GetState          u view, u op_number, ReplicaId from
///     10    NewState          u view, Log log
///     11    Recovery          ReplicaId from, u nonce
///     12    RecoveryResponse  u view, u nonce, ReplicaId from, b has_log, Log log (if has_log)
///
/// Example: Commit{view 1, commit_number 300} is the body `05 01 ac 02`.
///
/// The encoding is canonical: every message has exactly one body, and decode accepts only that
/// body (no overlong varints, no unsorted tables, no byte after the last field). So for any input
/// that decodes, encoding the result gives back the same bytes, a property the tests check on
/// random input.
///
/// ## Errors
///
/// Bytes from the network are input from a stranger: decode never throws, never asserts and never
/// reads out of bounds on them. It returns a DecodeError naming the kind of problem, the byte where
/// the offending field starts, the field's path (e.g. "Prepare.request.id.seq") and a sentence for
/// logs. encode, on the other hand, asserts that its message is one decode would accept: sending a
/// message the peer must reject is a bug on the sending side.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "protocol/messages.hpp"

namespace ladder::protocol {

/// The largest body encode can produce: a RecoveryResponse with a full client table, a full
/// suffix and every integer at its widest (2797 bytes). Far below a datagram's 64 KiB.
inline constexpr std::size_t kMaxBodyBytes = 2797;

/// What was wrong with a body (or the datagram around it).
enum class DecodeErrorKind {
  frame,           ///< the datagram's frame is malformed (see network/frame.hpp)
  empty,           ///< no type byte
  unknown_type,    ///< the type byte is not a MessageType
  truncated,       ///< the body ends inside a field
  bad_varint,      ///< a varint is longer than its shortest form, or exceeds 64 bits
  out_of_range,    ///< a field holds a value its type forbids (seq 0, client id 64, kind 2, ...)
  too_many,        ///< a list's count exceeds its bound
  unsorted,        ///< a client table is not sorted by client id, one record per client
  trailing_bytes,  ///< bytes follow the last field
};

/// "frame", "empty", "unknown_type", "truncated", "bad_varint", "out_of_range", "too_many",
/// "unsorted", "trailing_bytes".
const char* to_string(DecodeErrorKind kind);

/// Why a body was rejected: the kind, where, which field, and a sentence for logs.
struct DecodeError {
  DecodeErrorKind kind = DecodeErrorKind::empty;  ///< what was wrong
  /// The byte where the offending field starts, counted from the start of the body (decode) or
  /// of the datagram (decode_datagram).
  std::size_t offset = 0;
  std::string field;    ///< the field's path, e.g. "Prepare.request.id.seq"; "" for the whole
  std::string message;  ///< e.g. "Prepare.request.id.seq at byte 9: expected >= 1, got 0"
};

/// A decoded message or the reason there is none: a small stand-in for C++23's std::expected.
class DecodeResult {
 public:
  /// A result holding a message.
  static DecodeResult success(Message message) { return DecodeResult(std::move(message)); }
  /// A result holding an error.
  static DecodeResult failure(DecodeError error) { return DecodeResult(std::move(error)); }

  /// True when a message was decoded.
  [[nodiscard]] bool ok() const { return std::holds_alternative<Message>(value_); }
  /// Same as ok().
  explicit operator bool() const { return ok(); }
  /// The decoded message; precondition: ok().
  [[nodiscard]] const Message& message() const&;
  /// The decoded message, moved out; precondition: ok().
  [[nodiscard]] Message message() &&;
  /// The error; precondition: !ok().
  [[nodiscard]] const DecodeError& error() const;

 private:
  explicit DecodeResult(Message message) : value_(std::move(message)) {}
  explicit DecodeResult(DecodeError error) : value_(std::move(error)) {}
  std::variant<Message, DecodeError> value_;
};

/// The body of `message` (without the frame). Precondition (asserted): the message respects every
/// bound and range of the layout above. The result is at most kMaxBodyBytes long.
std::string encode(const Message& message);

/// The message in `body`, or why there is none. Never throws on any input.
DecodeResult decode(std::string_view body);

/// The datagram carrying `message`: net::encode_frame(encode(message)).
std::string encode_datagram(const Message& message);

/// The message in one whole datagram (frame and body), or why there is none; error offsets count
/// from the datagram's first byte. Never throws on any input.
DecodeResult decode_datagram(std::string_view datagram);

/// describe() of the datagram's message, or "malformed: " and the error's message: the renderer
/// for traces (net::format_trace_event's `describe`).
std::string describe_datagram(std::string_view datagram);

/// The largest encoded Log: a full client table and a full suffix, every integer at its widest.
inline constexpr std::size_t kMaxLogBytes = 2774;

/// The bytes of `log` alone, in the Log layout above: for storing a log outside a message (level
/// 3's durable log). Precondition (asserted): the log respects the layout's bounds. The result is
/// at most kMaxLogBytes long.
std::string encode_log(const Log& log);

/// The Log that is exactly `bytes` (nothing may follow it), or why there is none; error offsets
/// count from `base_offset`, the position of bytes[0] in whatever holds them, and field paths
/// start at "Log". Never throws on any input.
std::variant<Log, DecodeError> decode_log(std::string_view bytes, std::size_t base_offset = 0);

}  // namespace ladder::protocol
