#pragma once
/// \file
/// The level 1 counter's client: blocking `add` and `read` calls on the replica it believes is
/// the primary, a retry policy, and a naive failover.
///
/// Retries and failover are where partial failure turns into wrong answers:
///
/// - With RetryPolicy::never, an add whose call failed with "may have run" ends as an `info`
///   outcome in the history: the client can never find out whether it happened.
/// - With RetryPolicy::on_timeout, a timed-out add is sent again with the same request id. If the
///   first attempt's reply was lost after the primary applied it, the retry applies it a second
///   time: the counter is now too high, and the replicas' apply logs show the request twice.
/// - After `failover_after` calls in a row without an answer from the current replica, the
///   client turns to the next one (r0, r1, r2, r0, ...), which then acts as the primary because
///   an add arrived there. If the old primary was only slow or cut off, there are now two.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "counter_spec/history.hpp"
#include "level1_rpc/client.hpp"

namespace ladder::level1 {

/// When the client sends a failed call again.
enum class RetryPolicy {
  never,       ///< never: one attempt per operation
  on_timeout,  ///< after TimedOut, send the same request again (up to max_attempts attempts)
};

/// "never", "on-timeout" (the spelling of the command-line flag).
const char* to_string(RetryPolicy policy);
/// The policy named "never" or "on-timeout"; nullopt for any other text.
std::optional<RetryPolicy> parse_retry_policy(std::string_view text);

/// How a counter client behaves.
struct CounterClientOptions {
  spec::ClientId id = 0;                     ///< its client number: c0, c1, ...
  std::vector<std::uint16_t> replica_ports;  ///< where to reach r0, r1, ... (index = replica)
  RetryPolicy retry = RetryPolicy::never;    ///< when to send a failed call again
  int max_attempts = 3;                      ///< attempts per operation with on_timeout, >= 1
  int failover_after = 2;  ///< unanswered calls in a row before turning to the next replica, >= 1
  std::chrono::milliseconds deadline{500};  ///< each attempt's deadline
  /// Called with one line per failed attempt and per failover (on the client's thread); the line
  /// does not name the client. Empty: no log.
  std::function<void(const std::string&)> log;
};

/// How an operation ended, as the history records it.
struct OpResult {
  spec::EventType type = spec::EventType::ok;  ///< ok, fail (certainly not applied) or info
  std::int64_t value = 0;                      ///< ok: the counter's value the replica returned
  int attempts = 0;                            ///< calls made for this operation
};

/// A client of the level 1 counter. One thread uses it.
class CounterClient {
 public:
  /// A client that starts with r0 as its primary. Preconditions: at least one replica port,
  /// max_attempts >= 1, failover_after >= 1.
  explicit CounterClient(CounterClientOptions options);
  ~CounterClient();
  CounterClient(const CounterClient&) = delete;
  CounterClient& operator=(const CounterClient&) = delete;

  /// Adds `delta` under request id (this client, `seq`); retries reuse the same id.
  OpResult add(std::uint64_t seq, std::int64_t delta);
  /// Reads the counter from the current primary. A read changes nothing, so a failed read is
  /// `fail`, never `info`.
  OpResult read();
  /// The replica the client now believes is the primary.
  [[nodiscard]] int primary() const { return primary_; }

 private:
  OpResult call(std::string_view method, const nlohmann::json& args, bool changes_state);
  void note_unanswered(std::string_view why);

  CounterClientOptions options_;
  std::vector<std::unique_ptr<Client>> replicas_;
  int primary_ = 0;
  int unanswered_in_a_row_ = 0;
};

}  // namespace ladder::level1
