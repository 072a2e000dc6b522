#include "acking_client.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "exercises/01_acks/given/your_code_here.hpp"

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
// Part 2: the store and its acknowledgements. start_store() remembers what it stores (the
// members store_version_, store_value_, sent_version_, and acked_ with one entry per replica),
// switches phase_ to Phase::storing, resets attempts_ and sends the first round.
void AckingClient::start_store([[maybe_unused]] net::NodeContext& ctx,
                               [[maybe_unused]] Version version,
                               [[maybe_unused]] std::int64_t value) {
  your_code_here(
      "part 2: AckingClient::start_store must remember the store and send it to every replica");
}

// Sends "store n v" to every replica that has not acknowledged it yet, counts the round in
// attempts_ and arms the retry timer (arm_retry).
void AckingClient::send_store_round([[maybe_unused]] net::NodeContext& ctx) {
  your_code_here(
      "part 2: AckingClient::send_store_round must send the store to every replica that has not "
      "acknowledged it and arm the retry timer");
}

// An acknowledgement "stored n" from `from`. It counts only for the store in progress; when every
// replica has acknowledged it, the add has happened: raise confirmed_version_ and complete_ok().
void AckingClient::on_stored([[maybe_unused]] net::NodeContext& ctx,
                             [[maybe_unused]] net::NodeId from, [[maybe_unused]] Version version) {
  your_code_here(
      "part 2: AckingClient::on_stored must count acknowledgements and record ok once every "
      "replica acknowledged");
}
//! [part-2]

//! [part-3]
// Part 3: the retry timer fired, so an answer is missing. In Phase::getting send the get again
// (send_get); in Phase::storing send another round (send_store_round); count it in
// retransmissions_. After retry_.attempts_max sends give up: complete_fail() for a get (why is
// that the truth?), complete_info() for a store (and why is that?).
void AckingClient::on_retry_timer([[maybe_unused]] net::NodeContext& ctx) {
  your_code_here(
      "part 3: AckingClient::on_retry_timer must resend what got no answer, and give up after "
      "retry_.attempts_max sends");
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
