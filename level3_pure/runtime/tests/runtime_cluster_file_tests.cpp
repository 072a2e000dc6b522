// cluster.json: the strict reader names the file and the JSON pointer of every mistake, and what
// the writer writes the reader reads back.

#include <string>

#include <catch2/catch.hpp>

#include "level3_pure/runtime/cluster_file.hpp"
#include "level3_pure/runtime/runtime_door.hpp"

namespace {

using ladder::level3::ClusterFile;
using ladder::level3::ClusterFileError;
using ladder::level3::parse_cluster_file;

const std::string kGood = R"({"format": "ladder-cluster", "version": 1, "host": "127.0.0.1",
  "replicas": [{"id": 0, "udp": 7300, "resp": 6380}, {"id": 1, "udp": 7301, "resp": 6381},
               {"id": 2, "udp": 7302, "resp": 6382}],
  "timeouts": {"heartbeat_ms": 20, "view_change_ms": 150}})";

// The message of the error that parsing `text` throws ("" when it parses).
std::string error_of(const std::string& text) {
  try {
    (void)parse_cluster_file(text, "c.json");
  } catch (const ClusterFileError& error) {
    return error.what();
  }
  return "";
}

std::string with(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a cluster file gives every replica's ports and the timeouts") {
  const ClusterFile cluster = parse_cluster_file(kGood, "c.json");
  REQUIRE(cluster.replicas.size() == 3);
  CHECK(cluster.host == "127.0.0.1");
  CHECK(cluster.replicas[1].udp == 7301);
  CHECK(cluster.replicas[2].resp == 6382);
  CHECK(cluster.config.replicas == 3);
  CHECK(cluster.config.heartbeat_ms == 20);
  CHECK(cluster.config.view_change_timeout_ms == 150);
  CHECK(cluster.config.client_retry_ms == 300);  // not given: protocol::Config's default
}

TEST_CASE("what the writer writes, the reader reads back") {
  ClusterFile cluster = ClusterFile::local(5, 9000, 9100);
  cluster.config.client_retry_ms = 77;
  const ClusterFile back = parse_cluster_file(to_json_text(cluster), "w.json");
  CHECK(back.replicas == cluster.replicas);
  CHECK(back.host == cluster.host);
  CHECK(back.config.client_retry_ms == 77);
  CHECK(back.config.replicas == 5);
}

TEST_CASE("a bad cluster file is refused with the file, the JSON pointer and what was expected") {
  CHECK(error_of(kGood).empty());
  CHECK(error_of("{").find("c.json: not JSON") == 0);
  CHECK(error_of(with(kGood, "\"version\": 1", "\"version\": 2")) ==
        "c.json: /version: expected an integer from 1 to 1, got 2");
  CHECK(error_of(with(kGood, "\"udp\": 7301", "\"udp\": 70000")) ==
        "c.json: /replicas/1/udp: expected an integer from 1 to 65535, got 70000");
  CHECK(error_of(with(kGood, "\"resp\": 6382", "\"resp\": 7300")) ==
        "c.json: /replicas/2/resp: port 7300 is used twice in this file");
  CHECK(error_of(with(kGood, "{\"id\": 1,", "{\"id\": 2,")).find("/replicas/1/id: expected 1") !=
        std::string::npos);
  CHECK(error_of(with(kGood, "\"host\"", "\"hots\"")).find("c.json: /hots: unknown field") == 0);
  CHECK(error_of(with(kGood, "\"view_change_ms\": 150", "\"view_change_ms\": 10")) ==
        "c.json: /timeouts/view_change_ms: expected more than heartbeat_ms (20), got 10");
  CHECK(error_of(with(kGood, "\"127.0.0.1\"", "\"localhost\"")).find("c.json: /host: expected") ==
        0);
  // Two replicas: a majority of two tolerates no failure, and the protocol wants n odd.
  const std::string two = R"({"format": "ladder-cluster", "version": 1,
    "replicas": [{"id": 0, "udp": 1, "resp": 2}, {"id": 1, "udp": 3, "resp": 4}]})";
  CHECK(error_of(two).find("c.json: /replicas: expected a list of 1 to 15 replicas, an odd") == 0);
  CHECK(error_of(with(kGood, "\"format\": \"ladder-cluster\", ", "")) ==
        "c.json: /format: missing field");
}

TEST_CASE("the doors of a cluster own disjoint client ids, and ladder client has its own") {
  using ladder::level3::client_range;
  using ladder::level3::kCliClients;
  for (const int n : {1, 3, 5, 15}) {
    std::size_t owned = 0;
    for (int r = 0; r < n; ++r) {
      const auto range = client_range(n, r);
      CHECK(range.count >= 1);
      CHECK(range.first == owned);  // adjacent and disjoint
      owned += range.count;
    }
    CHECK(owned <= ladder::protocol::kMaxClients - kCliClients);
  }
  CHECK(client_range(3, 1).first == 20);
  CHECK(client_range(3, 1).count == 20);
}
