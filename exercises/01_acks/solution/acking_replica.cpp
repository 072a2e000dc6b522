#include "acking_replica.hpp"

#include <fmt/format.h>

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
void AckingReplica::on_store(net::NodeContext& ctx, net::NodeId from, Version version,
                             std::int64_t value) {
  // Only a newer version may replace what is here: a retransmitted or duplicated copy of an
  // older store can arrive after a newer one, and must not undo it.
  if (version > version_) {
    ctx.note(fmt::format("stores version {} = {} (had version {} = {})", version, value, version_,
                         value_));
    version_ = version;
    value_ = value;
  }
  // Acknowledge even a store it did not take: it holds that version or a newer one, which is all
  // the writer needs to know. Acknowledging twice is harmless; staying silent would make the
  // writer retransmit until it gives up.
  ctx.send(from, encode({MessageKind::stored, version, 0}), net::MessageClass::response);
}
//! [part-1]

void AckingReplica::on_crash() {
  version_ = 0;
  value_ = 0;
}

}  // namespace ladder::ex01
