// libFuzzer target for the frame decoder: whatever bytes arrive, in whatever pieces, the decoder
// returns frames or one error, never crashes, and never holds more than one frame's worth.
//
// Build and run it (clang only; libFuzzer ships in libclang-rt-14-dev):
//
//     CXX=clang++ cmake --preset default -B build/fuzz -DLADDER_FUZZ=ON
//     cmake --build build/fuzz --target ladder_frame_fuzz
//     build/fuzz/network/ladder_frame_fuzz -max_total_time=60
//
// The first input byte picks the piece size the stream is cut into, and the second a small frame
// limit, so that the fuzzer explores split headers and the limit's edge as well as the bytes.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "network/frame.hpp"
#include "network/fuzz/require.hpp"

namespace {

using ladder::fuzz::require;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) {
    return 0;
  }
  const std::size_t piece = std::size_t{data[0]} % 16 + 1;
  const std::size_t limit = std::size_t{data[1]} + 1;
  // Reinterpreting bytes as chars is the one cast a byte parser needs.
  const std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);  // NOLINT

  ladder::net::FrameDecoder decoder(limit);
  std::size_t outcomes = 0;
  std::size_t errors = 0;
  for (std::size_t pos = 0; pos < input.size(); pos += piece) {
    decoder.feed(input.substr(pos, piece));
    while (auto frame = decoder.next()) {
      ++outcomes;
      if (frame->ok()) {
        require(frame->body().size() < limit);
      } else {
        ++errors;
        require(!frame->error().message.empty());
      }
    }
    require(decoder.buffered_bytes() < 4 + limit);
  }
  require(errors <= 1);
  require(decoder.frames() + decoder.errors() == outcomes);
  require(decoder.bytes_fed() == input.size());

  const ladder::net::FrameResult datagram = ladder::net::decode_datagram(input, limit);
  if (datagram.ok()) {
    // A whole datagram is exactly one frame: re-encoding gives the same bytes back.
    require(ladder::net::encode_frame(datagram.body(), limit) == input);
  }
  return 0;
}
