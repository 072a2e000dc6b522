/// \file
/// The wire codec: a Writer that appends fields, a Reader that checks every byte, and one
/// encode/decode pair per message, in the order of the layout table in codec.hpp.

#include "protocol/codec.hpp"

#include <cassert>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "network/frame.hpp"

namespace ladder::protocol {

namespace {

constexpr std::size_t kVarintBytesMax = 10;
constexpr std::uint8_t kOpAdd = 0;
constexpr std::uint8_t kOpRead = 1;

// ---- ranges shared by encode's assertions and decode's checks --------------------------------

bool client_in_range(std::uint64_t client) {
  return client < kMaxClients;
}
bool replica_in_range(std::uint64_t replica) {
  return replica < kMaxReplicas;
}
bool log_fits(OpNumber commit_number, std::size_t suffix_size) {
  return commit_number <= std::numeric_limits<OpNumber>::max() - suffix_size;
}

std::uint64_t zigzag(std::int64_t value) {
  // Computed in unsigned arithmetic: shifting a negative signed value left is what zigzag means,
  // and unsigned shifts say it without undefined behaviour.
  const auto bits = static_cast<std::uint64_t>(value);
  const std::uint64_t sign = value < 0 ? ~std::uint64_t{0} : 0;
  return (bits << 1) ^ sign;
}

std::int64_t unzigzag(std::uint64_t encoded) {
  const std::uint64_t magnitude = encoded >> 1;
  const std::uint64_t sign = (encoded & 1) != 0 ? ~std::uint64_t{0} : 0;
  return static_cast<std::int64_t>(magnitude ^ sign);
}

// ---- encoding ------------------------------------------------------------------------------

class Writer {
 public:
  void byte(std::uint8_t value) { out_.push_back(static_cast<char>(value)); }

  void u(std::uint64_t value) {
    while (value >= 0x80) {
      byte(static_cast<std::uint8_t>((value & 0x7f) | 0x80));
      value >>= 7;
    }
    byte(static_cast<std::uint8_t>(value));
  }

  void s(std::int64_t value) { u(zigzag(value)); }

  std::string take() && { return std::move(out_); }

 private:
  std::string out_;
};

void put(Writer& w, const spec::RequestId& id) {
  assert(client_in_range(id.client) && "request id: client id >= kMaxClients");
  assert(id.seq >= 1 && "request id: seq starts at 1");
  w.u(id.client);
  w.u(id.seq);
}

void put(Writer& w, const Op& op) {
  if (op.kind == spec::OpKind::add) {
    w.byte(kOpAdd);
    w.s(op.delta);
  } else {
    assert(op.kind == spec::OpKind::read && "op kind is neither add nor read");
    assert(op.delta == 0 && "a read carries no delta: it would be lost on the wire");
    w.byte(kOpRead);
  }
}

void put(Writer& w, const Request& request) {
  put(w, request.id);
  put(w, request.op);
}

void put_replica(Writer& w, ReplicaId replica) {
  assert(replica_in_range(replica) && "replica id >= kMaxReplicas");
  w.u(replica);
}

void put(Writer& w, const Snapshot& snapshot) {
  assert(snapshot.clients.size() <= kMaxClients && "client table over kMaxClients");
  w.u(snapshot.commit_number);
  w.s(snapshot.value);
  w.u(snapshot.clients.size());
  for (std::size_t i = 0; i < snapshot.clients.size(); ++i) {
    const ClientRecord& record = snapshot.clients[i];
    assert((i == 0 || snapshot.clients[i - 1].request.client < record.request.client) &&
           "client table not sorted by client id, one record per client");
    put(w, record.request);
    w.s(record.value);
  }
}

void put(Writer& w, const Log& log) {
  assert(log.suffix.size() <= kMaxUncommitted && "log suffix over kMaxUncommitted");
  assert(log_fits(log.commit_number(), log.suffix.size()) && "log op number overflows");
  put(w, log.snapshot);
  w.u(log.suffix.size());
  for (const Request& request : log.suffix)
    put(w, request);
}

void put_body(Writer& w, const Request& m) {
  put(w, m);
}

void put_body(Writer& w, const Reply& m) {
  w.u(m.view);
  put(w, m.id);
  w.s(m.value);
}

void put_body(Writer& w, const Prepare& m) {
  assert(m.op_number >= 1 && "Prepare of op 0");
  assert(m.commit_number < m.op_number && "Prepare of an op the primary already committed");
  w.u(m.view);
  w.u(m.op_number);
  w.u(m.commit_number);
  put(w, m.request);
}

void put_body(Writer& w, const PrepareOk& m) {
  w.u(m.view);
  w.u(m.op_number);
  put_replica(w, m.from);
}

void put_body(Writer& w, const Commit& m) {
  w.u(m.view);
  w.u(m.commit_number);
}

void put_body(Writer& w, const StartViewChange& m) {
  w.u(m.view);
  put_replica(w, m.from);
}

void put_body(Writer& w, const DoViewChange& m) {
  w.u(m.view);
  w.u(m.last_normal_view);
  put_replica(w, m.from);
  put(w, m.log);
}

void put_body(Writer& w, const StartView& m) {
  w.u(m.view);
  put(w, m.log);
}

void put_body(Writer& w, const GetState& m) {
  w.u(m.view);
  w.u(m.op_number);
  put_replica(w, m.from);
}

void put_body(Writer& w, const NewState& m) {
  w.u(m.view);
  put(w, m.log);
}

void put_body(Writer& w, const Recovery& m) {
  put_replica(w, m.from);
  w.u(m.nonce);
}

void put_body(Writer& w, const RecoveryResponse& m) {
  w.u(m.view);
  w.u(m.nonce);
  put_replica(w, m.from);
  w.byte(m.log ? 1 : 0);
  if (m.log) put(w, *m.log);
}

// ---- decoding ------------------------------------------------------------------------------

// Reads fields from a body and keeps the first error. Every read returns false once an error is
// recorded, so decoders are chains of `if (!r.read(...)) return false;` and stop at the first
// problem, which is the one reported.
class Reader {
 public:
  Reader(std::string_view bytes, std::size_t base_offset)
      : bytes_(bytes), base_offset_(base_offset) {}

