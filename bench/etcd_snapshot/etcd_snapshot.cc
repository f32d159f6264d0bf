// bench/etcd_snapshot: how much memory does the daemon's etcd snapshot take?
//
// A benchmark, not a test (it runs for minutes). It starts a real etcd (/usr/bin/etcd, backend
// quota raised) and Azurite on free loopback ports in temporary directories
// (tests/support/etcd_server.h and azurite_server.h), fills etcd through the gateway's
// /v3/kv/put with distinct keys of pseudo-random values until maintenance/status reports the
// target dbSize, and then, in this one process:
//   1. streamed: reconcile::BlobSnapshotter::take() — the daemon's code: status, the snapshot
//      stream through EtcdClient, storage::upload_blob in 4 MiB blocks, commit after the
//      SHA-256 trailer was verified, retention — over HttpClient and BlobService with Shared
//      Key (devstoreaccount1) behind the RetryingTransport;
//   2. baseline, what one writes without streaming: the whole gateway answer read into memory
//      (HttpClient::send with a body limit that fits it), decoded and verified in memory, then
//      uploaded from memory in 4 MiB blocks. The raw answer is dropped before the upload, which
//      favours the baseline: the ratio is, if anything, understated.
// For each: VmRSS before, the peak while it ran (process_memory.h), the growth, seconds and
// MiB/s. Freed memory is handed back to the kernel before each phase (malloc_trim), and the
// streamed run goes first, so neither can reuse pages the other left behind. Each blob is
// then downloaded and checked against its sha256 and size metadata (a broken upload fails the
// bench). Exit 0 when the streamed growth is under --limit-mib (16), 1 when not, 2 on error.
//
//   build/release/bench/etcd_snapshot [--size-mib 200] [--value-kib 1024] [--writers 4]
//                                     [--limit-mib 16]
//
// $FRANKENETES_ETCD and $FRANKENETES_AZURITE_BLOB point at other binaries (the support headers
// read them); Azurite is looked for in tests/azurite/node_modules of $FRANKENETES_SOURCE_DIR,
// by default the source tree this was built from.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/command_line.h"
#include "core/base64.h"
#include "core/sleeper.h"
#include "core/time_source.h"
#include "etcd/etcd_client.h"
#include "etcd/snapshot_catalog.h"
#include "etcd/snapshot_stream.h"
#include "http/client.h"
#include "http/observing_transport.h"
#include "http/retrying_transport.h"
#include "process_memory.h"
#include "reconcile/etcd_snapshotter.h"
#include "storage/blob_auth.h"
#include "storage/blob_transfer.h"
#include "support/azurite_server.h"
#include "support/etcd_server.h"

namespace frankenetes::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr std::uint64_t kQuotaBytes = std::uint64_t{8} * 1024 * kMiB;  // etcd's maximum
constexpr auto kFillDeadline = 30min;
constexpr auto kSnapshotTimeout = 1h;  // etcd.snapshots.timeout for the bench's one snapshot

struct Options {
  std::uint64_t size_mib = 200;
  std::uint64_t value_kib = 1024;
  unsigned writers = 4;
  double limit_mib = 16;
};

template <class T>
T must(core::Result<T> result, const std::string& what) {
  if (!result.ok()) fail(what + ": " + result.error().describe());
  return std::move(*result);
}

void must(const core::Status& status, const std::string& what) {
  if (!status.ok()) fail(what + ": " + status.error().describe());
}

Options parse_options(int argc, char** argv) {
  Options options;
  parse_flags(
      argc, argv,
      "etcd_snapshot [--size-mib 200] [--value-kib 1024] [--writers 4] [--limit-mib 16]",
      {{"--size-mib",
        [&](const std::string& v) { options.size_mib = parse_number<std::uint64_t>(v); }},
       {"--value-kib",
        [&](const std::string& v) { options.value_kib = parse_number<std::uint64_t>(v); }},
       {"--writers", [&](const std::string& v) { options.writers = parse_number<unsigned>(v); }},
       {"--limit-mib",
        [&](const std::string& v) { options.limit_mib = parse_number<double>(v); }}});
  // A put is one gRPC request: etcd refuses more than --max-request-bytes (1.5 MiB).
  if (options.value_kib < 1 || options.value_kib > 1024) fail("--value-kib must be 1..1024");
  if (options.size_mib < 1 || options.size_mib * kMiB > kQuotaBytes / 2) {
    fail("--size-mib must be 1.." + std::to_string(kQuotaBytes / 2 / kMiB));
  }
  if (options.writers < 1 || options.writers > 64) fail("--writers must be 1..64");
  return options;
}

std::unique_ptr<http::HttpClient> make_client(std::size_t max_body_bytes = 8 * kMiB) {
  http::HttpClientOptions options;
  options.user_agent = "frankenetesd/bench";
  options.max_response_body_bytes = max_body_bytes;
  return must(http::HttpClient::create(options), "creating an HttpClient");
}

