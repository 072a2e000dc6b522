#include "level1_rpc/counter_client.hpp"

#include <cassert>
#include <utility>

#include <fmt/format.h>

#include "level1_rpc/errors.hpp"
#include "level1_rpc/replica.hpp"

namespace ladder::level1 {

const char* to_string(RetryPolicy policy) {
  switch (policy) {
    case RetryPolicy::never:
      return "never";
    case RetryPolicy::on_timeout:
      return "on-timeout";
  }
  return "?";
}

std::optional<RetryPolicy> parse_retry_policy(std::string_view text) {
  if (text == "never") return RetryPolicy::never;
  if (text == "on-timeout") return RetryPolicy::on_timeout;
  return std::nullopt;
}

CounterClient::CounterClient(CounterClientOptions options) : options_(std::move(options)) {
  assert(!options_.replica_ports.empty() && "a client needs a replica to talk to");
  assert(options_.max_attempts >= 1);
  assert(options_.failover_after >= 1);
  for (const std::uint16_t port : options_.replica_ports) {
    replicas_.push_back(std::make_unique<Client>("127.0.0.1", port));
  }
}

CounterClient::~CounterClient() = default;

OpResult CounterClient::add(std::uint64_t seq, std::int64_t delta) {
  const Update update{.request = {.client = options_.id, .seq = seq}, .delta = delta};
  return call("add", to_json(update), /*changes_state=*/true);
}

OpResult CounterClient::read() {
  return call("read", nlohmann::json::object(), /*changes_state=*/false);
}

//! [client-call]
OpResult CounterClient::call(std::string_view method, const nlohmann::json& args,
                             bool changes_state) {
  OpResult result;
  bool may_have_run = false;  // did any attempt possibly reach a replica?
  for (;;) {
    ++result.attempts;
    const int target = primary_;
    try {
      result.value = replicas_[static_cast<std::size_t>(target)]
                         ->call(method, args, options_.deadline)
                         .at("value")
                         .get<std::int64_t>();
      unanswered_in_a_row_ = 0;
      result.type = spec::EventType::ok;
      return result;
    } catch (const RpcError& e) {
      may_have_run = may_have_run || e.may_have_run() != MayHaveRun::no;
      if (options_.log) {
        options_.log(fmt::format("{} attempt {} on r{}: {} (may have run: {})", method,
                                 result.attempts, target, e.kind(), to_string(e.may_have_run())));
      }
      // Only silence counts towards failover: a RemoteFailure is an answer.
      if (e.may_have_run() != MayHaveRun::yes) note_unanswered(e.kind());
      const bool timed_out = dynamic_cast<const TimedOut*>(&e) != nullptr;
      const bool retry = options_.retry == RetryPolicy::on_timeout && timed_out &&
                         result.attempts < options_.max_attempts;
      if (retry) continue;
    } catch (const nlohmann::json::exception& e) {
      // A well-formed reply without an integer "value": the replica answered, nonsense.
      may_have_run = true;
      if (options_.log) {
        options_.log(fmt::format("{} on r{}: unexpected result: {}", method, target, e.what()));
      }
    }
    result.type = changes_state && may_have_run ? spec::EventType::info : spec::EventType::fail;
    return result;
  }
}
//! [client-call]

void CounterClient::note_unanswered(std::string_view why) {
  if (++unanswered_in_a_row_ < options_.failover_after) return;
  const int old = primary_;
  primary_ = (primary_ + 1) % static_cast<int>(replicas_.size());
  unanswered_in_a_row_ = 0;
  if (options_.log) {
    options_.log(fmt::format("{} calls in a row unanswered (last: {}): turning from r{} to r{}",
                             options_.failover_after, why, old, primary_));
  }
}

}  // namespace ladder::level1
