#include "level1_rpc/replica.hpp"

#include <cassert>
#include <optional>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "level1_rpc/client.hpp"
#include "level1_rpc/errors.hpp"

namespace ladder::level1 {

namespace {

// `{"value": 12}`, the result of add and read. Built key by key: an initializer list would build
// and convert temporary arrays first, which costs more than the rest of a call on the server.
nlohmann::json value_result(std::int64_t value) {
  nlohmann::json result(nlohmann::json::value_t::object);
  result.emplace("value", value);
  return result;
}

}  // namespace

nlohmann::json to_json(const Update& update) {
  nlohmann::json args(nlohmann::json::value_t::object);  // key by key, as value_result()
  args.emplace("client", update.request.client);
  args.emplace("seq", update.request.seq);
  args.emplace("delta", update.delta);
  return args;
}

Update update_from_json(const nlohmann::json& args) {
  const auto field = [&args](const char* name) -> const nlohmann::json& {
    if (!args.is_object() || !args.contains(name)) {
      throw std::invalid_argument(fmt::format("missing argument \"{}\"", name));
    }
    return args.at(name);
  };
  const nlohmann::json& client = field("client");
  const nlohmann::json& seq = field("seq");
  const nlohmann::json& delta = field("delta");
  if (!client.is_number_unsigned() || client.get<std::uint64_t>() > UINT32_MAX) {
    throw std::invalid_argument("argument \"client\" must be an unsigned 32-bit integer");
  }
  if (!seq.is_number_unsigned() || seq.get<std::uint64_t>() == 0) {
    throw std::invalid_argument("argument \"seq\" must be an integer >= 1");
  }
  if (!delta.is_number_integer())
    throw std::invalid_argument("argument \"delta\" must be an integer");
  return Update{
      .request = {.client = client.get<spec::ClientId>(), .seq = seq.get<std::uint64_t>()},
      .delta = delta.get<std::int64_t>()};
}

nlohmann::json state_to_json(const spec::ReplicaState& state) {
  nlohmann::json applied = nlohmann::json::array();
  for (const spec::RequestId& request : state.applied)
    applied.push_back({request.client, request.seq});
  return {{"value", state.value}, {"applied", std::move(applied)}};
}

spec::ReplicaState state_from_json(const nlohmann::json& result, std::string name) {
  if (!result.is_object() || !result.contains("value") || !result.at("value").is_number_integer())
    throw std::invalid_argument("state: field \"value\" must be an integer");
  if (!result.contains("applied") || !result.at("applied").is_array())
    throw std::invalid_argument("state: field \"applied\" must be an array");
  spec::ReplicaState state{.name = std::move(name),
                           .up = true,
                           .value = result.at("value").get<std::int64_t>(),
                           .has_apply_log = true,
                           .applied = {}};
  for (const nlohmann::json& entry : result.at("applied")) {
    const bool pair = entry.is_array() && entry.size() == 2 && entry[0].is_number_unsigned() &&
                      entry[1].is_number_unsigned();
    if (!pair || entry[0].get<std::uint64_t>() > UINT32_MAX) {
      throw std::invalid_argument(
          fmt::format("state: entry {} of \"applied\" must be [client, seq], got {}",
                      state.applied.size(), entry.dump()));
    }
    state.applied.push_back(spec::RequestId{.client = entry[0].get<spec::ClientId>(),
                                            .seq = entry[1].get<std::uint64_t>()});
  }
  return state;
}

Replica::Replica(ReplicaOptions options)
    : options_(std::move(options)),
      server_(ServerOptions{.host = "127.0.0.1",
                            .port = options_.port,
                            .threads = options_.threads,
                            .max_frame_bytes = net::kDefaultMaxFrameBytes,
                            .batch_scheduling = options_.batch_scheduling}) {
  assert(options_.index >= 0);
  if (options_.make_reply_cache) reply_cache_ = options_.make_reply_cache();
  server_.add_method("add", [this](const nlohmann::json& args) { return add(args); });
  server_.add_method("apply", [this](const nlohmann::json& args) { return apply(args); });
  server_.add_method("read", [this](const nlohmann::json& args) { return read(args); });
  server_.add_method("state", [this](const nlohmann::json&) { return state_to_json(state()); });
}

Replica::~Replica() {
  stop();
}

void Replica::start() {
  server_.start();
}

void Replica::set_peers(const std::vector<std::uint16_t>& ports) {
  const std::lock_guard lock(primary_mutex_);
  std::vector<std::uint16_t> backup_ports;
  backup_indices_.clear();
  for (std::size_t i = 0; i < ports.size(); ++i) {
    if (static_cast<int>(i) == options_.index) continue;
    backup_indices_.push_back(static_cast<int>(i));
    backup_ports.push_back(ports[i]);
  }
  backups_ = std::make_unique<ClientGroup>("127.0.0.1", backup_ports);
}

void Replica::stop() {
  server_.stop();  // waits for the running calls, so no add uses the backups after this
  const std::lock_guard lock(primary_mutex_);
  backups_.reset();
}

std::uint16_t Replica::port() const {
  return server_.port();
}

spec::ReplicaState Replica::state() const {
  const std::lock_guard lock(state_mutex_);
  return spec::ReplicaState{.name = fmt::format("r{}", options_.index),
                            .up = true,
                            .value = value_,
                            .has_apply_log = true,
                            .applied = applied_};
}

ReplicaStats Replica::stats() const {
  const std::lock_guard lock(state_mutex_);
  return stats_;
}

std::uint64_t Replica::running() const {
  return server_.stats().running;
}

// Applies the update and returns the new value — unless the reply cache recognises the request:
// then nothing is applied and nullopt is returned.
std::optional<std::int64_t> Replica::apply_locally(const Update& update) {
  const std::lock_guard lock(state_mutex_);
  if (reply_cache_ && reply_cache_->lookup(update.request)) {
    ++stats_.answered_from_cache;
    return std::nullopt;
  }
  value_ += update.delta;
  applied_.push_back(update.request);  // a log; without a reply cache, nothing looks at it
  if (reply_cache_) reply_cache_->remember(update.request, value_);
  return value_;
}

// The value the reply cache remembers for `request`; precondition: it remembers it.
std::int64_t Replica::cached_reply(const spec::RequestId& request) const {
  const std::lock_guard lock(state_mutex_);
  assert(reply_cache_ && "only a replica with a reply cache has cached replies");
  const std::optional<std::int64_t> value = reply_cache_->lookup(request);
  assert(value && "apply_locally said the cache remembers this request");
  return *value;
}

//! [primary-add]
nlohmann::json Replica::add(const nlohmann::json& args) {
  const Update update = update_from_json(args);
  // One add at a time, backups included: this is what fixes level 0's lost update, and it also
  // makes every backup see this primary's adds in the same order.
  const std::lock_guard primary(primary_mutex_);
  const std::optional<std::int64_t> applied = apply_locally(update);
  // A request seen before is answered as it was the first time, and not sent to the backups
  // again: they applied it then (or were skipped then, which a cache cannot mend).
  if (!applied) return value_result(cached_reply(update.request));
  const std::int64_t value = *applied;
  if (backups_) {
    // Every backup gets the update at once, and the primary waits for all of them.
    const auto outcomes = backups_->call_all("apply", to_json(update), options_.backup_deadline);
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      if (!outcomes[i].error) continue;
      // Level 1's belief at work: the call threw, so the backup "did not get it", and the
      // primary moves on. Whether it ran is exactly what the error cannot say.
      note_skipped_backup(update, backup_indices_[i], outcomes[i].error);
    }
  }
  {
    const std::lock_guard lock(state_mutex_);
    ++stats_.adds;
  }
  return value_result(value);
}
//! [primary-add]

void Replica::note_skipped_backup(const Update& update, int backup,
                                  const std::exception_ptr& error) {
  {
    const std::lock_guard lock(state_mutex_);
    ++stats_.backup_failures;
  }
  if (!options_.log) return;
  try {
    std::rethrow_exception(error);
  } catch (const RpcError& e) {
    options_.log(fmt::format("apply {} on r{} failed, skipped: {}: {}",
                             spec::to_string(update.request), backup, e.kind(), e.what()));
  }
}

nlohmann::json Replica::apply(const nlohmann::json& args) {
  const Update update = update_from_json(args);
  const bool applied = apply_locally(update).has_value();
  const std::lock_guard lock(state_mutex_);
  if (applied) ++stats_.applies;
  return nlohmann::json::object();
}

nlohmann::json Replica::read(const nlohmann::json& args) const {
  (void)args;
  const std::lock_guard lock(state_mutex_);
  return value_result(value_);
}

}  // namespace ladder::level1
