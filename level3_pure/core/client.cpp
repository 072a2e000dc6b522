/// \file
/// The pure client: rules C1-C4 of docs/protocol.md.

#include "level3_pure/core/client.hpp"

#include <cassert>
#include <utility>

#include <fmt/format.h>

namespace ladder::level3 {

namespace {

std::string summary(const protocol::Request& request) {
  return fmt::format("{} {}", spec::to_string(request.id), protocol::describe(request.op));
}

std::string line(const Send& a) {
  return describe(Action{a});
}
std::string line(const SetTimer& a) {
  return describe(Action{a});
}
std::string line(const CancelTimer& a) {
  return describe(Action{a});
}
std::string line(const Invoked& a) {
  return "invoke " + summary(a.request);
}
std::string line(const Completed& a) {
  return fmt::format("ok {} ={}", summary(a.request), a.value);
}
std::string line(const Abandoned& a) {
  return "info " + summary(a.request);
}

// The replica count as a ReplicaId, for the modular arithmetic of C2.
protocol::ReplicaId replica_count(const ClientState& state) {
  assert(state.cluster.replicas >= 1 && "a cluster has at least one replica");
  return static_cast<protocol::ReplicaId>(state.cluster.replicas);
}

// Sends the outstanding request to the current target and arms the retry timer (C1, C2).
void send_outstanding(const ClientState& state, std::vector<ClientAction>& actions) {
  assert(state.outstanding && "only an outstanding request is sent");
  assert(state.target < replica_count(state) && "the target is a replica");
  actions.emplace_back(Send{state.target, protocol::Message{*state.outstanding}});
  actions.emplace_back(SetTimer{Timer::client_retry, state.cluster.client_retry_ms});
}

}  // namespace

bool operator==(const ClientState& a, const ClientState& b) {
  // protocol::Config has no operator==; ReplicaConfig's compares the same fields.
  const ReplicaConfig x{0, a.cluster, Variant::fixed};
  const ReplicaConfig y{0, b.cluster, Variant::fixed};
  return a.id == b.id && x == y && a.last_seq == b.last_seq && a.outstanding == b.outstanding &&
         a.target == b.target;
}

ClientState ClientState::initial(spec::ClientId id, const protocol::Config& cluster) {
  assert(id < protocol::kMaxClients && "client ids are below kMaxClients");
  assert(cluster.valid() && "a client needs a valid cluster");
  ClientState state;
  state.id = id;
  state.cluster = cluster;
  return state;
}

ClientStepResult client_step(ClientState state, const ClientInput& input) {
  assert(state.target < replica_count(state) && "precondition: the target is a replica");
  assert((!state.outstanding || state.outstanding->id.seq == state.last_seq) &&
         "precondition: the outstanding request is the latest");
  ClientStepResult result{std::move(state), {}, {}};
  ClientState& s = result.next;
  auto& actions = result.actions;

  if (const auto* invoke = std::get_if<Invoke>(&input)) {
    assert(!s.busy() && "C1: at most one outstanding request; invoke only when !busy()");
    s.last_seq += 1;
    s.outstanding = protocol::Request{spec::RequestId{s.id, s.last_seq}, invoke->op};
    actions.emplace_back(Invoked{*s.outstanding});
    send_outstanding(s, actions);
    result.rule = Rule::C1;
  } else if (std::holds_alternative<Abandon>(input)) {
    if (!s.busy()) {
      result.rule = Rule::ignored_nothing_outstanding;
    } else {
      actions.emplace_back(Abandoned{*s.outstanding});  // C4: may still be applied
      actions.emplace_back(CancelTimer{Timer::client_retry});
      s.outstanding.reset();
      result.rule = Rule::C4;
    }
  } else if (const auto* fired = std::get_if<TimerFired>(&input)) {
    if (fired->timer != Timer::client_retry || !s.busy()) {
      result.rule = Rule::ignored_no_retry_due;
    } else {
      s.target = (s.target + 1) % replica_count(s);  // C2: the same request, the next replica
      send_outstanding(s, actions);
      result.rule = Rule::C2;
    }
  } else {
    const auto& received = std::get<Receive>(input);
    const auto* reply = std::get_if<protocol::Reply>(&received.message);
    if (reply == nullptr || !s.busy() || reply->id != s.outstanding->id) {
      result.rule = Rule::ignored_not_awaited_reply;
    } else {
      actions.emplace_back(Completed{*s.outstanding, reply->value});
      actions.emplace_back(CancelTimer{Timer::client_retry});
      s.outstanding.reset();
      s.target = s.cluster.primary(reply->view);  // C3: the replier's view names the primary
      result.rule = Rule::C3;
    }
  }

  assert(result.rule != Rule::none && "postcondition: a rule handled the input, or it was ignored");
  assert(s.target < replica_count(s) && "postcondition: the target is a replica");
  assert((!s.outstanding || s.outstanding->id.seq == s.last_seq) &&
         "postcondition: the outstanding request is the latest");
  return result;
}

std::string describe(const ClientAction& action) {
  return std::visit([](const auto& a) { return line(a); }, action);
}

}  // namespace ladder::level3