  // A named step into the field path: "Prepare", then "request", then "id", ...
  class Scope {
   public:
    Scope(Reader& reader, std::string name) : reader_(reader) {
      reader_.path_.push_back(std::move(name));
    }
    ~Scope() { reader_.path_.pop_back(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Reader& reader_;
  };

  bool byte(std::string_view field, std::uint8_t& out) {
    if (pos_ >= bytes_.size()) return truncated(field, pos_);
    out = static_cast<std::uint8_t>(bytes_[pos_]);
    ++pos_;
    return true;
  }

  bool u(std::string_view field, std::uint64_t& out) {
    const std::size_t start = pos_;
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < kVarintBytesMax; ++i) {
      if (pos_ >= bytes_.size()) return truncated(field, start);
      const auto b = static_cast<std::uint8_t>(bytes_[pos_]);
      ++pos_;
      const std::uint64_t group = b & 0x7fU;
      // The tenth byte holds bit 63 alone: anything above it would be lost.
      if (i == kVarintBytesMax - 1 && group > 1) {
        return fail(DecodeErrorKind::bad_varint, field, start, "varint exceeds 64 bits");
      }
      value |= group << (7 * i);
      if ((b & 0x80U) == 0) {
        if (b == 0 && i > 0) {
          return fail(DecodeErrorKind::bad_varint, field, start,
                      "varint is not in its shortest form (a redundant zero byte ends it)");
        }
        out = value;
        return true;
      }
    }
    return fail(DecodeErrorKind::bad_varint, field, start, "varint is longer than 10 bytes");
  }

  bool s(std::string_view field, std::int64_t& out) {
    std::uint64_t encoded = 0;
    if (!u(field, encoded)) return false;
    out = unzigzag(encoded);
    return true;
  }

  // A u whose value must satisfy `in_range`; `expected` says what that means, for the message.
  template <typename Predicate>
  bool u_checked(std::string_view field, std::uint64_t& out, Predicate in_range,
                 std::string_view expected) {
    const std::size_t start = pos_;
    if (!u(field, out)) return false;
    if (!in_range(out)) {
      return fail(DecodeErrorKind::out_of_range, field, start,
                  fmt::format("expected {}, got {}", expected, out));
    }
    return true;
  }

  // A list count: checked against `max` before the caller reserves or reads a single element.
  bool count(std::string_view field, std::size_t max, std::size_t& out) {
    const std::size_t start = pos_;
    std::uint64_t value = 0;
    if (!u(field, value)) return false;
    if (value > max) {
      return fail(DecodeErrorKind::too_many, field, start,
                  fmt::format("{} entries exceed the limit of {}", value, max));
    }
    out = static_cast<std::size_t>(value);
    return true;
  }

