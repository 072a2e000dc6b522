#include "acking_cast.hpp"

#include <memory>

#include "acking_replica.hpp"

namespace ladder::ex01 {

level0::Cast acking_cast(RetryPolicy retry) {
  level0::Cast cast;
  cast.make_replica = [](int, const net::Topology&) { return std::make_unique<AckingReplica>(); };
  cast.make_client = [retry](const level0::ClientSetup& setup) {
    return std::make_unique<AckingClient>(setup, retry);
  };
  return cast;
}

}  // namespace ladder::ex01
