/// \file
/// Level 3's durable log, measured: how many Persists per second reach the disk when a sync
/// (write + fdatasync) covers a batch of 1, 10 or 50 records (group commit), and the latency of
/// one sync, p50 and p99. The runtime's batching is sized from these figures; they go to
/// bench/RESULTS.md with the filesystem they were taken on (`df -T DIR`).
///
///   cmake --build build/release --target ladder_bench_disk
///   build/release/bench/ladder_bench_disk --dir /tmp --seconds 5
///
/// Each record is a realistic state of a replica serving 50 clients: a client table of 50 records
/// and a suffix that grows with the batch (the ops of the batch), as under redis-benchmark -c 50.
/// "append" writes every record of a batch; "stage" writes only the batch's last (the cheap form).
/// Each row runs with the log's records written in place into zeros written ahead ("in-place",
/// the default: DurableLogOptions::preallocate) and appended to a growing file ("append").
/// `--writers 3` runs three logs at once, each on its own thread, as the three nodes of a local
/// cluster share one disk; the figures are then the sum (persists, syncs) or over all of them.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "level3_pure/runtime/disk_record.hpp"
#include "level3_pure/runtime/durable_log.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using ladder::level3::Durable;
using ladder::level3::DurableLog;

constexpr std::size_t kClients = 50;

// The state after `op` ops spread over 50 clients, with `pending` of them uncommitted.
Durable replica_state(std::uint64_t op, std::size_t pending) {
  Durable d;
  d.view = 3;
  d.last_normal_view = 3;
  d.log.snapshot.commit_number = op;
  d.log.snapshot.value = static_cast<std::int64_t>(op);
  for (std::size_t c = 0; c < kClients; ++c) {
    d.log.snapshot.clients.push_back({{static_cast<ladder::spec::ClientId>(c), op / kClients + 1},
                                      static_cast<std::int64_t>(op)});
  }
  for (std::size_t i = 0; i < pending; ++i) {
    d.log.suffix.push_back(ladder::protocol::Request{
        {static_cast<ladder::spec::ClientId>(i % kClients), op / kClients + 2},
        ladder::protocol::Op::add(1)});
  }
  return d;
}

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto at = static_cast<std::size_t>(p * static_cast<double>(samples.size() - 1));
  return samples[at];
}

struct Row {
  std::size_t batch = 0;
  bool stage = false;
  bool in_place = true;
  std::uint64_t records = 0;
  std::uint64_t syncs = 0;
  std::uint64_t compactions = 0;
  double seconds = 0;
  std::vector<double> sync_us;  // one sample per sync: the writes and the fdatasync
  std::size_t record_bytes = 0;
};

Row measure(const std::filesystem::path& file, std::size_t batch, bool stage, bool in_place,
            double seconds) {
  std::filesystem::remove(file);
  DurableLog log =
      DurableLog::open(file, ladder::level3::DurableLogOptions{.preallocate = in_place});
  Row row;
  row.batch = batch;
  row.stage = stage;
  row.in_place = in_place;
  std::vector<Durable> states;
  for (std::size_t i = 0; i < batch; ++i)
    states.push_back(replica_state(1000 + i, i + 1));
  row.record_bytes = ladder::level3::encode_record(states.back()).size();
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    // The core's work between syncs is not the disk's: only the persisting is timed.
    const auto before = Clock::now();
    for (const Durable& state : states) {
      if (stage) {
        log.stage(state);
      } else {
        log.append(state);
      }
    }
    log.sync();
    row.sync_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - before).count());
    row.records += batch;
  }
  row.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  row.syncs = log.stats().syncs;
  row.compactions = log.stats().compactions;
  std::filesystem::remove(file);
  return row;
}

// The same row on `writers` logs at once (file.0, file.1, ...), summed.
Row measure_all(const std::filesystem::path& file, std::size_t writers, std::size_t batch,
                bool stage, bool in_place, double seconds) {
  std::vector<Row> rows(writers);
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      rows[w] = measure(file.string() + fmt::format(".{}", w), batch, stage, in_place, seconds);
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  Row sum = rows.front();
  for (std::size_t w = 1; w < writers; ++w) {
    sum.records += rows[w].records;
    sum.syncs += rows[w].syncs;
    sum.compactions += rows[w].compactions;
    sum.seconds = std::max(sum.seconds, rows[w].seconds);
    sum.sync_us.insert(sum.sync_us.end(), rows[w].sync_us.begin(), rows[w].sync_us.end());
  }
  return sum;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Level 3's durable log: persists per second with group commit, sync latency"};
  std::string dir = std::filesystem::temp_directory_path().string();
  double seconds = 5;
  std::vector<std::size_t> batches = {1, 10, 50};
  std::size_t writers = 1;
  app.add_option("--dir", dir, "directory on the filesystem to measure (a file is created there)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--seconds", seconds, "seconds per row")->check(CLI::PositiveNumber);
  app.add_option("--batches", batches, "records per sync")->delimiter(',');
  app.add_option("--writers", writers, "logs synced at once, each on its own thread")
      ->check(CLI::Range(1, 16));
  CLI11_PARSE(app, argc, argv);

  std::random_device entropy;
  const std::filesystem::path file =
      std::filesystem::path(dir) / fmt::format("ladder-disk-bench-{:08x}.log", entropy());
  fmt::print("{} writer{}\n", writers, writers == 1 ? "" : "s, figures summed");
  fmt::print("{:>6} {:>6} {:>8} {:>7} {:>13} {:>10} {:>10} {:>10} {:>10} {:>6}\n", "batch", "mode",
             "layout", "bytes", "persists/s", "syncs/s", "p50 us", "p99 us", "max us", "compact");
  for (const std::size_t batch : batches) {
    for (const bool stage : {false, true}) {
      if (stage && batch == 1) continue;  // the same as append
      for (const bool in_place : {true, false}) {
        const Row row = measure_all(file, writers, batch, stage, in_place, seconds);
        fmt::print(
            "{:>6} {:>6} {:>8} {:>7} {:>13.0f} {:>10.0f} {:>10.0f} {:>10.0f} {:>10.0f} {:>6}\n",
            row.batch, row.stage ? "stage" : "append", row.in_place ? "in-place" : "append",
            row.record_bytes, static_cast<double>(row.records) / row.seconds,
            static_cast<double>(row.syncs) / row.seconds, percentile(row.sync_us, 0.50),
            percentile(row.sync_us, 0.99), percentile(row.sync_us, 1.0), row.compactions);
      }
    }
  }
  return 0;
}