  bool fail(DecodeErrorKind kind, std::string_view field, std::size_t start,
            std::string_view what) {
    assert(!error_ && "a Reader keeps its first error; reading on after it is a decoder bug");
    const std::string path = path_to(field);
    const std::size_t offset = base_offset_ + start;
    error_ = DecodeError{kind, offset, path, fmt::format("{} at byte {}: {}", path, offset, what)};
    return false;
  }

  // For messages about the body as a whole (type byte, trailing bytes), without a field path.
  void fail_whole(DecodeErrorKind kind, std::size_t start, std::string message) {
    assert(!error_ && "a Reader keeps its first error");
    error_ = DecodeError{kind, base_offset_ + start, "", std::move(message)};
  }

  [[nodiscard]] std::size_t pos() const { return pos_; }
  [[nodiscard]] std::size_t size() const { return bytes_.size(); }
  [[nodiscard]] std::size_t base_offset() const { return base_offset_; }
  [[nodiscard]] DecodeError take_error() && {
    assert(error_ && "take_error without an error");
    return std::move(*error_);
  }

 private:
  bool truncated(std::string_view field, std::size_t start) {
    return fail(
        DecodeErrorKind::truncated, field, start,
        fmt::format("the message ends at byte {}, inside the field", base_offset_ + bytes_.size()));
  }

  std::string path_to(std::string_view field) const {
    std::string path;
    for (const std::string& step : path_) {
      if (!path.empty()) path += '.';
      path += step;
    }
    if (!field.empty()) {
      if (!path.empty()) path += '.';
      path += field;
    }
    return path;
  }

