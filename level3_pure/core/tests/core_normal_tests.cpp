/// \file
/// Normal operation: the pipeline's bound (docs/protocol.md N2c at kMaxUncommitted). The rules
/// N1-N8 and A1 one input at a time are a transcript: level3_pure/core/testdata/normal.txt.

#include <catch2/catch.hpp>

#include "level3_pure/core/tests/core_support.hpp"

namespace ladder::level3::test {
namespace {

constexpr net::NodeId kClient0 = 3;  // client 0's node in a 3-replica cluster

TEST_CASE("N2c: a request beyond kMaxUncommitted uncommitted ops is ignored (pipeline full)",
          "[level3][normal]") {
  Replica r0 = fresh(0);
  for (std::uint64_t c = 0; c < protocol::kMaxUncommitted; ++c) {
    const auto client = static_cast<spec::ClientId>(c);
    feed(r0, from(kClient0 + client, add(client, 1, 1)));
  }
  REQUIRE(r0.op_number() == protocol::kMaxUncommitted);
  REQUIRE(r0.commit_number() == 0);
  CHECK(step(r0, from(kClient0, add(0, 2, 1))).rule == Rule::ignored_pipeline_full);
}

}  // namespace
}  // namespace ladder::level3::test
