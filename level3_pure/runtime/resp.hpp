#pragma once
/// \file
/// The Redis protocol (RESP2) for the replicated counter: an incremental parser of what clients
/// send, an encoder of what servers answer, and the mapping from Redis commands to the counter's
/// two operations, so that `redis-cli` and `redis-benchmark` talk to a ladder cluster unchanged.
///
/// What clients send comes in two forms, and a connection may mix them:
///
///     *2\r\n$4\r\nINCR\r\n$1\r\nx\r\n     an array of bulk strings (every client library)
///     INCR x\r\n                           an inline command (telnet users; "\n" alone also ends
///     it)
///
/// Many commands may arrive in one read (pipelining), and one command may be split across reads at
/// any byte: the parser keeps what it has not consumed and resumes. Every length a client announces
/// is checked against RespLimits before a byte of what it announces is buffered, so a connection
/// never holds more than about `max_command_bytes`. Malformed input is answered like Redis does,
/// "-ERR Protocol error: ..." (with the byte where it was found), after which the parser yields
/// nothing more and the server closes the connection. Parsing never throws and never asserts on
/// input.
///
/// **One counter.** The cluster holds a single counter, so every key names it: `INCR a` and
/// `INCR b` add to the same value, and `GET anything` reads it. (redis-benchmark's key is
/// `counter:__rand_int__`; it does not matter.)
///
/// | command          | counter operation | reply (as Redis)                         |
/// |------------------|-------------------|------------------------------------------|
/// | INCR key         | add(+1)           | `:value` after the add                   |
/// | INCRBY key n     | add(n)            | `:value`                                 |
/// | DECR key         | add(-1)           | `:value`                                 |
/// | DECRBY key n     | add(-n)           | `:value`                                 |
/// | GET key          | read()            | `$` bulk string of the value, e.g. "12"  |
/// | PING [msg]       | local             | `+PONG`, or msg as a bulk string         |
/// | ECHO msg         | local             | msg as a bulk string                     |
/// | INFO [section]   | local (info hook) | bulk string of `key:value` lines         |
/// | COMMAND ...      | local             | `*0` (no command table: clients go on)   |
/// | CONFIG GET p ... | local             | `save` -> "", `appendonly` -> "no"       |
/// | QUIT             | local             | `+OK`, then the server closes            |
///
/// Anything else: "-ERR unknown command 'SET': this server is a replicated counter; it knows
/// INCR, INCRBY, DECR, DECRBY, GET, PING". Argument errors read as Redis's: "-ERR wrong number of
/// arguments for 'incrby' command", "-ERR value is not an integer or out of range".
///
/// **Overflow.** Redis answers "-ERR increment or decrement would overflow" when value + n leaves
/// the 64-bit range. The door cannot check that: it does not know the value, and the value an add
/// meets is decided later, by the add's place in the replicated log. What the door can know, it
/// rejects: an n that is not a 64-bit integer, and `DECRBY key -9223372036854775808` (whose
/// negation does not exist; Redis: "-ERR decrement would overflow"). The level-3 core adds in
/// 64-bit two's complement (it wraps), so at the limits ladder's counter and Redis's differ; a
/// backend that wants Redis's behaviour answers CommandOutcome::error with Redis's text.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ladder::level3 {

/// What one connection may send, so that its memory stays bounded.
struct RespLimits {
  /// The longest bulk string (`$n`); Redis's own default is 512 MiB, a counter needs a few bytes.
  std::size_t max_bulk_bytes = 64 * 1024;
  /// The most elements in one array (`*n`); the counter's commands have at most 3.
  std::size_t max_array_length = 1024;
  /// The longest line: an inline command, or a `*n` / `$n` header (Redis: 64 KiB inline).
  std::size_t max_line_bytes = 64 * 1024;
  /// The most bytes one command may hold, all its arguments together (array commands).
  std::size_t max_command_bytes = 1024 * 1024;
};

/// One command as the client sent it: the name (any case) and its arguments, all as raw bytes.
struct RespCommand {
  std::vector<std::string> args;  ///< args[0] is the command's name; never empty
};

/// Why the parser stopped: Redis's wording plus where.
struct RespProtocolError {
  std::uint64_t offset = 0;  ///< the byte, from the start of the connection, where it was found
  /// The error line without its "-": e.g. "ERR Protocol error: invalid bulk length '-7' at byte
  /// 9". Encode it with resp_error().
  std::string message;
};

/// One thing the parser yields: a command, or the error that ends the connection.
using RespParsed = std::variant<RespCommand, RespProtocolError>;

/// An incremental RESP2 request parser for one connection. feed() what arrives, then call next()
/// until it returns nothing. After it yields a RespProtocolError it yields nothing more.
class RespParser {
 public:
  /// A parser enforcing `limits`.
  explicit RespParser(RespLimits limits = {});

  /// Appends bytes that arrived (any split). Bytes fed after an error are counted and dropped.
  void feed(std::string_view bytes);
  /// The next complete command, or the protocol error, or nothing when more bytes are needed.
  /// Empty inline lines and empty arrays (`*0`, `*-1`) are skipped, as Redis does.
  std::optional<RespParsed> next();

  /// True once a protocol error was yielded.
  [[nodiscard]] bool failed() const { return failed_; }
  /// Bytes held that no command has consumed yet (bounded by the limits).
  [[nodiscard]] std::size_t buffered_bytes() const { return buffer_.size() - consumed_; }
  /// Commands yielded so far.
  [[nodiscard]] std::uint64_t commands() const { return commands_; }
  /// Every byte given to feed().
  [[nodiscard]] std::uint64_t bytes_fed() const { return bytes_fed_; }

