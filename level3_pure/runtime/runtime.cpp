/// \file
/// The runtime's node: start (boot or recover), the batch loop with group commit, and the
/// execution of actions. Reading order: construction, start, the loop, stepping, flushing.

#include "level3_pure/runtime/runtime.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <random>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include "network/scheduling.hpp"
#include "protocol/codec.hpp"

namespace ladder::level3 {

namespace asio = boost::asio;

namespace {

ReplicaConfig replica_config(const NodeOptions& options) {
  assert(options.id >= 0 && options.id < options.cluster.config.replicas && "id in the cluster");
  ReplicaConfig config;
  config.self = static_cast<protocol::ReplicaId>(options.id);
  config.cluster = options.cluster.config;
  config.variant = options.variant;
  assert(config.valid() && "the cluster file was validated");
  return config;
}

DoorOptions door_options(const NodeOptions& options) {
  DoorOptions door;
  door.clients = client_range(options.cluster.config.replicas, options.id);
  door.deadline = options.door_deadline;
  door.max_in_flight = options.door_in_flight;
  door.linger = options.door_linger;
  door.linger_gap = options.door_linger_gap;
  return door;
}

RespServerOptions resp_options(const NodeOptions& options, protocol::ReplicaId self) {
  RespServerOptions resp;
  resp.listen_host = options.cluster.host;
  resp.listen_port = options.resp_port.value_or(options.cluster.replicas.at(self).resp);
  return resp;  // on_disconnect is set by the Node, which owns the door
}

std::vector<net::UdpEndpoint::Address> replica_addresses(const ClusterFile& cluster) {
  const auto host = asio::ip::make_address(cluster.host);
  std::vector<net::UdpEndpoint::Address> addresses;
  for (const ClusterMember& member : cluster.replicas)
    addresses.emplace_back(host, member.udp);
  return addresses;
}

// Creates `path` and makes it durable: the file's contents, then its directory entry.
void write_marker(const std::filesystem::path& path) {
  const auto fail = [&](const char* call) {
    throw DiskError(fmt::format("{}: {}: {}", path.string(), call, std::strerror(errno)));
  };
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("open");
  const std::string text = "ladder level 3 replica data dir: booted once\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = written && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) fail(written ? "fsync" : "write");
  const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) fail("open of its directory");
  const bool dir_synced = ::fsync(dir) == 0;
  ::close(dir);
  if (!dir_synced) fail("fsync of its directory");
}

// A restart's nonce (rule R0): real randomness, the one place the runtime draws any.
std::uint64_t fresh_nonce() {
  std::random_device device;
  return (std::uint64_t{device()} << 32) ^ device();
}

}  // namespace

// ---- Construction ------------------------------------------------------------------------------

Node::Node(asio::io_context& io, NodeOptions options)
    : io_(io),
      options_(std::move(options)),
      config_(replica_config(options_)),
      addresses_(replica_addresses(options_.cluster)),
      disk_(DurableLog::open(options_.data_dir / fmt::format("r{}.log", options_.id),
                             DurableLogOptions{.repair = options_.repair_disk,
                                               .preallocate = options_.preallocate_disk})),
      replica_(Replica::restarting(config_)),  // replaced by boot() or Recovered in start()
      endpoint_(io, addresses_.at(config_.self), options_.faults, options_.seed),
      door_(io.get_executor(), config_.cluster, door_options(options_),
            [this](protocol::ReplicaId to, const protocol::Message& message) {
              door_send(to, message);
            }),
      resp_(
          io, door_server_options(),
          [this](std::uint64_t connection, CounterCommand command, Done done) {
            door_.submit(connection, command, std::move(done));
          },
          [this] { return info(); }),
      lazy_sync_(io.get_executor()) {
  for (auto& timer : timers_)
    timer = std::make_unique<OneShot>(io.get_executor());
}

RespServerOptions Node::door_server_options() {
  RespServerOptions resp = resp_options(options_, config_.self);
  resp.on_disconnect = [this](std::uint64_t connection) { door_.disconnected(connection); };
  return resp;
}

