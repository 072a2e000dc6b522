#pragma once
/// \file
/// The TCP fault proxy: a man in the middle on one client-to-server route that drops, delays and
/// resets calls in real time, so that level 1's blocking RPC meets partial failure on real
/// sockets.
///
/// The proxy listens on a loopback port. For every connection it accepts it connects onward to
/// the target and forwards frames (network/frame.hpp) both ways. It parses the frames, so it
/// knows calls from replies: every frame from the client is a request (a call), every frame from
/// the server is the reply to the oldest unanswered call on that connection (servers answer in
/// order). Calls are numbered 1, 2, 3, ... in the order the proxy receives them, over all its
/// connections, and each call meets exactly one fault:
///
/// | fault        | what the proxy does                              | what the server saw |
/// |--------------|--------------------------------------------------|---------------------|
/// | none         | forwards the request and the reply               | the call            |
/// | drop_request | swallows the request                             | nothing             |
/// | drop_reply   | forwards the request, swallows the reply         | the call: it ran    |
/// | delay        | holds the request for `delay_ms`, then forwards  | the call, later     |
/// | reset        | resets the client's connection (TCP RST)         | nothing             |
///
/// After a swallowed request or reply the connection is closed (the client reads end-of-stream
/// at once) or left open (the client hears nothing until its own deadline): see AfterDrop.
///
/// A call's fault comes from the script when the script names the call ("drop the reply to the
/// 3rd call"), else it is drawn from a seeded Rng with the FaultPlan's probabilities, so a test
/// gets the same faults for the same calls on every run. Three calls change the whole route at
/// once: partition() (a black hole: connections are accepted, but no byte moves until it heals),
/// refuse() (stop listening: connects are refused) and reset_all().

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "network/fault_plan.hpp"
#include "network/frame.hpp"
#include "network/rng.hpp"
#include "network/types.hpp"

namespace ladder::net {

/// What the proxy does to one call.
enum class ProxyFault {
  none,          ///< forward the request and the reply
  drop_request,  ///< swallow the request: the server never sees the call
  drop_reply,    ///< forward the request, swallow its reply: the call ran, the client never learns
  delay,         ///< hold the request for the call's `delay_ms`, then forward it and its reply
  reset,         ///< reset the client's connection (RST) instead of forwarding the request
};

/// "none", "drop_request", "drop_reply", "delay", "reset".
const char* to_string(ProxyFault fault);

/// What the proxy does with a connection after it swallowed a request or a reply.
enum class AfterDrop {
  close,      ///< close both sides: the client reads end-of-stream at once ("connection lost")
  keep_open,  ///< leave both open: the client hears nothing until its own deadline ("timed out")
};

/// The fault for one call, and the delay that goes with it.
struct CallFault {
  ProxyFault fault = ProxyFault::none;  ///< what happens to the call
  Time delay_ms = 0;  ///< how long the request is held before it is forwarded (any fault that
                      ///< forwards it: none, drop_reply, delay)
};

/// One line of a fault script: what happens to the `call`-th call the proxy receives.
struct ScriptedFault {
  std::uint64_t call = 1;               ///< the call's number, from 1, over all connections
  ProxyFault fault = ProxyFault::none;  ///< what happens to it
  Time delay_ms = 0;                    ///< for ProxyFault::delay: how long the request is held
};

/// Decides each call's fault, in call order: the script where it names the call, else a draw.
///
/// Each call draws, in this order and whether or not the script overrides it: drop the request
/// with `plan.drop_probability`, drop the reply with `plan.response_loss_probability`, a delay
/// uniform in [plan.delay_min_ms, plan.delay_max_ms]. Drawing for scripted calls too keeps every
/// later call's faults the same when a line is added to the script. The plan's duplicate
/// probability and timeline are not used: TCP never duplicates, and the timeline is the caller's
/// to play with partition() and refuse().
class CallFaultPicker {
 public:
  /// A picker applying `script` over draws from `plan` seeded with `seed`. Preconditions: the
  /// script names each call at most once, calls >= 1, delays >= 0, plan.delay_min_ms <=
  /// plan.delay_max_ms.
  CallFaultPicker(std::vector<ScriptedFault> script, const FaultPlan& plan, std::uint64_t seed);

  /// The fault of the next call; the first call is call 1.
  CallFault next();
  /// Adds a line to the script; precondition: its call has not been picked yet.
  void add(const ScriptedFault& line);
  /// How many calls have been picked.
  [[nodiscard]] std::uint64_t calls() const { return calls_; }