 private:
  enum class Stage { start, array_item, bulk_body };
  enum class Progress { need_more, yielded, again };
  // How errors name a header: "too big <too_big>", "invalid <invalid> '...'" (Redis's words).
  struct HeaderWords {
    const char* too_big;
    const char* invalid;
  };

  Progress read_header(std::optional<RespParsed>& out, const HeaderWords& words, std::int64_t min,
                       std::int64_t max, std::int64_t& number);

  Progress parse_inline(std::optional<RespParsed>& out);
  Progress parse_array_header(std::optional<RespParsed>& out);
  Progress parse_bulk_header(std::optional<RespParsed>& out);
  Progress parse_bulk_body(std::optional<RespParsed>& out);
  Progress fail(std::optional<RespParsed>& out, std::size_t at, const std::string& what);
  std::optional<std::size_t> find_newline();
  void compact();

  RespLimits limits_;
  std::string buffer_;
  std::size_t consumed_ = 0;       // bytes of buffer_ already parsed
  std::size_t scanned_ = 0;        // bytes after consumed_ known to hold no '\n'
  std::uint64_t buffer_base_ = 0;  // the connection offset of buffer_[0]
  Stage stage_ = Stage::start;
  std::size_t array_left_ = 0;  // elements of the current array still to read
  std::size_t bulk_size_ = 0;   // length of the bulk string being read
  std::size_t command_bytes_ = 0;
  RespCommand pending_;
  bool failed_ = false;
  std::uint64_t commands_ = 0;
  std::uint64_t bytes_fed_ = 0;
};

/// `+text\r\n`. CR and LF in `text` (which a simple string cannot hold) become spaces.
std::string resp_simple(std::string_view text);
/// `-text\r\n`, text such as "ERR value is not an integer or out of range". CR and LF become
/// spaces.
std::string resp_error(std::string_view text);
/// `:n\r\n`.
std::string resp_integer(std::int64_t n);
/// `$len\r\nbytes\r\n`: any bytes.
std::string resp_bulk(std::string_view bytes);
/// `$-1\r\n`: the null bulk string (Redis's GET of a missing key).
std::string resp_null_bulk();
/// `*n\r\n` followed by each element as a bulk string.
std::string resp_bulk_array(const std::vector<std::string>& elements);

/// One of the counter's operations, as the door hands it to the backend.
struct CounterCommand {
  /// add(delta) or read().
  enum class Kind { add, read };
  Kind kind = Kind::read;  ///< which operation
  std::int64_t delta = 0;  ///< for add: what to add (negative for DECR, DECRBY); 0 for read
};

/// What the backend answers for one CounterCommand.
struct CommandOutcome {
  /// How the command ended.
  enum class Kind {
    ok,       ///< done: `value` is the counter after the add, or the value read
    unknown,  ///< no answer in time: the add may or may not have happened (a read: no value)
    error,    ///< refused, surely not applied: `message` says why
  };
  Kind kind = Kind::ok;    ///< how it ended
  std::int64_t value = 0;  ///< for ok
  /// For unknown: why, e.g. "the cluster did not answer in 2000 ms" (the door adds what it means
  /// for the command). For error: the error line, e.g. "ERR no primary" or "CLUSTERDOWN ..." (an
  /// uppercase first word is the error code, as in Redis; without one the door adds "ERR ").
  std::string message;

  /// An ok outcome.
  static CommandOutcome ok(std::int64_t value) { return {Kind::ok, value, {}}; }
  /// An unknown outcome; `why` as for `message`.
  static CommandOutcome unknown(std::string why) { return {Kind::unknown, 0, std::move(why)}; }
  /// An error outcome; `line` as for `message`.
  static CommandOutcome error(std::string line) { return {Kind::error, 0, std::move(line)}; }
};

/// A command the door hands to the backend, with the name to use in its reply.
struct RespCounterRequest {
  CounterCommand command;  ///< the operation
  std::string name;        ///< the command's name in upper case: "INCR", "DECRBY", "GET"
};

/// A command the door answers itself; `reply` is the encoded answer.
struct RespLocalReply {
  std::string reply;   ///< the whole encoded reply, e.g. "+PONG\r\n"
  bool close = false;  ///< close the connection after sending it (QUIT)
};

/// INFO: the door answers it with the node's info hook (local; no cluster needed).
struct RespInfoRequest {};

/// What the door does with one command.
using RespDecision = std::variant<RespCounterRequest, RespLocalReply, RespInfoRequest>;

/// Maps one parsed command to what the door does: a counter operation, a local reply (PING,
/// errors, COMMAND, CONFIG GET, QUIT) or INFO. Command names are case-insensitive.
RespDecision interpret(const RespCommand& command);

/// The reply to a counter command: `:value` for adds, a bulk string for GET; for an unknown
/// outcome "-TIMEOUT <why>; the INCR may or may not have happened" (a read: "...; no value was
/// read"); for an error "-<message>".
std::string encode_outcome(const RespCounterRequest& request, const CommandOutcome& outcome);

/// The reply to INFO: `text` (the node's `key:value` lines) as a bulk string, as Redis does.
std::string encode_info(std::string_view text);

/// The other way, for a client of the door: the `key:value` lines of an INFO text (the bulk
/// string's contents), as a map; "# Section" lines, blank lines and lines without a colon are
/// skipped, and a value keeps any colon after the first.
std::map<std::string, std::string> parse_info(std::string_view text);

/// Parses a decimal 64-bit integer exactly as Redis does (string2ll): optional '-', digits, no
/// '+', no spaces, no leading zeros, in range. Nothing when it is not one.
std::optional<std::int64_t> parse_redis_integer(std::string_view text);

}  // namespace ladder::level3