Node::~Node() {
  try {
    stop();
  } catch (const DiskError&) {
    // The last lazy state could not be written: a commit alone (P4), whose loss breaks no
    // promise; the next start recovers the state before it.
  }
}

std::filesystem::path Node::marker_path() const {
  return options_.data_dir / fmt::format("r{}.marker", options_.id);
}

// ---- Start and stop ----------------------------------------------------------------------------

std::string Node::start() {
  assert(!started_ && "start() once");
  started_ = true;
  const bool marked = std::filesystem::exists(marker_path());
  const std::optional<Durable>& disk = disk_.recovered();
  if (!marked && !disk) {
    // First boot: the initial state goes to disk before the marker, and the marker before any
    // action, so that a crash anywhere here leaves either a fresh data dir or a booted one.
    StepResult booted = boot(config_);
    replica_ = std::move(booted.next);
    disk_.persist(replica_.durable());
    write_marker(marker_path());
    start_kind_ = "first boot";
    for (const Action& action : booted.actions)
      take(action);
  } else {
    if (!marked) write_marker(marker_path());  // a log without its marker: the log is the truth
    if (disk) {
      start_kind_ = fmt::format("recovered: view {}, op {}, commit {}", disk->view,
                                disk->log.op_number(), disk->log.commit_number());
    } else {
      start_kind_ = "disk lost: recovering from the other replicas";
    }
    step_on(Recovered{disk, fresh_nonce()});
  }
  flush();
  resp_.start();
  wait_for_datagrams();
  const std::string& host = options_.cluster.host;
  return fmt::format("ready r{}: udp {}:{}, resp {}:{}, disk {} ({}; {})", options_.id, host,
                     udp_port(), host, resp_port(), disk_.report().path.string(), start_kind_,
                     disk_.report().summary);
}

void Node::stop() {
  if (stopped_) return;
  stopped_ = true;
  resp_.stop();
  door_.stop();
  endpoint_.close();
  for (auto& timer : timers_)
    timer->cancel();
  lazy_sync_.cancel();
  if (staged_) sync_now();  // a clean stop leaves the disk up to date, the lazy commit included
}

// ---- The loop ----------------------------------------------------------------------------------

void Node::wait_for_datagrams() {
  endpoint_.wait_readable([this](bool ready) {
    if (!ready || stopped_) return;
    run_batch();
    wait_for_datagrams();
  });
}

void Node::schedule_batch() {
  if (batch_posted_) return;
  batch_posted_ = true;
  asio::post(io_, [this] {
    batch_posted_ = false;
    if (!stopped_) run_batch();
  });
}

void Node::run_batch() {
  std::size_t budget = options_.batch_max;
  while (!local_.empty() && budget > 0) {
    const Receive input = std::move(local_.front());
    local_.pop_front();
    step_on(input);
    --budget;
  }
  endpoint_.drain(budget, [this](const net::UdpEndpoint::Address& source, std::string_view bytes) {
    on_datagram(source, bytes);
  });
  flush();
  if (!local_.empty()) schedule_batch();  // the door's next requests, after the batch's replies
}

void Node::on_datagram(const net::UdpEndpoint::Address& source, std::string_view bytes) {
  ++counters_.datagrams;
  protocol::DecodeResult decoded = protocol::decode_datagram(bytes);
  if (!decoded) {
    ++counters_.malformed;  // bytes from a stranger: counted, never a crash
    return;
  }
  protocol::Message message = std::move(decoded).message();
  const auto n = static_cast<net::NodeId>(config_.cluster.replicas);
  const std::optional<protocol::ReplicaId> sender = replica_at(source);
  if (const auto* reply = std::get_if<protocol::Reply>(&message)) {
    // A Reply is for a client: one of this node's door's (it asked from this socket).
    if (!door_.owns(reply->id.client)) {
      ++counters_.stray_replies;
      return;
    }
    door_.on_message(reply->id.client, message, sender.value_or(n + reply->id.client));
    return;
  }
  if (const auto* request = std::get_if<protocol::Request>(&message)) {
    const spec::ClientId client = request->id.client;
    assert(client < protocol::kMaxClients && "decode checks the client id's bound");
    client_address_[client] = source;  // its replies go where its requests come from
    client_local_[client] = false;
    step_on(Receive{n + client, std::move(message)});
    return;
  }
  if (!sender) {
    ++counters_.strangers;
    return;
  }
  step_on(Receive{*sender, std::move(message)});
}

