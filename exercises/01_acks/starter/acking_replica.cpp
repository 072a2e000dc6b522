#include "acking_replica.hpp"

#include <fmt/format.h>

#include "exercises/01_acks/given/your_code_here.hpp"

namespace ladder::ex01 {

void AckingReplica::on_message(net::NodeContext& ctx, net::NodeId from, std::string_view payload) {
  const auto message = decode(payload);
  if (!message || message->kind == MessageKind::value || message->kind == MessageKind::stored) {
    ++rejected_;
    ctx.note(fmt::format("ignored a message it cannot use: \"{}\"", payload));
    return;
  }
  if (message->kind == MessageKind::get) {
    ctx.send(from, encode({MessageKind::value, version_, value_}), net::MessageClass::response);
    return;
  }
  on_store(ctx, from, message->version, message->value);
}

//! [part-1]
// Part 1: take the store when `version` is newer than the version held (a late copy of an older
// store must not undo a newer one), then acknowledge it to `from` with "stored <version>",
// whether it was taken or not (why? see the README). Replies are net::MessageClass::response.
void AckingReplica::on_store([[maybe_unused]] net::NodeContext& ctx,
                             [[maybe_unused]] net::NodeId from, [[maybe_unused]] Version version,
                             [[maybe_unused]] std::int64_t value) {
  your_code_here(
      "part 1: AckingReplica::on_store must keep the newest version and acknowledge every store "
      "with \"stored n\"");
}
//! [part-1]

void AckingReplica::on_crash() {
  version_ = 0;
  value_ = 0;
}

}  // namespace ladder::ex01