etcd::MaintenanceStatus etcd_status(http::HttpClient& client, const std::string& url) {
  etcd::EtcdClient etcd(client, client, url);
  return must(etcd.status(), "etcd maintenance/status");
}

// etcd commits its backend in batches (every 100 ms by default) and dbSize is the file's size
// at the last commit: read until two readings 300 ms apart agree.
etcd::MaintenanceStatus settled_status(http::HttpClient& client, const std::string& url) {
  const auto deadline = Clock::now() + 30s;
  auto status = etcd_status(client, url);
  for (;;) {
    if (!status.db_size) fail("maintenance/status has no dbSize");
    std::this_thread::sleep_for(300ms);
    auto again = etcd_status(client, url);
    if (again.db_size == status.db_size) return again;
    if (Clock::now() > deadline) fail("etcd's dbSize did not settle within 30 s");
    status = std::move(again);
  }
}

double mib(std::uint64_t bytes) { return static_cast<double>(bytes) / kMiB; }

// Puts distinct keys of pseudo-random (incompressible, never repeated) values from `writers`
// threads until dbSize reaches the target. Returns the last status.
etcd::MaintenanceStatus fill(http::HttpClient& client, const std::string& url,
                             const Options& options) {
  const std::uint64_t target = options.size_mib * kMiB;
  const std::size_t value_bytes = options.value_kib * 1024;
  const auto deadline = Clock::now() + kFillDeadline;
  std::atomic<std::uint64_t> next_key{0};
  std::uint64_t written = 0;
  const auto started = Clock::now();
  for (;;) {
    const auto status = settled_status(client, url);
    const auto db_size = static_cast<std::uint64_t>(*status.db_size);
    if (db_size >= target) {
      const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
      std::fprintf(stderr, "filled: %llu puts of %llu KiB, dbSize %.1f MiB, in %.1f s\n",
                   static_cast<unsigned long long>(written),
                   static_cast<unsigned long long>(options.value_kib), mib(db_size), seconds);
      return status;
    }
    if (Clock::now() > deadline) fail("etcd did not reach the target size within 30 min");
    // bbolt's file grows by more than the values put (about 4/3 with 1 MiB values): half of
    // what is missing at a time ends close above the target rather than a third over it.
    const std::uint64_t batch = (target - db_size) / value_bytes / 2 + 1;
    const std::uint64_t end = next_key + batch;
    std::mutex error_mutex;
    std::string error;
    std::vector<std::thread> threads;
    for (unsigned w = 0; w < options.writers; ++w) {
      threads.emplace_back([&] {
        std::string value(value_bytes, '\0');
        for (std::uint64_t key = next_key++; key < end; key = next_key++) {
          std::mt19937_64 engine(key);
          for (auto& c : value) c = static_cast<char>(engine() & 0xFF);
          char name[32];
          std::snprintf(name, sizeof name, "bench/%010llu", static_cast<unsigned long long>(key));
          http::ClientRequest request;
          request.method = "POST";
          request.url = url + "/v3/kv/put";
          request.body = nlohmann::json{{"key", core::base64_encode(name)},
                                        {"value", core::base64_encode(value)}}
                             .dump();
          request.timeout = 60s;
          request.operation = "bench.etcd.put";
          auto response = client.send(request);
          std::string problem;
          if (!response.ok()) {
            problem = response.error().describe();
          } else if (response->status != 200) {
            problem = "HTTP " + std::to_string(response->status) + ": " + response->body;
          }
          if (!problem.empty()) {
            std::lock_guard lock(error_mutex);
            if (error.empty()) error = "put " + std::string(name) + ": " + problem;
            next_key = end;  // the other writers stop too
            return;
          }
        }
      });
    }
    for (auto& thread : threads) thread.join();
    if (!error.empty()) fail(error);
    written = std::min<std::uint64_t>(next_key, end);
    next_key = written;
  }
}

// Blob Storage as the daemon composes it (daemon/etcd_stack.cc): BlobService over the
// RetryingTransport over an HttpClient, Shared Key. An ObservingTransport below the retries
// counts requests by operation (how many blocks went up).
class Storage {
 public:
  Storage(const std::string& endpoint, const std::string& container)
      : client_(make_client()),
        observed_(*client_, time_,
                  [this](const http::RequestRecord& record) {
                    std::lock_guard lock(mutex_);
                    ++requests_[record.operation];
                  }),
        retrying_(observed_, budget_, gate_, time_, sleeper_),
        authorizer_(testing::AzuriteServer::kAccount,
                    must(storage::AccountKey::create(
                             {core::Secret(testing::AzuriteServer::kKey), std::nullopt}),
                         "Azurite's account key")),
        service_(retrying_, authorizer_, time_,
                 storage::BlobServiceSettings{.account = testing::AzuriteServer::kAccount,
                                              .endpoint = endpoint,
                                              .version = "bench"}),
        blobs_(service_, container) {}

