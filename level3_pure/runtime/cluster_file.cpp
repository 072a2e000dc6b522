/// \file
/// cluster.json's strict reader and its writer. Every error names the file and the JSON pointer
/// of the value, and says what was expected (the house style of network/scenario.cpp).

#include "level3_pure/runtime/cluster_file.hpp"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ladder::level3 {
namespace {

using json = nlohmann::json;
using Pointer = json::json_pointer;

constexpr net::Time kMaxTimeoutMs = 3'600'000;  // an hour: anything longer is a typo

[[noreturn]] void fail(const std::string& source, const Pointer& at, const std::string& problem) {
  const std::string where = at.to_string().empty() ? "/" : at.to_string();
  throw ClusterFileError(fmt::format("{}: {}: {}", source, where, problem));
}

[[noreturn]] void expected(const std::string& source, const Pointer& at, const json& value,
                           const std::string& what) {
  fail(source, at, fmt::format("expected {}, got {}", what, value.dump()));
}

// An object whose fields are all among `allowed` and which has every one of `required`.
void check_object(const std::string& source, const Pointer& at, const json& value,
                  std::initializer_list<const char*> allowed,
                  std::initializer_list<const char*> required, const std::string& what) {
  if (!value.is_object()) expected(source, at, value, what);
  for (const auto& item : value.items()) {
    const bool known = std::any_of(allowed.begin(), allowed.end(),
                                   [&](const char* name) { return item.key() == name; });
    if (!known) {
      std::string names;
      for (const char* name : allowed)
        names += fmt::format("{}\"{}\"", names.empty() ? "" : ", ", name);
      fail(source, at / item.key(), fmt::format("unknown field (expected one of {})", names));
    }
  }
  for (const char* name : required) {
    if (!value.contains(name)) fail(source, at / name, "missing field");
  }
}

std::int64_t integer(const std::string& source, const Pointer& at, const json& value,
                     std::int64_t lo, std::int64_t hi) {
  const std::string what = fmt::format("an integer from {} to {}", lo, hi);
  if (!value.is_number_integer()) expected(source, at, value, what);
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > INT64_MAX) {
    expected(source, at, value, what);
  }
  const auto result = value.get<std::int64_t>();
  if (result < lo || result > hi) expected(source, at, value, what);
  return result;
}

ClusterMember member(const std::string& source, const Pointer& at, const json& value,
                     std::size_t index) {
  check_object(source, at, value, {"id", "udp", "resp"}, {"id", "udp", "resp"},
               "a replica {\"id\": N, \"udp\": PORT, \"resp\": PORT}");
  ClusterMember m;
  m.id = static_cast<int>(integer(source, at / "id", value["id"], 0, 14));
  if (static_cast<std::size_t>(m.id) != index) {
    fail(source, at / "id",
         fmt::format("expected {} (replicas are listed in id order, from 0), got {}", index, m.id));
  }
  m.udp = static_cast<std::uint16_t>(integer(source, at / "udp", value["udp"], 1, 65535));
  m.resp = static_cast<std::uint16_t>(integer(source, at / "resp", value["resp"], 1, 65535));
  return m;
}

void read_timeouts(const std::string& source, const Pointer& at, const json& value,
                   protocol::Config& config) {
  check_object(source, at, value,
               {"heartbeat_ms", "view_change_ms", "client_retry_ms", "recovery_retry_ms"}, {},
               "an object of timeouts in ms");
  const auto read = [&](const char* name, net::Time& field) {
    if (value.contains(name)) field = integer(source, at / name, value[name], 1, kMaxTimeoutMs);
  };
  read("heartbeat_ms", config.heartbeat_ms);
  read("view_change_ms", config.view_change_timeout_ms);
  read("client_retry_ms", config.client_retry_ms);
  read("recovery_retry_ms", config.recovery_retry_ms);
  if (config.view_change_timeout_ms <= config.heartbeat_ms) {
    fail(source, at / "view_change_ms",
         fmt::format("expected more than heartbeat_ms ({}), got {}", config.heartbeat_ms,
                     config.view_change_timeout_ms));
  }
}