  std::string_view bytes_;
  std::size_t base_offset_;
  std::size_t pos_ = 0;
  std::vector<std::string> path_;
  std::optional<DecodeError> error_;
};

bool get_replica(Reader& r, std::string_view field, ReplicaId& out) {
  std::uint64_t value = 0;
  if (!r.u_checked(field, value, replica_in_range, fmt::format("a replica id < {}", kMaxReplicas)))
    return false;
  out = static_cast<ReplicaId>(value);
  return true;
}

bool get(Reader& r, std::string_view field, spec::RequestId& out) {
  const Reader::Scope scope(r, std::string(field));
  std::uint64_t client = 0;
  if (!r.u_checked("client", client, client_in_range, fmt::format("a client id < {}", kMaxClients)))
    return false;
  std::uint64_t seq = 0;
  if (!r.u_checked(
          "seq", seq, [](std::uint64_t value) { return value >= 1; }, "a request seq >= 1"))
    return false;
  out = spec::RequestId{static_cast<spec::ClientId>(client), seq};
  return true;
}

bool get(Reader& r, std::string_view field, Op& out) {
  const Reader::Scope scope(r, std::string(field));
  const std::size_t start = r.pos();
  std::uint8_t kind = 0;
  if (!r.byte("kind", kind)) return false;
  if (kind == kOpRead) {
    out = Op::read();
    return true;
  }
  if (kind != kOpAdd) {
    return r.fail(DecodeErrorKind::out_of_range, "kind", start,
                  fmt::format("expected 0 (add) or 1 (read), got {}", kind));
  }
  std::int64_t delta = 0;
  if (!r.s("delta", delta)) return false;
  out = Op::add(delta);
  return true;
}

bool get(Reader& r, std::string_view field, Request& out) {
  const Reader::Scope scope(r, std::string(field));
  return get(r, "id", out.id) && get(r, "op", out.op);
}

bool get(Reader& r, std::string_view field, Snapshot& out) {
  const Reader::Scope scope(r, std::string(field));
  if (!r.u("commit_number", out.commit_number)) return false;
  if (!r.s("value", out.value)) return false;
  std::size_t count = 0;
  if (!r.count("clients", kMaxClients, count)) return false;
  out.clients.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const Reader::Scope item(r, fmt::format("clients[{}]", i));
    ClientRecord& record = out.clients[i];
    const std::size_t start = r.pos();
    if (!get(r, "request", record.request)) return false;
    if (i > 0 && out.clients[i - 1].request.client >= record.request.client) {
      return r.fail(DecodeErrorKind::unsorted, "request.client", start,
                    fmt::format("client {} follows client {}; records must be sorted by client "
                                "id, one per client",
                                record.request.client, out.clients[i - 1].request.client));
    }
    if (!r.s("value", record.value)) return false;
  }
  return true;
}

bool get(Reader& r, std::string_view field, Log& out) {
  const Reader::Scope scope(r, std::string(field));
  if (!get(r, "snapshot", out.snapshot)) return false;
  const std::size_t start = r.pos();
  std::size_t count = 0;
  if (!r.count("suffix", kMaxUncommitted, count)) return false;
  if (!log_fits(out.snapshot.commit_number, count)) {
    return r.fail(DecodeErrorKind::out_of_range, "suffix", start,
                  fmt::format("commit_number {} plus {} suffix entries exceeds 64 bits",
                              out.snapshot.commit_number, count));
  }
  out.suffix.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (!get(r, fmt::format("suffix[{}]", i), out.suffix[i])) return false;
  }
  return true;
}

bool get_body(Reader& r, Request& m) {
  return get(r, "id", m.id) && get(r, "op", m.op);
}

bool get_body(Reader& r, Reply& m) {
  return r.u("view", m.view) && get(r, "id", m.id) && r.s("value", m.value);
}

bool get_body(Reader& r, Prepare& m) {
  if (!r.u("view", m.view)) return false;
  if (!r.u_checked(
          "op_number", m.op_number, [](std::uint64_t op) { return op >= 1; }, "an op number >= 1"))
    return false;
  const OpNumber op_number = m.op_number;
  if (!r.u_checked(
          "commit_number", m.commit_number,
          [op_number](std::uint64_t commit) { return commit < op_number; },
          fmt::format("a commit number < op_number {}", op_number)))
    return false;
  return get(r, "request", m.request);
}

bool get_body(Reader& r, PrepareOk& m) {
  return r.u("view", m.view) && r.u("op_number", m.op_number) && get_replica(r, "from", m.from);
}

bool get_body(Reader& r, Commit& m) {
  return r.u("view", m.view) && r.u("commit_number", m.commit_number);
}

bool get_body(Reader& r, StartViewChange& m) {
  return r.u("view", m.view) && get_replica(r, "from", m.from);
}

bool get_body(Reader& r, DoViewChange& m) {
  return r.u("view", m.view) && r.u("last_normal_view", m.last_normal_view) &&
         get_replica(r, "from", m.from) && get(r, "log", m.log);
}

bool get_body(Reader& r, StartView& m) {
  return r.u("view", m.view) && get(r, "log", m.log);
}

bool get_body(Reader& r, GetState& m) {
  return r.u("view", m.view) && r.u("op_number", m.op_number) && get_replica(r, "from", m.from);
}

bool get_body(Reader& r, NewState& m) {
  return r.u("view", m.view) && get(r, "log", m.log);
}

bool get_body(Reader& r, Recovery& m) {
  return get_replica(r, "from", m.from) && r.u("nonce", m.nonce);
}

bool get_body(Reader& r, RecoveryResponse& m) {
  if (!r.u("view", m.view) || !r.u("nonce", m.nonce) || !get_replica(r, "from", m.from))
    return false;
  const std::size_t start = r.pos();
  std::uint8_t has_log = 0;
  if (!r.byte("has_log", has_log)) return false;
  if (has_log > 1) {
    return r.fail(DecodeErrorKind::out_of_range, "has_log", start,
                  fmt::format("expected 0 or 1, got {}", has_log));
  }
  if (has_log == 0) return true;
  return get(r, "log", m.log.emplace());
}

// Decodes the body of the alternative with index I, after the type byte.
template <std::size_t I>
bool get_alternative(Reader& r, Message& out) {
  using Alternative = std::variant_alternative_t<I, Message>;
  Alternative message;
  const Reader::Scope scope(r, to_string(static_cast<MessageType>(I + 1)));
  if (!get_body(r, message)) return false;
  out = std::move(message);
  return true;
}

// One decoder per alternative, indexed by type byte - 1.
template <std::size_t... I>
bool get_message(Reader& r, std::size_t index, Message& out, std::index_sequence<I...>) {
  using Decoder = bool (*)(Reader&, Message&);
  static constexpr Decoder decoders[] = {&get_alternative<I>...};
  return decoders[index](r, out);
}

}  // namespace

const char* to_string(DecodeErrorKind kind) {
  switch (kind) {
    case DecodeErrorKind::frame:
      return "frame";
    case DecodeErrorKind::empty:
      return "empty";
    case DecodeErrorKind::unknown_type:
      return "unknown_type";
    case DecodeErrorKind::truncated:
      return "truncated";
    case DecodeErrorKind::bad_varint:
      return "bad_varint";
    case DecodeErrorKind::out_of_range:
      return "out_of_range";
    case DecodeErrorKind::too_many:
      return "too_many";
    case DecodeErrorKind::unsorted:
      return "unsorted";
    case DecodeErrorKind::trailing_bytes:
      return "trailing_bytes";
  }
  assert(false && "to_string of a DecodeErrorKind outside the enum");
  return "?";
}

