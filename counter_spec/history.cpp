#include "counter_spec/history.hpp"

#include <cassert>
#include <utility>

#include <fmt/format.h>

namespace ladder::spec {

std::string to_string(const RequestId& id) {
  return fmt::format("c{}#{}", id.client, id.seq);
}

const char* to_string(OpKind kind) {
  switch (kind) {
    case OpKind::add:
      return "add";
    case OpKind::read:
      return "read";
  }
  assert(false && "unknown OpKind");
  return "?";
}

const char* to_string(EventType type) {
  switch (type) {
    case EventType::invoke:
      return "invoke";
    case EventType::ok:
      return "ok";
    case EventType::fail:
      return "fail";
    case EventType::info:
      return "info";
  }
  assert(false && "unknown EventType");
  return "?";
}

std::string Operation::describe() const {
  // The request id already names the client ("c0#3"), so it replaces the bare client name.
  const std::string who = request ? to_string(*request) : fmt::format("c{}", client);
  const std::string what = kind == OpKind::add ? fmt::format("add({:+})", delta)
                           : read_value        ? fmt::format("read()={}", *read_value)
                                               : std::string("read()");
  switch (outcome) {
    case Outcome::ok:
      return fmt::format("{} {} ok at {} ms", who, what, *completed);
    case Outcome::fail:
      return fmt::format("{} {} fail at {} ms", who, what, *completed);
    case Outcome::info:
      return fmt::format("{} {} info at {} ms", who, what, *completed);
    case Outcome::pending:
      return fmt::format("{} {} pending since {} ms", who, what, invoked);
  }
  assert(false && "unknown Outcome");
  return who;
}

std::size_t History::invoke(Time time, ClientId client, OpKind op, std::int64_t delta,
                            std::optional<RequestId> request) {
  if (client >= open_.size()) open_.resize(client + std::size_t{1});
  // One outstanding operation per client is what makes a history well-formed: it is how a
  // completion finds its invoke, and how the checkers know the client's operations are ordered.
  assert(!open_[client] && "a client invoked a second operation before the first completed");
  assert((!request || request->client == client) && "a request id names another client");
  open_[client] = events_.size();
  events_.push_back(Event{.time = time,
                          .client = client,
                          .type = EventType::invoke,
                          .op = op,
                          .value = op == OpKind::add ? delta : 0,
                          .request = request});
  return invoked_++;
}

void History::ok(Time time, ClientId client, std::int64_t read_value) {
  complete(time, client, EventType::ok, read_value);
}

void History::fail(Time time, ClientId client) {
  complete(time, client, EventType::fail, 0);
}

void History::info(Time time, ClientId client) {
  complete(time, client, EventType::info, 0);
}

void History::complete(Time time, ClientId client, EventType type, std::int64_t read_value) {
  assert(outstanding(client) && "completion for a client with nothing outstanding");
  const Event invoke = events_[*open_[client]];
  assert(time >= invoke.time && "an operation completed before it was invoked");
  assert((invoke.op == OpKind::read || read_value == 0) && "an add completed with a read value");
  // An add's completion repeats its delta (as Jepsen's histories do); a read's ok carries the
  // value read; a read that failed or timed out read nothing.
  const std::int64_t value = invoke.op == OpKind::add ? invoke.value
                             : type == EventType::ok  ? read_value
                                                      : 0;
  events_.push_back(Event{.time = time,
                          .client = client,
                          .type = type,
                          .op = invoke.op,
                          .value = value,
                          .request = invoke.request});
  open_[client].reset();
}

bool History::outstanding(ClientId client) const {
  return client < open_.size() && open_[client].has_value();
}

std::vector<Operation> History::operations() const {
  std::vector<Operation> ops;
  ops.reserve(invoked_);
  std::vector<std::optional<std::size_t>> open(open_.size());  // per client: index in ops
  for (const Event& event : events_) {
    if (event.type == EventType::invoke) {
      open[event.client] = ops.size();
      Operation op;
      op.index = ops.size();
      op.client = event.client;
      op.kind = event.op;
      op.delta = event.op == OpKind::add ? event.value : 0;
      op.invoked = event.time;
      op.request = event.request;
      ops.push_back(std::move(op));
      continue;
    }
    assert(open[event.client] && "a completion without its invoke");
    Operation& op = ops[*open[event.client]];
    op.completed = event.time;
    switch (event.type) {
      case EventType::ok:
        op.outcome = Outcome::ok;
        if (op.kind == OpKind::read) op.read_value = event.value;
        break;
      case EventType::fail:
        op.outcome = Outcome::fail;
        break;
      case EventType::info:
        op.outcome = Outcome::info;
        break;
      case EventType::invoke:
        assert(false && "handled above");
        break;
    }
    open[event.client].reset();
  }
  assert(ops.size() == invoked_);
  return ops;  // operations still open keep Outcome::pending: they might have happened
}

}  // namespace ladder::spec
