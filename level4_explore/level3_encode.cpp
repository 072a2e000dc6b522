/// \file
/// Level 3's cluster as a Model: the canonical encoding the explorer stores, and the labels.
///
/// The encoding is varints, field by field, in a fixed order; what every state shares (the
/// configuration) is left out. Equal states give equal bytes because every field is canonical:
/// the network is sorted, tables are indexed by id, optionals carry a presence byte.

#include <cassert>

#include <fmt/format.h>

#include "level4_explore/level3_model.hpp"
#include "protocol/codec.hpp"

namespace ladder::level4 {

namespace {

class Writer {
 public:
  explicit Writer(std::string& bytes) : bytes_(bytes) {}

  void number(std::uint64_t value) {
    if (value < 0x80) return byte(static_cast<std::uint8_t>(value));  // the common case
    char buffer[10];                                                  // 64 bits in 7-bit groups
    std::size_t length = 0;
    while (value >= 0x80) {
      buffer[length++] = static_cast<char>((value & 0x7F) | 0x80);
      value >>= 7;
    }
    buffer[length++] = static_cast<char>(value);
    bytes_.append(buffer, length);
  }
  void signed_number(std::int64_t value) {
    // Zigzag: small negative numbers stay short.
    number((static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63));
  }
  void byte(std::uint8_t value) { bytes_.push_back(static_cast<char>(value)); }

  void log(const protocol::Log& log) {
    number(log.snapshot.commit_number);
    signed_number(log.snapshot.value);
    number(log.snapshot.clients.size());
    for (const protocol::ClientRecord& record : log.snapshot.clients) {
      number(record.request.client);
      number(record.request.seq);
      signed_number(record.value);
    }
    number(log.suffix.size());
    for (const protocol::Request& request : log.suffix)
      this->request(request);
  }
  void request(const protocol::Request& request) {
    number(request.id.client);
    number(request.id.seq);
    byte(static_cast<std::uint8_t>(request.op.kind));
    signed_number(request.op.delta);
  }

  void replica(const level3::Replica& replica) {
    byte(static_cast<std::uint8_t>(replica.status));
    number(replica.view);
    number(replica.last_normal_view);
    log(replica.log);
    for (const protocol::OpNumber acked : replica.acked)
      number(acked);
    number(replica.svc.bits());
    for (const auto& dvc : replica.dvc) {
      byte(dvc ? 1 : 0);
      if (!dvc) continue;
      number(dvc->view);
      number(dvc->last_normal_view);
      number(dvc->from);
      log(dvc->log);
    }
    byte(replica.sent_do_view_change ? 1 : 0);
    number(replica.nonce);
    for (const auto& response : replica.responses) {
      byte(response ? 1 : 0);
      if (!response) continue;
      number(response->view);
      number(response->nonce);
      number(response->from);
      byte(response->log ? 1 : 0);
      if (response->log) log(*response->log);
    }
  }

  void client(const level3::ClientState& client) {
    number(client.last_seq);
    byte(client.outstanding ? 1 : 0);
    if (client.outstanding) request(*client.outstanding);
    number(client.target);
  }

 private:
  std::string& bytes_;
};

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  [[nodiscard]] bool at_end() const { return at_ == bytes_.size(); }

  std::uint64_t number() {
    std::uint64_t value = 0;
    for (int shift = 0;; shift += 7) {
      const std::uint8_t next = byte();
      value |= static_cast<std::uint64_t>(next & 0x7F) << shift;
      if ((next & 0x80) == 0) return value;
    }
  }
  std::int64_t signed_number() {
    const std::uint64_t zigzag = number();
    return static_cast<std::int64_t>(zigzag >> 1) ^ -static_cast<std::int64_t>(zigzag & 1);
  }
  std::uint8_t byte() {
    assert(at_ < bytes_.size() && "decode reads only what encode wrote");
    return static_cast<std::uint8_t>(bytes_[at_++]);
  }
  std::string text(std::size_t length) {
    assert(at_ + length <= bytes_.size() && "decode reads only what encode wrote");
    std::string out(bytes_.substr(at_, length));
    at_ += length;
    return out;
  }

  protocol::Log log() {
    protocol::Log log;
    log.snapshot.commit_number = number();
    log.snapshot.value = signed_number();
    log.snapshot.clients.resize(number());
    for (protocol::ClientRecord& record : log.snapshot.clients) {
      record.request.client = static_cast<spec::ClientId>(number());
      record.request.seq = number();
      record.value = signed_number();
    }
    log.suffix.resize(number());
    for (protocol::Request& request : log.suffix)
      request = this->request();
    return log;
  }
  protocol::Request request() {
    protocol::Request request;
    request.id.client = static_cast<spec::ClientId>(number());
    request.id.seq = number();
    request.op.kind = static_cast<spec::OpKind>(byte());
    request.op.delta = signed_number();
    return request;
  }

  // Into `replica`, which holds Replica::initial of its config (the config is not encoded).
  void replica(level3::Replica& replica) {
    replica.status = static_cast<level3::Status>(byte());
    replica.view = number();
    replica.last_normal_view = number();
    replica.log = log();
    for (protocol::OpNumber& acked : replica.acked)
      acked = number();
    const auto svc = number();
    replica.svc.clear();
    for (protocol::ReplicaId r = 0; r < 32; ++r) {
      if ((svc >> r & 1U) != 0) replica.svc.insert(r);
    }
    for (auto& dvc : replica.dvc) {
      dvc.reset();
      if (byte() == 0) continue;
      dvc.emplace();
      dvc->view = number();
      dvc->last_normal_view = number();
      dvc->from = static_cast<protocol::ReplicaId>(number());
      dvc->log = log();
    }
    replica.sent_do_view_change = byte() != 0;
    replica.nonce = number();
    for (auto& response : replica.responses) {
      response.reset();
      if (byte() == 0) continue;
      response.emplace();
      response->view = number();
      response->nonce = number();
      response->from = static_cast<protocol::ReplicaId>(number());
      if (byte() != 0) response->log = log();
    }
  }

