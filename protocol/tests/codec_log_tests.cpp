/// \file
/// encode_log and decode_log: a Log on its own, in exactly the bytes it has inside a message, for
/// storage outside one (level 3's durable log keeps a replica's log this way).

#include <string>
#include <variant>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "network/rng.hpp"
#include "protocol/codec.hpp"
#include "protocol/tests/sample_messages.hpp"

namespace ladder::protocol {
namespace {

Log decoded(const std::string& bytes) {
  std::variant<Log, DecodeError> result = decode_log(bytes);
  const DecodeError* error = std::get_if<DecodeError>(&result);
  INFO((error != nullptr ? error->message : std::string("ok")));
  REQUIRE(error == nullptr);
  return std::get<Log>(std::move(result));
}

DecodeError failed(const std::string& bytes, std::size_t base_offset = 0) {
  std::variant<Log, DecodeError> result = decode_log(bytes, base_offset);
  REQUIRE(std::holds_alternative<DecodeError>(result));
  return std::get<DecodeError>(std::move(result));
}

TEST_CASE("a log is encoded with the same bytes it has inside a StartView", "[codec][log]") {
  const Log log = test::sample_log();
  // A StartView body is the type byte, the view (one byte for view 2), then the log.
  const std::string body = encode(StartView{2, log});
  CHECK(encode_log(log) == body.substr(2));
  CHECK(decoded(encode_log(log)) == log);
}

TEST_CASE("the empty log is four zero bytes", "[codec][log]") {
  // commit_number 0, value 0, no clients, no suffix.
  CHECK(encode_log(Log{}) == std::string(4, '\0'));
  CHECK(decoded(std::string(4, '\0')) == Log{});
}

TEST_CASE("the widest log is exactly kMaxLogBytes long", "[codec][log][bounds]") {
  const std::string bytes = encode_log(test::widest_log());
  CHECK(bytes.size() == kMaxLogBytes);
  CHECK(decoded(bytes) == test::widest_log());
}

TEST_CASE("1,000 random logs decode to themselves", "[codec][log][random]") {
  net::Rng rng(6);
  for (int i = 0; i < 1'000; ++i) {
    const Log log = test::random_log(rng);
    const std::string bytes = encode_log(log);
    REQUIRE(bytes.size() <= kMaxLogBytes);
    REQUIRE(decoded(bytes) == log);
  }
}

TEST_CASE("decode_log rejects a trailing byte, naming it", "[codec][log][errors]") {
  const DecodeError error = failed(encode_log(test::sample_log()) + "x");
  CHECK(error.kind == DecodeErrorKind::trailing_bytes);
  CHECK(error.offset == encode_log(test::sample_log()).size());
  CHECK(error.message == fmt::format("1 trailing byte at byte {}, after a complete Log",
                                     encode_log(test::sample_log()).size()));
}

TEST_CASE("decode_log counts offsets from base_offset and names the field",
          "[codec][log][errors]") {
  std::string bytes = encode_log(test::sample_log());
  bytes.pop_back();  // the suffix's last add loses its delta
  const DecodeError error = failed(bytes, 100);
  CHECK(error.kind == DecodeErrorKind::truncated);
  CHECK(error.field == "Log.suffix[0].op.delta");
  CHECK(error.offset == 100 + bytes.size());
  CHECK(error.message.find(fmt::format("at byte {}", 100 + bytes.size())) != std::string::npos);
}

TEST_CASE("decode_log of every prefix of a log fails without crashing", "[codec][log][errors]") {
  const std::string bytes = encode_log(test::widest_log());
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    const DecodeError error = failed(bytes.substr(0, size));
    REQUIRE(error.kind == DecodeErrorKind::truncated);
    REQUIRE(error.offset <= size);
  }
}

}  // namespace
}  // namespace ladder::protocol
