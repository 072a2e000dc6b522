/// \file
/// Names and one-line descriptions of the protocol's messages.

#include "protocol/messages.hpp"

#include <cassert>
#include <type_traits>

#include <fmt/format.h>

namespace ladder::protocol {

namespace {

// "op7 commit6": how a log shows in one line. Its contents are too long for a log line; the
// numbers are what a reader compares across replicas.
std::string summary(const Log& log) {
  return fmt::format("op{} commit{}", log.op_number(), log.commit_number());
}

std::string summary(const Request& request) {
  return fmt::format("{} {}", spec::to_string(request.id), describe(request.op));
}

std::string line(const Request& m) {
  return fmt::format("Request {}", summary(m));
}

std::string line(const Reply& m) {
  return fmt::format("Reply v{} {} ={}", m.view, spec::to_string(m.id), m.value);
}

std::string line(const Prepare& m) {
  return fmt::format("Prepare v{} op{} {} commit{}", m.view, m.op_number, summary(m.request),
                     m.commit_number);
}

std::string line(const PrepareOk& m) {
  return fmt::format("PrepareOk v{} op{} from r{}", m.view, m.op_number, m.from);
}

std::string line(const Commit& m) {
  return fmt::format("Commit v{} commit{}", m.view, m.commit_number);
}

std::string line(const StartViewChange& m) {
  return fmt::format("StartViewChange v{} from r{}", m.view, m.from);
}

std::string line(const DoViewChange& m) {
  return fmt::format("DoViewChange v{} from r{} normal_v{} {}", m.view, m.from, m.last_normal_view,
                     summary(m.log));
}

std::string line(const StartView& m) {
  return fmt::format("StartView v{} {}", m.view, summary(m.log));
}

std::string line(const GetState& m) {
  return fmt::format("GetState v{} op{} from r{}", m.view, m.op_number, m.from);
}

std::string line(const NewState& m) {
  return fmt::format("NewState v{} {}", m.view, summary(m.log));
}

std::string line(const Recovery& m) {
  return fmt::format("Recovery from r{} nonce {}", m.from, m.nonce);
}

std::string line(const RecoveryResponse& m) {
  return fmt::format("RecoveryResponse v{} from r{} nonce {} {}", m.view, m.from, m.nonce,
                     m.log ? summary(*m.log) : std::string("no log"));
}

}  // namespace

MessageType type_of(const Message& message) {
  // The variant's order is the wire's order: alternative i has type byte i + 1.
  static_assert(std::variant_size_v<Message> == 12, "a new message needs a MessageType");
  static_assert(std::is_same_v<std::variant_alternative_t<11, Message>, RecoveryResponse>);
  return static_cast<MessageType>(message.index() + 1);
}

const char* to_string(MessageType type) {
  switch (type) {
    case MessageType::request:
      return "Request";
    case MessageType::reply:
      return "Reply";
    case MessageType::prepare:
      return "Prepare";
    case MessageType::prepare_ok:
      return "PrepareOk";
    case MessageType::commit:
      return "Commit";
    case MessageType::start_view_change:
      return "StartViewChange";
    case MessageType::do_view_change:
      return "DoViewChange";
    case MessageType::start_view:
      return "StartView";
    case MessageType::get_state:
      return "GetState";
    case MessageType::new_state:
      return "NewState";
    case MessageType::recovery:
      return "Recovery";
    case MessageType::recovery_response:
      return "RecoveryResponse";
  }
  assert(false && "to_string of a MessageType outside the enum");
  return "?";
}

std::string describe(const Op& op) {
  if (op.kind == spec::OpKind::read) {
    assert(op.delta == 0 && "a read carries no delta");
    return "read";
  }
  return fmt::format("add({:+})", op.delta);
}

std::string describe(const Message& message) {
  return std::visit([](const auto& m) { return line(m); }, message);
}

}  // namespace ladder::protocol