 private:
  std::vector<ScriptedFault> script_;
  double drop_probability_;
  double response_loss_probability_;
  Time delay_min_ms_;
  Time delay_max_ms_;
  Rng rng_;
  std::uint64_t calls_ = 0;
};

/// Everything the proxy counted since start().
struct ProxyStats {
  std::uint64_t connections = 0;         ///< client connections accepted
  std::uint64_t connect_failures = 0;    ///< onward connects to the target that failed
  std::uint64_t calls = 0;               ///< request frames received (numbered calls)
  std::uint64_t requests_forwarded = 0;  ///< request frames handed to the server's socket
  std::uint64_t replies_forwarded = 0;   ///< reply frames handed to the client's socket
  std::uint64_t dropped_requests = 0;    ///< requests swallowed (ProxyFault::drop_request)
  std::uint64_t dropped_replies = 0;     ///< replies swallowed (ProxyFault::drop_reply)
  std::uint64_t delayed = 0;             ///< requests held for a delay > 0
  std::uint64_t resets = 0;              ///< client connections reset (faults and reset_all)
  /// Frames, and new connections not yet connected onward, that waited for a partition to heal.
  std::uint64_t held = 0;
  std::uint64_t malformed = 0;            ///< connections closed because a frame was malformed
  std::uint64_t unsolicited_replies = 0;  ///< reply frames with no call waiting (forwarded)
  std::uint64_t bytes_to_server = 0;      ///< bytes handed to the server's socket
  std::uint64_t bytes_to_client = 0;      ///< bytes handed to clients' sockets
};

/// What a proxy log line reports.
enum class ProxyEventKind {
  accepted,        ///< a client connected
  connect_failed,  ///< the onward connect failed; the client's connection is reset
  request,         ///< a call arrived; `fault` says what will happen to it
  /// A frame waits for the partition to heal (`call` 0: a new connection waits to be connected
  /// onward).
  held,
  forwarded,        ///< a request is being written to the server
  dropped_request,  ///< a request was swallowed
  reply,            ///< a reply is being written to the client
  dropped_reply,    ///< a reply was swallowed
  reset,            ///< the client's connection was reset
  malformed,        ///< a malformed frame closed the connection; `detail` is the frame error
  closed,           ///< the connection ended; `detail` says why
  partition,        ///< partition() turned the black hole on or off; `detail` is "on" or "off"
  refuse,           ///< refuse() stopped or restarted listening; `detail` is "on" or "off"
};

/// "accepted", "connect_failed", "request", ...
const char* to_string(ProxyEventKind kind);

/// One event of the proxy, for the log hook.
struct ProxyEvent {
  ProxyEventKind kind = ProxyEventKind::accepted;  ///< what happened
  std::uint64_t connection = 0;  ///< the connection's number, from 1 (0: the whole proxy)
  std::uint64_t call = 0;        ///< the call's number, from 1 (0: none)
  CallFault fault;               ///< for `request`: the fault the call meets
  std::string detail;            ///< extra words: an error message, a reason
};

/// One log line: "conn 2 call 5: request (drop_reply)", "conn 2: closed (client closed)".
std::string format_proxy_event(const ProxyEvent& event);

/// A plan with no faults and no added delay: the proxy's default. (FaultPlan's own default delay
/// of 1 ms stands for the simulated network's latency; real sockets have their own.)
FaultPlan quiet_plan();

/// How a proxy is set up.
struct ProxyOptions {
  std::string target_host = "127.0.0.1";  ///< where the server listens (a name or an address)
  std::uint16_t target_port = 0;          ///< the server's port (required)
  std::string listen_host = "127.0.0.1";  ///< where the proxy listens (an IP address)
  std::uint16_t listen_port = 0;          ///< 0: any free port; FaultProxy::port() tells which
  std::vector<ScriptedFault> script;      ///< exact faults for chosen calls
  /// Drawn faults for every call the script does not name; the default draws none.
  FaultPlan plan = quiet_plan();
  std::uint64_t seed = 1;                   ///< seeds the draws
  AfterDrop after_drop = AfterDrop::close;  ///< what a swallowed request or reply does next
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;  ///< the frame limit both ways
  /// Called on the proxy's thread for every event; keep it short, and do not call stop() from
  /// it. Empty: no log.
  std::function<void(const ProxyEvent&)> log;
};

/// A TCP fault proxy running on its own thread. Construct, start(), point the client at port(),
/// and stop() (or destroy) when done; every socket and the thread are gone when stop() returns.
///
/// The control calls (partition, refuse, reset_all, add_fault) are thread-safe and synchronous:
/// when one returns, the proxy already behaves the new way, so a test can call partition(true)
/// and then send, knowing the request will be held.
class FaultProxy {
 public:
  /// A proxy that is not yet listening.
  explicit FaultProxy(ProxyOptions options);
  /// Stops the proxy if it runs.
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  /// Binds the listening socket and starts the thread. Throws boost::system::system_error when
  /// the port cannot be bound. Precondition: not started before.
  void start();
  /// Closes every connection and the listening socket, and joins the thread. Idempotent.
  void stop();

  /// The port the proxy listens on (valid after start()).
  [[nodiscard]] std::uint16_t port() const;

  /// On: a black hole. Connections are still accepted, but no frame is forwarded either way and
  /// no onward connection is made; frames wait, in order, and go on when the partition heals,
  /// as TCP would retransmit them (unless the client gave up and closed meanwhile).
  /// Off: heals.
  void partition(bool on);
  /// On: stop listening, so that connects are refused, like a crashed server's port. Open
  /// connections stay (call reset_all() for a full crash). Off: listen again on the same port.
  void refuse(bool on);
  /// Resets every open client connection (TCP RST) and closes its server side.
  void reset_all();
  /// Adds a line to the fault script (also before start()); precondition: its call has not
  /// arrived yet.
  void add_fault(const ScriptedFault& line);

  /// A snapshot of the counters.
  [[nodiscard]] ProxyStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ladder::net