  storage::BlobClient& blobs() { return blobs_; }
  std::uint64_t requests(std::string_view operation) {
    std::lock_guard lock(mutex_);
    const auto it = requests_.find(std::string(operation));
    return it == requests_.end() ? 0 : it->second;
  }

 private:
  core::RealTimeSource time_;
  core::RealSleeper sleeper_;
  http::RetryBudget budget_;
  http::ThrottleGate gate_{time_};
  std::unique_ptr<http::HttpClient> client_;
  std::mutex mutex_;
  std::map<std::string, std::uint64_t> requests_;
  http::ObservingTransport observed_;
  http::RetryingTransport retrying_;
  storage::SharedKeyAuthorizer authorizer_;
  storage::BlobService service_;
  storage::BlobClient blobs_;
};

struct Run {
  std::string approach;
  std::string blob;
  std::uint64_t snapshot_bytes = 0;
  std::uint64_t blocks = 0;
  double seconds = 0;
  std::uint64_t rss_before_kib = 0;
  std::uint64_t peak_kib = 0;
  std::string peak_method;

  double growth_mib() const {
    return static_cast<double>(peak_kib > rss_before_kib ? peak_kib - rss_before_kib : 0) / 1024;
  }
};

// Runs `body` (which fills in the sizes) and measures it.
template <class Body>
Run measure(std::string approach, Body&& body) {
  release_freed_memory();
  Run run;
  run.approach = std::move(approach);
  run.rss_before_kib = rss_kib();
  PeakRss peak;
  const auto started = Clock::now();
  body(run);
  run.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  run.peak_kib = peak.kib();
  run.peak_method = peak.method();
  return run;
}

Run streamed(Storage& storage, http::HttpClient& etcd_client, const std::string& etcd_url) {
  core::RealTimeSource time;
  reconcile::BlobSnapshotter snapshotter(
      storage.blobs(),
      [&](const config::MemberConfig&) -> core::Result<reconcile::EtcdTransports> {
        return reconcile::EtcdTransports{&etcd_client, &etcd_client};
      },
      time, "bench");
  reconcile::SnapshotJob job;
  job.member = {"bench", "etcd-0"};
  job.member_config.name = "etcd-0";
  job.endpoint = etcd_url;
  job.trigger = "periodic";
  job.policy.enabled = true;
  job.policy.timeout = kSnapshotTimeout;
  const auto blocks_before = storage.requests(storage::kOpPutBlock);
  return measure("streamed (daemon)", [&](Run& run) {
    const auto taken = must(snapshotter.take(job), "BlobSnapshotter::take");
    if (!taken.retention_error.empty()) fail("retention: " + taken.retention_error);
    run.blob = taken.name;
    run.snapshot_bytes = taken.size;
    run.blocks = storage.requests(storage::kOpPutBlock) - blocks_before;
  });
}

Run baseline(Storage& storage, http::HttpClient& whole_client, const std::string& etcd_url,
             const std::string& name) {
  const auto blocks_before = storage.requests(storage::kOpPutBlock);
  return measure("whole in memory", [&](Run& run) {
    http::ClientRequest request;
    request.method = "POST";
    request.url = etcd_url + "/v3/maintenance/snapshot";
    request.body = "{}";
    request.timeout = kSnapshotTimeout;
    request.operation = "bench.etcd.snapshot";
    auto response = must(whole_client.send(request), "the whole snapshot answer");
    if (response.status != 200) fail("snapshot: HTTP " + std::to_string(response.status));
    std::string snapshot;
    etcd::SnapshotDecoder decoder;
    must(decoder.feed(response.body, snapshot), "decoding the snapshot answer");
    const auto verified = must(decoder.finish(), "verifying the snapshot");
    response = {};
    storage::UploadOptions upload;
    upload.put.content_type = "application/octet-stream";
    upload.put.metadata = {{std::string(etcd::kMetaSha256), verified.file_sha256},
                           {std::string(etcd::kMetaSize), std::to_string(verified.size)}};
    std::size_t offset = 0;
    must(storage::upload_blob(
             storage.blobs(), name,
             [&](std::span<char> buffer) -> core::Result<std::size_t> {
               const std::size_t n = std::min(buffer.size(), snapshot.size() - offset);
               std::copy_n(snapshot.data() + offset, n, buffer.data());
               offset += n;
               return n;
             },
             upload),
         "uploading " + name);
    run.blob = name;
    run.snapshot_bytes = verified.size;
    run.blocks = storage.requests(storage::kOpPutBlock) - blocks_before;
  });
}