  void client(level3::ClientState& client) {
    client.last_seq = number();
    client.outstanding.reset();
    if (byte() != 0) client.outstanding = request();
    client.target = static_cast<protocol::ReplicaId>(number());
  }

 private:
  std::string_view bytes_;
  std::size_t at_ = 0;
};

}  // namespace

Level3State Level3Model::decode(std::string_view bytes) const {
  // initial() gives every replica its config and every table its size; the bytes fill the rest.
  State state = initial();
  Reader in(bytes);
  for (level3::Replica& replica : state.replicas)
    in.replica(replica);
  for (std::optional<protocol::Log>& disk : state.lagging_disk) {
    disk.reset();
    if (in.byte() != 0) disk = in.log();
  }
  state.down = static_cast<std::uint32_t>(in.number());
  for (std::uint8_t& timers : state.timers)
    timers = in.byte();
  for (level3::ClientState& client : state.clients)
    in.client(client);
  for (std::uint8_t& invoked : state.invoked)
    invoked = in.byte();
  state.network.resize(in.number());
  for (Packet& packet : state.network) {
    packet.from = in.byte();
    packet.to = in.byte();
    packet.body = in.text(in.number());
  }
  state.drops = in.byte();
  state.duplicates = in.byte();
  state.crashes = in.byte();
  state.timeouts = in.byte();
  state.acknowledged.resize(in.number());
  for (Acknowledged& ack : state.acknowledged) {
    ack.request.client = static_cast<spec::ClientId>(in.number());
    ack.request.seq = in.number();
    ack.view = in.number();
  }
  assert(in.at_end() && "decode reads exactly what encode wrote");
  return state;
}

void Level3Model::encode(const State& state, std::string& bytes) const {
  Writer out(bytes);
  for (const level3::Replica& replica : state.replicas)
    out.replica(replica);
  for (const std::optional<protocol::Log>& disk : state.lagging_disk) {
    out.byte(disk ? 1 : 0);
    if (disk) out.log(*disk);
  }
  out.number(state.down);
  for (const std::uint8_t timers : state.timers)
    out.byte(timers);
  for (const level3::ClientState& client : state.clients)
    out.client(client);
  for (const std::uint8_t invoked : state.invoked)
    out.byte(invoked);
  out.number(state.network.size());
  for (const Packet& packet : state.network) {
    out.byte(packet.from);
    out.byte(packet.to);
    out.number(packet.body.size());
    bytes.append(packet.body);
  }
  out.byte(state.drops);
  out.byte(state.duplicates);
  out.byte(state.crashes);
  out.byte(state.timeouts);
  out.number(state.acknowledged.size());
  for (const Acknowledged& ack : state.acknowledged) {
    out.number(ack.request.client);
    out.number(ack.request.seq);
    out.number(ack.view);
  }
}

std::string Level3Model::describe(const State& state) const {
  std::string text;
  for (std::size_t r = 0; r < state.replicas.size(); ++r) {
    const level3::Replica& replica = state.replicas[r];
    if ((state.down & (1U << r)) != 0) {
      text += fmt::format("r{} down v{} op{} commit{} | ", r, replica.view, replica.op_number(),
                          replica.commit_number());
    } else if (const auto& disk = state.lagging_disk[r]) {
      // The window of P4 and P5: what a crash now would restart from.
      text += fmt::format("{} (disk: op{} commit{}) | ", replica.describe(),
                          disk->snapshot.commit_number + disk->suffix.size(),
                          disk->snapshot.commit_number);
    } else {
      text += replica.describe() + " | ";
    }
  }
  for (std::size_t c = 0; c < state.clients.size(); ++c) {
    const level3::ClientState& client = state.clients[c];
    text += fmt::format("c{} {} {}/{} | ", c, client.busy() ? "waiting" : "idle", state.invoked[c],
                        config_.ops);
  }
  text += fmt::format("{} in flight", state.network.size());
  return text;
}

std::string Level3Model::describe(const Event& event) const {
  switch (event.kind) {
    case Event::Kind::deliver:
    case Event::Kind::drop:
    case Event::Kind::duplicate: {
      const char* verb = event.kind == Event::Kind::deliver ? "deliver"
                         : event.kind == Event::Kind::drop  ? "drop"
                                                            : "duplicate";
      protocol::DecodeResult decoded = protocol::decode(event.packet.body);
      const std::string message = decoded ? protocol::describe(decoded.message()) : "(malformed)";
      return fmt::format("{} {}->{} {}", verb, node_name(event.packet.from),
                         node_name(event.packet.to), message);
    }
    case Event::Kind::timer:
      return fmt::format("timer {} {}", node_name(event.node), level3::to_string(event.timer));
    case Event::Kind::crash:
      return fmt::format("crash {}", node_name(event.node));
    case Event::Kind::restart:
      return fmt::format("restart {}", node_name(event.node));
    case Event::Kind::invoke:
      return fmt::format("invoke c{}", event.node);
  }
  return "?";
}

}  // namespace ladder::level4