const Message& DecodeResult::message() const& {
  assert(ok() && "message() of a failed DecodeResult");
  return std::get<Message>(value_);
}

Message DecodeResult::message() && {
  assert(ok() && "message() of a failed DecodeResult");
  return std::get<Message>(std::move(value_));
}

const DecodeError& DecodeResult::error() const {
  assert(!ok() && "error() of a successful DecodeResult");
  return std::get<DecodeError>(value_);
}

std::string encode(const Message& message) {
  Writer w;
  w.byte(static_cast<std::uint8_t>(type_of(message)));
  std::visit([&w](const auto& m) { put_body(w, m); }, message);
  std::string body = std::move(w).take();
  assert(body.size() <= kMaxBodyBytes && "an encoded body beyond kMaxBodyBytes: a bound is wrong");
  return body;
}

namespace {

DecodeResult decode_at(std::string_view body, std::size_t base_offset) {
  Reader r(body, base_offset);
  if (body.empty()) {
    r.fail_whole(DecodeErrorKind::empty, 0, "empty message: no type byte");
    return DecodeResult::failure(std::move(r).take_error());
  }
  const auto type = static_cast<std::uint8_t>(body[0]);
  constexpr std::size_t kTypes = std::variant_size_v<Message>;
  if (type < 1 || type > kTypes) {
    r.fail_whole(DecodeErrorKind::unknown_type, 0,
                 fmt::format("type byte {} at byte {} is not a message type (1 .. {})", type,
                             base_offset, kTypes));
    return DecodeResult::failure(std::move(r).take_error());
  }
  std::uint8_t skipped = 0;
  const bool have_type = r.byte("type", skipped);
  assert(have_type && "the type byte was checked above");
  (void)have_type;
  Message message;
  if (!get_message(r, type - 1U, message, std::make_index_sequence<kTypes>{})) {
    return DecodeResult::failure(std::move(r).take_error());
  }
  if (r.pos() != body.size()) {
    r.fail_whole(DecodeErrorKind::trailing_bytes, r.pos(),
                 fmt::format("{} trailing byte{} at byte {}, after a complete {}",
                             body.size() - r.pos(), body.size() - r.pos() == 1 ? "" : "s",
                             base_offset + r.pos(), to_string(type_of(message))));
    return DecodeResult::failure(std::move(r).take_error());
  }
  return DecodeResult::success(std::move(message));
}

}  // namespace

DecodeResult decode(std::string_view body) {
  return decode_at(body, 0);
}

std::string encode_datagram(const Message& message) {
  return net::encode_frame(encode(message));
}

DecodeResult decode_datagram(std::string_view datagram) {
  const net::FrameResult frame = net::decode_datagram(datagram);
  if (!frame) {
    const net::FrameError& error = frame.error();
    return DecodeResult::failure(DecodeError{DecodeErrorKind::frame,
                                             static_cast<std::size_t>(error.offset), "frame",
                                             fmt::format("frame: {}", error.message)});
  }
  return decode_at(frame.body(), net::kFrameHeaderBytes);
}

std::string describe_datagram(std::string_view datagram) {
  const DecodeResult result = decode_datagram(datagram);
  if (!result) return "malformed: " + result.error().message;
  return describe(result.message());
}

std::string encode_log(const Log& log) {
  Writer w;
  put(w, log);
  std::string bytes = std::move(w).take();
  assert(bytes.size() <= kMaxLogBytes && "an encoded log beyond kMaxLogBytes: a bound is wrong");
  return bytes;
}

std::variant<Log, DecodeError> decode_log(std::string_view bytes, std::size_t base_offset) {
  Reader r(bytes, base_offset);
  Log log;
  if (!get(r, "Log", log)) return std::move(r).take_error();
  if (r.pos() != bytes.size()) {
    r.fail_whole(
        DecodeErrorKind::trailing_bytes, r.pos(),
        fmt::format("{} trailing byte{} at byte {}, after a complete Log", bytes.size() - r.pos(),
                    bytes.size() - r.pos() == 1 ? "" : "s", base_offset + r.pos()));
    return std::move(r).take_error();
  }
  return log;
}

}  // namespace ladder::protocol