void Node::on_timer(Timer timer) {
  if (stopped_) return;
  step_on(TimerFired{timer});
  flush();
}

// ---- Stepping ----------------------------------------------------------------------------------

void Node::step_on(const Input& input) {
  ++counters_.steps;
  StepResult result = step(std::move(replica_), input);
  replica_ = std::move(result.next);
  sends_first_ = false;
  for (const Action& action : result.actions)
    take(action);
}

// Persist is staged (written at the flush), timers are set at once, and what leaves the node
// waits for the flush of the strict Persists taken before it: that is all P2 and P4 ask
// (action.hpp). P5 lets a step's Sends go first, as long as every strict Persist of an earlier
// step is on disk ("every action of a later step waits for it").
void Node::take(const Action& action) {
  if (const auto* persist = std::get_if<Persist>(&action)) {
    disk_.stage(persist->state);
    staged_ = true;
    if (persist->durability == Durability::before_replies && strict_staged_ == strict_synced_) {
      sends_first_ = true;
    }
    if (!persist->lazy()) ++strict_staged_;
  } else if (const auto* send = std::get_if<Send>(&action); send != nullptr && sends_first_) {
    assert(send->to != config_.self && "step never sends to self");
    ++counters_.sends;
    ++counters_.sends_first;
    endpoint_.send(addresses_.at(send->to), protocol::encode_datagram(send->message));
  } else if (const auto* set = std::get_if<SetTimer>(&action)) {
    assert(set->after_ms > 0 && "SetTimer asks for a positive delay");
    const Timer timer = set->timer;
    timers_.at(static_cast<std::size_t>(timer))
        ->arm(std::chrono::milliseconds(set->after_ms), [this, timer] { on_timer(timer); });
  } else if (const auto* cancel = std::get_if<CancelTimer>(&action)) {
    timers_.at(static_cast<std::size_t>(cancel->timer))->cancel();
  } else {
    held_.push_back(Held{action, strict_staged_});
  }
}

// ---- Flushing ----------------------------------------------------------------------------------

void Node::flush() {
  ++counters_.batches;
  std::vector<Held> out;
  out.swap(held_);
  // What waits for no unsynced strict Persist leaves now: a commit's replies (P4).
  const auto ready = std::partition_point(
      out.cbegin(), out.cend(), [&](const Held& held) { return held.needs <= strict_synced_; });
  counters_.early_sends += static_cast<std::uint64_t>(ready - out.cbegin());
  release(out.cbegin(), ready);
  // One fdatasync for every strict Persist of the batch, before anything that depends on them
  // leaves. A DiskError ends the node (durable_log.hpp: an fsync failure cannot be retried).
  if (strict_staged_ > strict_synced_) sync_now();
  release(ready, out.cend());
  if (staged_ && !lazy_sync_.armed()) {
    lazy_sync_.arm(kLazySyncDelay, [this] {
      if (stopped_ || !staged_) return;
      ++counters_.lazy_syncs;
      sync_now();
    });
  }
}

void Node::sync_now() {
  assert(staged_ && "a sync writes what was staged");
  disk_.sync();
  staged_ = false;
  strict_synced_ = strict_staged_;
  ++counters_.syncs;
  lazy_sync_.cancel();
}

