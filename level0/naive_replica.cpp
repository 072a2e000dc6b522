#include "level0/naive_replica.hpp"

#include <fmt/format.h>

#include "level0/messages.hpp"

namespace ladder::level0 {

//! [replica]
void NaiveReplica::on_message(net::NodeContext& ctx, net::NodeId from, std::string_view payload) {
  const auto message = decode(payload);
  if (!message || message->kind == MessageKind::value) {
    ++rejected_;
    ctx.note(fmt::format("ignored a message it cannot use: \"{}\"", payload));
    return;
  }
  if (message->kind == MessageKind::get) {
    ctx.send(from, encode({MessageKind::value, value_}), net::MessageClass::response);
    return;
  }
  // A store overwrites whatever is here. The replica cannot know whether this store was computed
  // from its current value or from one that is long gone.
  ctx.note(fmt::format("stores {} (had {})", message->value, value_));
  value_ = message->value;
}
//! [replica]

void NaiveReplica::on_crash() {
  // The value lived only in memory; a restarted replica starts again from 0.
  value_ = 0;
}

}  // namespace ladder::level0