// Downloads the blob and checks that it is a whole etcd snapshot whose SHA-256 and size are
// those of its metadata and of the run.
void check_blob(Storage& storage, const Run& run) {
  etcd::SnapshotVerifier verifier;
  const auto properties = must(storage::download_blob(storage.blobs(), run.blob,
                                                      [&](std::string_view chunk) {
                                                        verifier.update(chunk);
                                                        return core::Status();
                                                      }),
                               "downloading " + run.blob);
  const auto verified = must(verifier.finish(), "the downloaded " + run.blob);
  const auto meta = [&](std::string_view key) {
    const auto it = properties.metadata.find(std::string(key));
    return it == properties.metadata.end() ? std::string("(none)") : it->second;
  };
  if (verified.file_sha256 != meta(etcd::kMetaSha256) ||
      std::to_string(verified.size) != meta(etcd::kMetaSize) ||
      verified.size != run.snapshot_bytes || properties.content_length != run.snapshot_bytes) {
    fail(run.blob + ": downloaded " + std::to_string(verified.size) + " bytes, SHA-256 " +
         verified.file_sha256 + "; metadata says " + meta(etcd::kMetaSize) + " bytes, SHA-256 " +
         meta(etcd::kMetaSha256) + "; the run uploaded " + std::to_string(run.snapshot_bytes));
  }
  std::fprintf(stderr, "checked: %s (%llu bytes, sha256 %s)\n", run.blob.c_str(),
               static_cast<unsigned long long>(verified.size), verified.file_sha256.c_str());
}

void print_table(const std::vector<Run>& runs, double db_mib) {
  const double baseline_growth = runs.back().growth_mib();
  std::printf("\n%-18s %7s %9s %8s %7s %7s %11s %9s %10s %9s\n", "approach", "db MiB", "snap MiB",
              "blocks", "seconds", "MiB/s", "RSS before", "peak MiB", "growth MiB", "vs base");
  for (const auto& run : runs) {
    const double snap = mib(run.snapshot_bytes);
    std::printf("%-18s %7.1f %9.1f %8llu %7.2f %7.1f %11.1f %9.1f %10.1f %8.3fx\n",
                run.approach.c_str(), db_mib, snap, static_cast<unsigned long long>(run.blocks),
                run.seconds, snap / run.seconds, run.rss_before_kib / 1024.0, run.peak_kib / 1024.0,
                run.growth_mib(), baseline_growth > 0 ? run.growth_mib() / baseline_growth : 0.0);
  }
  std::printf("peak: %s; blocks: Put Block requests (4 MiB each)\n",
              runs.front().peak_method.c_str());
}

int run(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  setenv("FRANKENETES_SOURCE_DIR", FRANKENETES_SOURCE_DIR, /*overwrite=*/0);  // azurite_server.h
  for (const auto& why :
       {testing::EtcdServer::unavailable_reason(), testing::AzuriteServer::unavailable_reason()}) {
    if (!why.empty()) fail(why);
  }
  testing::EtcdServer etcd({"--quota-backend-bytes", std::to_string(kQuotaBytes)});
  if (!etcd.start()) fail("starting etcd: " + etcd.error());
  testing::AzuriteServer azurite;
  if (!azurite.start()) fail("starting Azurite: " + azurite.error());
  std::fprintf(stderr, "etcd %s, Azurite %s\n", etcd.client_url().c_str(),
               azurite.endpoint().c_str());

  auto etcd_client = make_client();
  const auto filled = fill(*etcd_client, etcd.client_url(), options);
  const double db_mib = mib(static_cast<std::uint64_t>(*filled.db_size));

  Storage storage(azurite.endpoint(), "snapshots");
  // Room for the whole gateway answer: base64 in JSON is about 4/3 of the database.
  auto whole_client = make_client(2 * options.size_mib * kMiB + 64 * kMiB);

  std::vector<Run> runs;
  runs.push_back(streamed(storage, *etcd_client, etcd.client_url()));
  runs.push_back(baseline(storage, *whole_client, etcd.client_url(), "baseline/" + runs[0].blob));
  for (const auto& run : runs) check_blob(storage, run);

  print_table(runs, db_mib);
  const double growth = runs.front().growth_mib();
  const bool pass = growth < options.limit_mib;
  std::printf(
      "%s: streamed snapshot of a %.1f MiB database grew RSS by %.1f MiB (limit %.0f MiB)\n",
      pass ? "PASS" : "FAIL", db_mib, growth, options.limit_mib);
  return pass ? 0 : 1;
}

}  // namespace
}  // namespace frankenetes::bench

int main(int argc, char** argv) {
  return frankenetes::bench::bench_main("etcd_snapshot", argc, argv, frankenetes::bench::run);
}