void Node::release(std::vector<Held>::const_iterator first,
                   std::vector<Held>::const_iterator last) {
  for (auto it = first; it != last; ++it) {
    ++counters_.sends;
    if (const auto* send = std::get_if<Send>(&it->action)) {
      assert(send->to != config_.self && "step never sends to self");
      endpoint_.send(addresses_.at(send->to), protocol::encode_datagram(send->message));
    } else {
      execute_reply(std::get<ReplyToClient>(it->action));
    }
  }
}

void Node::execute_reply(const ReplyToClient& reply) {
  const spec::ClientId client = reply.client;
  assert(client < protocol::kMaxClients && "client ids are bounded");
  if (client_local_[client] && door_.owns(client)) {
    door_.on_message(client, protocol::Message{reply.reply}, config_.self);
    return;
  }
  if (!client_address_[client]) {
    ++counters_.unroutable;  // a client whose requests this process never saw
    return;
  }
  endpoint_.send(*client_address_[client], protocol::encode_datagram(reply.reply),
                 net::MessageClass::response);
}

// The door's client sends a Request: to this replica without travelling, else by UDP.
void Node::door_send(protocol::ReplicaId to, const protocol::Message& message) {
  if (stopped_) return;
  if (to != config_.self) {
    endpoint_.send(addresses_.at(to), protocol::encode_datagram(message));
    return;
  }
  const auto* request = std::get_if<protocol::Request>(&message);
  assert(request != nullptr && "a client sends only Requests");
  const spec::ClientId client = request->id.client;
  client_local_[client] = true;
  const auto n = static_cast<net::NodeId>(config_.cluster.replicas);
  local_.push_back(Receive{n + client, message});
  schedule_batch();
}

std::optional<protocol::ReplicaId> Node::replica_at(const net::UdpEndpoint::Address& source) const {
  for (std::size_t i = 0; i < addresses_.size(); ++i) {
    if (addresses_[i] == source) return static_cast<protocol::ReplicaId>(i);
  }
  return std::nullopt;
}

// ---- Queries -----------------------------------------------------------------------------------

std::string Node::info() const {
  const Replica& r = replica_;
  const DoorStats& door = door_.stats();
  std::string text = "# ladder\r\n";
  text += fmt::format("replica:{}\r\nrole:{}\r\nview:{}\r\nop:{}\r\ncommit:{}\r\nvalue:{}\r\n",
                      options_.id, to_string(r.role()), r.view, r.op_number(), r.commit_number(),
                      r.value());
  text += fmt::format("status:{}\r\nvariant:{}\r\nstart:{}\r\nscheduling:{}\r\ndisk:{}\r\n",
                      to_string(r.status), to_string(config_.variant), start_kind_,
                      net::scheduling_policy(), options_.preallocate_disk ? "in-place" : "append");
  text += fmt::format(
      "datagrams:{}\r\nmalformed:{}\r\nstrangers:{}\r\nsteps:{}\r\nbatches:{}\r\nsyncs:{}\r\n"
      "lazy_syncs:{}\r\nearly_sends:{}\r\nsends_first:{}\r\n",
      counters_.datagrams, counters_.malformed, counters_.strangers, counters_.steps,
      counters_.batches, counters_.syncs, counters_.lazy_syncs, counters_.early_sends,
      counters_.sends_first);
  text += fmt::format(
      "door_commands:{}\r\ndoor_requests:{}\r\ndoor_ok:{}\r\ndoor_unknown:{}\r\ndoor_refused:{}"
      "\r\ndoor_lingers:{}\r\ndoor_linger_timeouts:{}\r\ndoor_request_us:{}\r\n"
      "door_answer_us:{}\r\ndoor_linger_us:{}\r\n",
      door.commands, door.requests, door.ok, door.unknown, door.refused, door.lingers,
      door.linger_timeouts, door.request_us, door.answer_us, door.linger_us);
  return text;
}

std::string Node::summary() const {
  return fmt::format("r{} stopped: {} view {} op {} commit {} value {} ({} malformed datagrams)",
                     options_.id, to_string(replica_.role()), replica_.view, replica_.op_number(),
                     replica_.commit_number(), replica_.value(), counters_.malformed);
}

}  // namespace ladder::level3
