#include "acking_client.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace ladder::ex01 {

namespace {

// Timer tags: what a firing timer means to the client.
constexpr std::uint64_t kThinkTag = 1;  // the pause before the next operation is over
constexpr std::uint64_t kRetryTag = 2;  // an answer did not come in time: send again

// "add(+3)" or "read", as the notes print an operation.
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

AckingClient::AckingClient(level0::ClientSetup setup, RetryPolicy retry)
    : setup_(std::move(setup)), retry_(retry) {
  assert(setup_.history != nullptr && "a client needs a history to record into");
  assert(setup_.topology.replicas > 0 && "a client needs a replica to talk to");
  assert(retry_.interval_ms > 0 && "a zero interval retransmits in a busy loop");
  assert(retry_.attempts_max > 0 && "a client must send at least once");
  home_ = setup_.topology.replica(setup_.index % setup_.topology.replicas);
}

bool AckingClient::done() const {
  return next_ == setup_.ops.size();
}

spec::ClientId AckingClient::client_id() const {
  return static_cast<spec::ClientId>(setup_.index);
}

const net::PlannedOp& AckingClient::current() const {
  assert(next_ < setup_.ops.size() && "no operation in progress");
  return setup_.ops[next_];
}

void AckingClient::on_start(net::NodeContext& ctx) {
  // After a restart the operation in progress is settled first: a get that never got its value
  // sent no store (fail); a store may have reached some replicas (info).
  if (phase_ == Phase::getting) {
    complete_fail(ctx, "crashed while waiting for its value");
    return;
  }
  if (phase_ == Phase::storing) {
    complete_info(ctx, "crashed while waiting for acknowledgements");
    return;
  }
  think(ctx);
}

void AckingClient::on_crash() {
  retry_timer_.reset();
}

void AckingClient::on_timer(net::NodeContext& ctx, std::uint64_t tag) {
  if (tag == kThinkTag) {
    invoke(ctx);
    return;
  }
  assert(tag == kRetryTag && "a timer this client never armed");
  assert(phase_ != Phase::idle && "the retry timer runs only while an operation is out");
  retry_timer_.reset();
  on_retry_timer(ctx);
}

void AckingClient::on_message(net::NodeContext& ctx, net::NodeId from, std::string_view payload) {
  const auto message = decode(payload);
  if (!message) {
    ignore(ctx, "malformed", payload);
    return;
  }
  switch (message->kind) {
    case MessageKind::value:
      on_value(ctx, from, message->version, message->value);
      return;
    case MessageKind::stored:
      on_stored(ctx, from, message->version);
      return;
    case MessageKind::get:
    case MessageKind::store:
      ignore(ctx, "a request, and clients serve none", payload);
      return;
  }
}

void AckingClient::think(net::NodeContext& ctx) {
  assert(phase_ == Phase::idle && "think only between operations");
  if (done()) {
    ctx.note("done");
    return;
  }
  ctx.set_timer(current().think_ms, kThinkTag);
}

void AckingClient::invoke(net::NodeContext& ctx) {
  assert(phase_ == Phase::idle && "one operation at a time");
  const net::PlannedOp& op = current();
  setup_.history->invoke(ctx.now(), client_id(), op.read ? spec::OpKind::read : spec::OpKind::add,
                         op.read ? 0 : op.delta);
  ctx.note(fmt::format("invoke {}", describe(op)));
  phase_ = Phase::getting;
  attempts_ = 0;
  send_get(ctx);
}

void AckingClient::send_get(net::NodeContext& ctx) {
  assert(phase_ == Phase::getting && "a get belongs to the getting phase");
  ctx.send(home_, encode({MessageKind::get, 0, 0}));
  ++attempts_;
  arm_retry(ctx);
}

void AckingClient::on_value(net::NodeContext& ctx, net::NodeId from, Version version,
                            std::int64_t value) {
  const std::string payload = encode({MessageKind::value, version, value});
  if (phase_ != Phase::getting || from != home_) {
    ignore(ctx, "a reply to a get that is over", payload);
    return;
  }
  // A retried or duplicated get can be answered twice, and the second answer can arrive during a
  // later operation. Its version gives it away: it is older than what this client already knows.
  if (version < confirmed_version_) {
    ignore(ctx,
           fmt::format("a late reply: version {} is older than {}", version, confirmed_version_),
           payload);
    return;
  }
  confirmed_version_ = version;
  if (current().read) {
    complete_ok(ctx, value, fmt::format("read: {}", value));
    return;
  }
  const auto updated = checked_add(value, current().delta);
  if (!updated) {
    complete_fail(ctx, fmt::format("{} + {} does not fit in 64 bits", value, current().delta));
    return;
  }
  start_store(ctx, std::max(version, sent_version_) + 1, *updated);
}

//! [part-2]
void AckingClient::start_store(net::NodeContext& ctx, Version version, std::int64_t value) {
  assert(version > sent_version_ && "a version is never reused");
  phase_ = Phase::storing;
  attempts_ = 0;
  sent_version_ = version;
  store_version_ = version;
  store_value_ = value;
  acked_.assign(static_cast<std::size_t>(setup_.topology.replicas), false);
  send_store_round(ctx);
}

void AckingClient::send_store_round(net::NodeContext& ctx) {
  assert(phase_ == Phase::storing && "stores belong to the storing phase");
  for (int i = 0; i < setup_.topology.replicas; ++i) {
    if (acked_[static_cast<std::size_t>(i)]) continue;  // it has it; sending again is noise
    ctx.send(setup_.topology.replica(i),
             encode({MessageKind::store, store_version_, store_value_}));
  }
  ++attempts_;
  arm_retry(ctx);
}

void AckingClient::on_stored(net::NodeContext& ctx, net::NodeId from, Version version) {
  const std::string payload = encode({MessageKind::stored, version, 0});
  // An acknowledgement counts only for the store in progress: a late one for an older store says
  // nothing about this one.
  if (phase_ != Phase::storing || version != store_version_ || !setup_.topology.is_replica(from)) {
    ignore(ctx, "an acknowledgement of another store", payload);
    return;
  }
  acked_[from] = true;
  if (std::find(acked_.begin(), acked_.end(), false) != acked_.end()) return;
  // Only now is the add certain to be on every replica: this is the moment ok becomes true.
  confirmed_version_ = std::max(confirmed_version_, store_version_);
  complete_ok(ctx, 0,
              fmt::format("{}: version {} = {} is on every replica", describe(current()),
                          store_version_, store_value_));
}
//! [part-2]

//! [part-3]
void AckingClient::on_retry_timer(net::NodeContext& ctx) {
  if (attempts_ >= retry_.attempts_max) {
    if (phase_ == Phase::getting) {
      // No value ever arrived, so no store was ever sent: the add certainly did not happen.
      complete_fail(ctx, fmt::format("no value from {} after {} gets", setup_.topology.name(home_),
                                     attempts_));
    } else {
      // Some replicas may hold the store and others not: nobody can say whether it happened.
      complete_info(ctx, fmt::format("not every replica acknowledged version {} after {} rounds",
                                     store_version_, attempts_));
    }
    return;
  }
  // Sending again is safe because a store is absolute: "version n is v" applied twice leaves the
  // replica where applying it once did. ("add d" applied twice would add 2d.)
  ++retransmissions_;
  if (phase_ == Phase::getting) {
    send_get(ctx);
  } else {
    send_store_round(ctx);
  }
}
//! [part-3]

void AckingClient::arm_retry(net::NodeContext& ctx) {
  if (retry_timer_) ctx.cancel_timer(*retry_timer_);
  retry_timer_ = ctx.set_timer(retry_.interval_ms, kRetryTag);
}

void AckingClient::complete_ok(net::NodeContext& ctx, std::int64_t read_value,
                               std::string_view what) {
  setup_.history->ok(ctx.now(), client_id(), read_value);
  ctx.note(fmt::format("ok {}", what));
  complete(ctx);
}

void AckingClient::complete_fail(net::NodeContext& ctx, std::string_view why) {
  setup_.history->fail(ctx.now(), client_id());
  ctx.note(fmt::format("fail {}: {}", describe(current()), why));
  complete(ctx);
}

void AckingClient::complete_info(net::NodeContext& ctx, std::string_view why) {
  setup_.history->info(ctx.now(), client_id());
  ctx.note(fmt::format("info {}: {}", describe(current()), why));
  complete(ctx);
}

void AckingClient::complete(net::NodeContext& ctx) {
  assert(phase_ != Phase::idle && "only an operation in progress completes");
  assert(!setup_.history->outstanding(client_id()) && "the history records the completion first");
  if (retry_timer_) ctx.cancel_timer(*retry_timer_);
  retry_timer_.reset();
  phase_ = Phase::idle;
  ++next_;
  think(ctx);
}

void AckingClient::ignore(net::NodeContext& ctx, std::string_view why, std::string_view payload) {
  ++ignored_;
  ctx.note(fmt::format("ignored \"{}\": {}", payload, why));
}

}  // namespace ladder::ex01
