#pragma once
/// \file
/// The error taxonomy of a remote call: what can go wrong, and — the whole point of level 1 —
/// whether the call may have run on the server when the client sees the error.
///
/// A local call either returns or throws, and when it throws you know where it stopped. A remote
/// call has a third outcome: the client does not know. The request may have been lost on its way
/// (nothing ran), or the server may have run the call and the reply was lost (everything ran). Both
/// look the same from the client: silence until the deadline. Java RMI calls this family
/// `RemoteException`; ladder keeps the five members that matter and makes each one say, in its
/// type, what it means for the call.
///
/// | error            | cause                                      | may the call have run? |
/// |------------------|--------------------------------------------|------------------------|
/// | NotSent          | no connection could be made                | no: safe to retry      |
/// | TimedOut         | no reply before the deadline               | unknown                |
/// | ConnectionLost   | the connection broke after the request left | unknown                |
/// | MalformedReply   | a reply came, but it could not be decoded  | unknown                |
/// | RemoteFailure    | the server answered with an error          | yes: it ran and failed |

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace ladder::level1 {

/// What a client may conclude about the server when a call fails.
enum class MayHaveRun {
  no,       ///< the request never reached the server: nothing ran, a retry is safe
  unknown,  ///< the request may or may not have run: a retry may apply it twice
  yes,      ///< the server received the request and ran (part of) it, then reported a failure
};

/// "no", "unknown", "yes".
const char* to_string(MayHaveRun may_have_run);

/// The base of every error a remote call raises. Catch this to handle any remote failure; ask
/// may_have_run() before deciding whether to retry.
class RpcError : public std::runtime_error {
 public:
  /// What the client may conclude about the call.
  [[nodiscard]] MayHaveRun may_have_run() const noexcept { return may_have_run_; }
  /// The error's class name as printed in logs: "NotSent", "TimedOut", ...
  [[nodiscard]] virtual const char* kind() const noexcept = 0;

 protected:
  /// `what` names the method, the server and the cause.
  RpcError(const std::string& what, MayHaveRun may_have_run)
      : std::runtime_error(what), may_have_run_(may_have_run) {}

 private:
  MayHaveRun may_have_run_;
};

/// No connection to the server could be made (refused, or the connect itself timed out), so no
/// byte of the request was sent. The call certainly did not run: retrying is safe.
class NotSent : public RpcError {
 public:
  /// `what` names the method, the server and the cause.
  explicit NotSent(const std::string& what) : RpcError(what, MayHaveRun::no) {}
  /// "NotSent".
  [[nodiscard]] const char* kind() const noexcept override { return "NotSent"; }
};

/// The request was sent, but no reply arrived before the call's deadline. The request may have
/// been lost, the server may be slow, or it may have run the call and lost the reply: unknown.
class TimedOut : public RpcError {
 public:
  /// `what` names the method, the server and the deadline.
  explicit TimedOut(const std::string& what) : RpcError(what, MayHaveRun::unknown) {}
  /// "TimedOut".
  [[nodiscard]] const char* kind() const noexcept override { return "TimedOut"; }
};

/// The connection broke (reset or closed) after the request started to leave and before a reply
/// arrived. The server may have crashed before or after running the call: unknown.
class ConnectionLost : public RpcError {
 public:
  /// `what` names the method, the server and the socket error.
  explicit ConnectionLost(const std::string& what) : RpcError(what, MayHaveRun::unknown) {}
  /// "ConnectionLost".
  [[nodiscard]] const char* kind() const noexcept override { return "ConnectionLost"; }
};

/// A reply arrived but could not be decoded (bad frame, bad body, or the id of another call).
/// Something answered, but what it says about the call cannot be trusted: unknown.
class MalformedReply : public RpcError {
 public:
  /// `what` names the method, the server and what was wrong with the reply.
  explicit MalformedReply(const std::string& what) : RpcError(what, MayHaveRun::unknown) {}
  /// "MalformedReply".
  [[nodiscard]] const char* kind() const noexcept override { return "MalformedReply"; }
};

/// The server received the call and answered with an error: the method raised, does not exist, or
/// rejected its arguments. The call reached the server; whatever the method did before it raised
/// has happened.
class RemoteFailure : public RpcError {
 public:
  /// `what` names the method and the server; `remote_message` is the server's own message.
  RemoteFailure(const std::string& what, std::string remote_message)
      : RpcError(what, MayHaveRun::yes), remote_message_(std::move(remote_message)) {}
  /// "RemoteFailure".
  [[nodiscard]] const char* kind() const noexcept override { return "RemoteFailure"; }
  /// The message the server sent, as it sent it.
  [[nodiscard]] const std::string& remote_message() const noexcept { return remote_message_; }

 private:
  std::string remote_message_;
};

}  // namespace ladder::level1
