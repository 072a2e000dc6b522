#include "level0/naive_client.hpp"

#include <cassert>
#include <limits>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "level0/messages.hpp"

namespace ladder::level0 {

namespace {

// "add(+3)" or "read", as the notes and the log print an operation.
std::string describe(const net::PlannedOp& op) {
  return op.read ? std::string("read") : fmt::format("add({:+})", op.delta);
}

// a + b, or nullopt when the sum does not fit in 64 bits.
std::optional<std::int64_t> checked_add(std::int64_t a, std::int64_t b) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  if (b > 0 && a > kMax - b) return std::nullopt;
  if (b < 0 && a < kMin - b) return std::nullopt;
  return a + b;
}

}  // namespace

std::string_view timer_name(std::uint64_t tag) {
  if (tag == kThinkTimer) return "think time over";
  if (tag == kReplyTimer) return "reply timeout";
  return {};
}

NaiveClient::NaiveClient(ClientSetup setup, net::Time reply_timeout_ms)
    : setup_(std::move(setup)), reply_timeout_ms_(reply_timeout_ms) {
  assert(setup_.history != nullptr && "a client needs a history to record into");
  assert(setup_.topology.replicas > 0 && "a client needs a replica to talk to");
  assert(reply_timeout_ms_ > 0 && "a zero timeout fails every operation");
  home_ = setup_.topology.replica(setup_.index % setup_.topology.replicas);
}

bool NaiveClient::done() const {
  return next_ == setup_.ops.size();
}

spec::ClientId NaiveClient::client_id() const {
  return static_cast<spec::ClientId>(setup_.index);
}

const net::PlannedOp& NaiveClient::current() const {
  assert(next_ < setup_.ops.size() && "no operation in progress");
  return setup_.ops[next_];
}

void NaiveClient::on_start(net::NodeContext& ctx) {
  if (waiting_) {
    // Restarted after a crash while waiting for the home replica's value. Stores are sent only
    // after the value arrives, so nothing of this operation reached any replica: it failed.
    fail(ctx, "crashed while waiting for its value");
    return;
  }
  think(ctx);
}

void NaiveClient::on_crash() {
  // The network forgets our timers; the outstanding operation (if any) is settled on restart.
  reply_timer_.reset();
}

//! [client-timer]
void NaiveClient::on_timer(net::NodeContext& ctx, std::uint64_t tag) {
  if (tag == kThinkTimer) {
    invoke(ctx);
    return;
  }
  assert(tag == kReplyTimer && "a timer this client never armed");
  assert(waiting_ && "a reply timeout fires only while a get is out");
  reply_timer_.reset();
  // No reply means the client never sent a store: the stores go out only once the value has
  // arrived. So the add certainly did not happen, and "fail" is the truth. (From level 1 on a
  // timeout can also mean "it ran, but the reply was lost", and the answer becomes "info".)
  fail(ctx, fmt::format("no reply from {} within {} ms", setup_.topology.name(home_),
                        reply_timeout_ms_));
}
//! [client-timer]

void NaiveClient::think(net::NodeContext& ctx) {
  assert(!waiting_ && "think only between operations");
  if (done()) {
    ctx.note("done");
    return;
  }
  ctx.set_timer(current().think_ms, kThinkTimer);
}

void NaiveClient::invoke(net::NodeContext& ctx) {
  assert(!waiting_ && "one operation at a time");
  const net::PlannedOp& op = current();
  setup_.history->invoke(ctx.now(), client_id(), op.read ? spec::OpKind::read : spec::OpKind::add,
                         op.read ? 0 : op.delta);
  ctx.note(fmt::format("invoke {}", describe(op)));
  ctx.send(home_, encode({MessageKind::get, 0}));
  reply_timer_ = ctx.set_timer(reply_timeout_ms_, kReplyTimer);
  waiting_ = true;
}

void NaiveClient::on_message(net::NodeContext& ctx, net::NodeId from, std::string_view payload) {
  const auto message = decode(payload);
  if (!message || message->kind != MessageKind::value) {
    reject(ctx, "malformed or not for a client", payload);
    return;
  }
  if (!waiting_) {
    reject(ctx, "a reply nobody is waiting for", payload);
    return;
  }
  // No request ids: any "value" is taken as the answer to the get in progress, even one that
  // answers an older get that already timed out, or comes from a replica that is not home.
  (void)from;
  if (current().read) {
    finish_read(ctx, message->value);
  } else {
    finish_add(ctx, message->value);
  }
}

//! [client-add]
void NaiveClient::finish_add(net::NodeContext& ctx, std::int64_t home_value) {
  assert(reply_timer_.has_value() && "waiting without a timeout");
  const net::PlannedOp& op = current();
  const auto updated = checked_add(home_value, op.delta);
  if (!updated) {
    reject(ctx, "a value the add would overflow", encode({MessageKind::value, home_value}));
    return;
  }
  // Fire and forget: every replica is told the new value, nobody is asked to confirm, and the
  // client reports success before a single store has arrived anywhere.
  for (int i = 0; i < setup_.topology.replicas; ++i) {
    ctx.send(setup_.topology.replica(i), encode({MessageKind::store, *updated}));
  }
  ctx.cancel_timer(*reply_timer_);
  reply_timer_.reset();
  waiting_ = false;
  setup_.history->ok(ctx.now(), client_id());
  ctx.note(fmt::format("ok {}: {} + {} = {}, sent to every replica", describe(op), home_value,
                       op.delta, *updated));
  ++next_;
  think(ctx);
}
//! [client-add]

void NaiveClient::finish_read(net::NodeContext& ctx, std::int64_t home_value) {
  assert(reply_timer_.has_value() && "waiting without a timeout");
  ctx.cancel_timer(*reply_timer_);
  reply_timer_.reset();
  waiting_ = false;
  setup_.history->ok(ctx.now(), client_id(), home_value);
  ctx.note(fmt::format("ok read: {}", home_value));
  ++next_;
  think(ctx);
}

void NaiveClient::fail(net::NodeContext& ctx, std::string_view why) {
  assert(waiting_ && "only an outstanding operation can fail");
  waiting_ = false;
  setup_.history->fail(ctx.now(), client_id());
  ctx.note(fmt::format("fail {}: {}", describe(current()), why));
  ++next_;
  think(ctx);
}

void NaiveClient::reject(net::NodeContext& ctx, std::string_view why, std::string_view payload) {
  ++rejected_;
  ctx.note(fmt::format("ignored \"{}\": {}", payload, why));
}

}  // namespace ladder::level0