std::string host(const std::string& source, const Pointer& at, const json& value) {
  const char* what = "an IPv4 address such as \"127.0.0.1\"";
  if (!value.is_string()) expected(source, at, value, what);
  const auto text = value.get<std::string>();
  unsigned a = 0, b = 0, c = 0, d = 0;
  char tail = 0;
  const int parts = std::sscanf(text.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail);
  if (parts != 4 || a > 255 || b > 255 || c > 255 || d > 255) expected(source, at, value, what);
  return text;
}

}  // namespace

ClusterFile ClusterFile::local(int n, std::uint16_t udp_base, std::uint16_t resp_base) {
  assert(n >= 1 && n % 2 == 1 && n <= 15 && "an odd cluster of at most 15 replicas");
  assert(udp_base + n - 1 <= 65535 && resp_base + n - 1 <= 65535 && "ports fit 16 bits");
  ClusterFile cluster;
  cluster.config.replicas = n;
  for (int i = 0; i < n; ++i) {
    cluster.replicas.push_back(ClusterMember{i, static_cast<std::uint16_t>(udp_base + i),
                                             static_cast<std::uint16_t>(resp_base + i)});
  }
  return cluster;
}

ClusterFile parse_cluster_file(const std::string& text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& error) {
    throw ClusterFileError(fmt::format("{}: not JSON: {}", source, error.what()));
  }
  const Pointer root;
  check_object(source, root, doc, {"format", "version", "host", "replicas", "timeouts"},
               {"format", "version", "replicas"}, "a cluster file object");
  if (doc["format"] != "ladder-cluster") {
    expected(source, root / "format", doc["format"], "\"ladder-cluster\"");
  }
  integer(source, root / "version", doc["version"], 1, 1);

  ClusterFile cluster;
  if (doc.contains("host")) cluster.host = host(source, root / "host", doc["host"]);
  const json& replicas = doc["replicas"];
  if (!replicas.is_array() || replicas.empty() || replicas.size() > 15 ||
      replicas.size() % 2 == 0) {
    expected(source, root / "replicas", replicas, "a list of 1 to 15 replicas, an odd number");
  }
  std::set<std::uint16_t> ports;
  for (std::size_t i = 0; i < replicas.size(); ++i) {
    const Pointer at = root / "replicas" / i;
    cluster.replicas.push_back(member(source, at, replicas[i], i));
    for (const char* which : {"udp", "resp"}) {
      const auto port = static_cast<std::uint16_t>(replicas[i][which].get<int>());
      if (!ports.insert(port).second) {
        fail(source, at / which, fmt::format("port {} is used twice in this file", port));
      }
    }
  }
  cluster.config.replicas = static_cast<int>(replicas.size());
  if (doc.contains("timeouts")) {
    read_timeouts(source, root / "timeouts", doc["timeouts"], cluster.config);
  }
  assert(cluster.config.valid() && "validated above");
  return cluster;
}

ClusterFile load_cluster_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw ClusterFileError(fmt::format("{}: cannot open the cluster file", file.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_cluster_file(text.str(), file.string());
}

std::string to_json_text(const ClusterFile& cluster) {
  json replicas = json::array();
  for (const ClusterMember& m : cluster.replicas)
    replicas.push_back({{"id", m.id}, {"udp", m.udp}, {"resp", m.resp}});
  const protocol::Config& c = cluster.config;
  const json doc = {{"format", "ladder-cluster"},
                    {"version", 1},
                    {"host", cluster.host},
                    {"replicas", replicas},
                    {"timeouts",
                     {{"heartbeat_ms", c.heartbeat_ms},
                      {"view_change_ms", c.view_change_timeout_ms},
                      {"client_retry_ms", c.client_retry_ms},
                      {"recovery_retry_ms", c.recovery_retry_ms}}}};
  return doc.dump(2) + "\n";
}

void write_cluster_file(const std::filesystem::path& file, const ClusterFile& cluster) {
  std::ofstream out(file, std::ios::trunc);
  out << to_json_text(cluster);
  out.close();
  if (!out)
    throw std::runtime_error(fmt::format("{}: cannot write the cluster file", file.string()));
}

}  // namespace ladder::level3
