/// \file
/// One-line descriptions of inputs and actions, for traces and diagrams.

#include <fmt/format.h>

#include "level3_pure/core/action.hpp"
#include "level3_pure/core/input.hpp"

namespace ladder::level3 {

namespace {

std::string line(const Receive& in) {
  return fmt::format("from node {}: {}", in.from, protocol::describe(in.message));
}

std::string line(const TimerFired& in) {
  return fmt::format("timer {}", to_string(in.timer));
}

std::string line(const Recovered& in) {
  if (!in.disk) return fmt::format("recovered without disk, nonce {}", in.nonce);
  return fmt::format("recovered with disk v{} normal_v{} op{} commit{}, nonce {}", in.disk->view,
                     in.disk->last_normal_view, in.disk->log.op_number(),
                     in.disk->log.commit_number(), in.nonce);
}

std::string line(const Send& a) {
  return fmt::format("send r{} {}", a.to, protocol::describe(a.message));
}

std::string line(const SetTimer& a) {
  return fmt::format("set {} {} ms", to_string(a.timer), a.after_ms);
}

std::string line(const CancelTimer& a) {
  return fmt::format("cancel {}", to_string(a.timer));
}

std::string line(const Persist& a) {
  return fmt::format("persist v{} normal_v{} op{} commit{}{}", a.state.view,
                     a.state.last_normal_view, a.state.log.op_number(), a.state.log.commit_number(),
                     a.durability == Durability::lazy             ? " lazy"
                     : a.durability == Durability::before_replies ? " sends first"
                                                                  : "");
}

std::string line(const ReplyToClient& a) {
  return fmt::format("reply c{} {}", a.client, protocol::describe(protocol::Message{a.reply}));
}

}  // namespace

std::string describe(const Input& input) {
  return std::visit([](const auto& in) { return line(in); }, input);
}

std::string describe(const Action& action) {
  return std::visit([](const auto& a) { return line(a); }, action);
}

}  // namespace ladder::level3
