// libFuzzer target for the protocol's decoders: whatever bytes arrive, decode_datagram, decode and
// decode_log return a value or an error, never crash, and accept only canonical bytes (what
// decodes re-encodes to exactly the input).
//
// Build and run it (clang only; libFuzzer ships in libclang-rt-14-dev):
//
//     CXX=clang++ cmake --preset default -B build/fuzz -DLADDER_FUZZ=ON
//     cmake --build build/fuzz --target ladder_datagram_fuzz
//     build/fuzz/protocol/ladder_datagram_fuzz -max_total_time=60
//
// The whole input is tried as a datagram (frame and body), as a bare body and as a bare log, so
// that the fuzzer need not learn the frame's length bytes to reach the message decoders.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "network/fuzz/require.hpp"
#include "protocol/codec.hpp"

namespace {

using ladder::protocol::DecodeError;
using ladder::protocol::DecodeResult;

using ladder::fuzz::require;

// An error names its problem in a sentence and points inside (or just past) the input.
void require_explained(const DecodeError& error, std::string_view input) {
  require(!error.message.empty());
  require(error.offset <= input.size());
}

void check_datagram(std::string_view input) {
  const DecodeResult result = ladder::protocol::decode_datagram(input);
  if (result) {
    require(ladder::protocol::encode_datagram(result.message()) == input);
  } else {
    require_explained(result.error(), input);
  }
  require(!ladder::protocol::describe_datagram(input).empty());
}

void check_body(std::string_view input) {
  const DecodeResult result = ladder::protocol::decode(input);
  if (result) {
    const std::string body = ladder::protocol::encode(result.message());
    require(body == input);
    require(body.size() <= ladder::protocol::kMaxBodyBytes);
  } else {
    require_explained(result.error(), input);
  }
}

void check_log(std::string_view input) {
  const std::variant<ladder::protocol::Log, DecodeError> result =
      ladder::protocol::decode_log(input);
  if (const auto* log = std::get_if<ladder::protocol::Log>(&result)) {
    require(ladder::protocol::encode_log(*log) == input);
  } else {
    require_explained(std::get<DecodeError>(result), input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Reinterpreting bytes as chars is the one cast a byte parser needs.
  const std::string_view input(reinterpret_cast<const char*>(data), size);  // NOLINT
  check_datagram(input);
  check_body(input);
  check_log(input);
  return 0;
}
