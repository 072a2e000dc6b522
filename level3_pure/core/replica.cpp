/// \file
/// A replica's state: construction, its role, its one-line description and its hash.

#include "level3_pure/core/replica.hpp"

#include <bit>
#include <cassert>

#include <fmt/format.h>

namespace ladder::level3 {

namespace {

// A small deterministic hasher: splitmix64's finalizer over a running state. std::hash is not
// used because its values are the library's business; level 4's state counts must not depend on
// which standard library built them.
class Hasher {
 public:
  void add(std::uint64_t word) {
    state_ += word + 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
    state_ = z ^ (z >> 31U);
  }
  void add(std::int64_t word) { add(static_cast<std::uint64_t>(word)); }
  void add(bool flag) { add(std::uint64_t{flag ? 1U : 0U}); }

  void add(const spec::RequestId& id) {
    add(std::uint64_t{id.client});
    add(id.seq);
  }
  void add(const protocol::Request& request) {
    add(request.id);
    add(static_cast<std::uint64_t>(request.op.kind));
    add(request.op.delta);
  }
  void add(const protocol::Log& log) {
    add(log.snapshot.commit_number);
    add(log.snapshot.value);
    // Lengths go in before elements, so that two lists that concatenate alike still differ.
    add(std::uint64_t{log.snapshot.clients.size()});
    for (const auto& record : log.snapshot.clients) {
      add(record.request);
      add(record.value);
    }
    add(std::uint64_t{log.suffix.size()});
    for (const auto& request : log.suffix)
      add(request);
  }

  [[nodiscard]] std::uint64_t value() const { return state_; }

 private:
  std::uint64_t state_ = 0;
};

}  // namespace

const char* to_string(Role role) {
  switch (role) {
    case Role::primary:
      return "primary";
    case Role::backup:
      return "backup";
    case Role::view_change:
      return "view_change";
    case Role::recovering:
      return "recovering";
  }
  assert(false && "to_string of a Role outside the enum");
  return "?";
}

bool operator==(const ReplicaConfig& a, const ReplicaConfig& b) {
  const auto& x = a.cluster;
  const auto& y = b.cluster;
  return a.self == b.self && a.variant == b.variant && a.choose_log == b.choose_log &&
         x.replicas == y.replicas && x.heartbeat_ms == y.heartbeat_ms &&
         x.view_change_timeout_ms == y.view_change_timeout_ms &&
         x.client_retry_ms == y.client_retry_ms && x.recovery_retry_ms == y.recovery_retry_ms;
}

bool ReplicaConfig::valid() const {
  return cluster.valid() && self < static_cast<protocol::ReplicaId>(cluster.replicas);
}

void ReplicaSet::insert(protocol::ReplicaId id) {
  assert(id < protocol::kMaxReplicas && "a ReplicaSet holds replica ids below kMaxReplicas");
  bits_ |= std::uint32_t{1} << id;
}

bool ReplicaSet::contains(protocol::ReplicaId id) const {
  return id < protocol::kMaxReplicas && (bits_ >> id & 1U) != 0;
}

int ReplicaSet::size() const {
  return std::popcount(bits_);
}

Replica Replica::initial(const ReplicaConfig& config) {
  assert(config.valid() && "Replica::initial needs a valid cluster and a self inside it");
  Replica replica;
  replica.config = config;
  const auto n = static_cast<std::size_t>(config.cluster.replicas);
  replica.acked.assign(n, 0);
  replica.dvc.assign(n, std::nullopt);
  replica.responses.assign(n, std::nullopt);
  assert(replica.role() == (config.self == 0 ? Role::primary : Role::backup));
  return replica;
}

Replica Replica::restarting(const ReplicaConfig& config) {
  Replica replica = initial(config);
  replica.status = Status::recovering;
  return replica;
}

Role Replica::role() const {
  switch (status) {
    case Status::normal:
      return primary() == config.self ? Role::primary : Role::backup;
    case Status::view_change:
      return Role::view_change;
    case Status::recovering:
      return Role::recovering;
  }
  assert(false && "a Replica's status outside the enum");
  return Role::recovering;
}

std::string Replica::describe() const {
  return fmt::format("r{} {} v{} op{} commit{} ={}", config.self, to_string(role()), view,
                     op_number(), commit_number(), value());
}

std::size_t hash_value(const Replica& replica) {
  Hasher h;
  h.add(std::uint64_t{replica.config.self});
  h.add(static_cast<std::uint64_t>(replica.config.cluster.replicas));
  h.add(replica.config.cluster.heartbeat_ms);
  h.add(replica.config.cluster.view_change_timeout_ms);
  h.add(replica.config.cluster.client_retry_ms);
  h.add(replica.config.cluster.recovery_retry_ms);
  h.add(static_cast<std::uint64_t>(replica.config.variant));
  h.add(replica.view);
  h.add(replica.last_normal_view);
  h.add(replica.log);
  h.add(static_cast<std::uint64_t>(replica.status));
  for (const auto acked : replica.acked)
    h.add(acked);
  h.add(std::uint64_t{replica.svc.bits()});
  for (const auto& dvc : replica.dvc) {
    h.add(dvc.has_value());
    if (!dvc) continue;
    h.add(dvc->view);
    h.add(dvc->last_normal_view);
    h.add(std::uint64_t{dvc->from});
    h.add(dvc->log);
  }
  h.add(replica.sent_do_view_change);
  h.add(replica.nonce);
  for (const auto& response : replica.responses) {
    h.add(response.has_value());
    if (!response) continue;
    h.add(response->view);
    h.add(response->nonce);
    h.add(std::uint64_t{response->from});
    h.add(response->log.has_value());
    if (response->log) h.add(*response->log);
  }
  return static_cast<std::size_t>(h.value());
}

}  // namespace ladder::level3
