#pragma once
// For the DNS pipeline tests: FakeProvider, an in-memory DnsProvider that honours
// expected_current like the real ones (kConflict on a mismatch, "unguarded" for a change
// without one), with hooks to fail, throw, or change records behind the caller's back; a
// RecordQuerier that answers from it; a builder of group observations; a sleeper that advances
// fake time; a fixture base holding them all.

#include <cctype>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/sleeper.h"
#include "dns/provider.h"
#include "dns/verifier.h"
#include "model/observation.h"
#include "reconcile/worker.h"
#include "status/metrics.h"
#include "support/fake_time_source.h"

namespace frankenetes::reconcile::test_util {

using dns::RecordSet;
using dns::RecordType;

class FakeProvider final : public dns::DnsProvider {
 public:
  std::map<std::pair<std::string, RecordType>, RecordSet> records;
  int reads = 0;
  int applies = 0;
  std::optional<core::Error> fail_apply;  // every apply fails with this while set
  std::optional<core::Error> fail_read;
  std::function<void(FakeProvider&)> before_apply;  // runs inside apply, before the check
  bool throw_on_read = false;                       // a provider with a bug: read() throws
  bool throw_on_apply = false;                      // apply() throws

  // Zone reads (Azure DNS-like): off unless `lists_zone`; each costs `zone_pages` requests.
  bool lists_zone = false;
  std::size_t zone_pages = 1;
  std::size_t per_read_requests = 1;
  int zone_reads = 0;
  std::optional<core::Error> fail_zone_read;

  std::string name() const override { return "p"; }
  std::string zone() const override { return "example.com"; }
  std::size_t requests_per_read() const override { return per_read_requests; }
  bool reads_zone() const override { return lists_zone; }
  core::Result<dns::ZoneRecords> read_zone() override {
    ++zone_reads;
    if (fail_zone_read) return *fail_zone_read;
    dns::ZoneRecords zone;
    zone.requests = zone_pages;
    // Upper case and a root dot: callers must compare names as DNS does.
    for (const auto& [key, set] : records) {
      auto listed = set;
      listed.fqdn = set.fqdn + ".";
      for (auto& c : listed.fqdn) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      zone.sets.push_back(std::move(listed));
    }
    return zone;
  }

  core::Result<std::vector<RecordSet>> read(const std::string& fqdn) override {
    ++reads;
    if (throw_on_read)
      throw std::runtime_error("[json.exception.type_error.302] type must be number");
    if (fail_read) return *fail_read;
    std::vector<RecordSet> out;
    for (auto it = records.lower_bound({fqdn, RecordType{}}); it != records.end(); ++it) {
      if (it->first.first != fqdn) break;
      out.push_back(it->second);
    }
    return out;
  }

  core::Status apply(const std::vector<dns::Change>& changes) override {
    ++applies;
    if (throw_on_apply) throw std::logic_error("apply bug");
    if (before_apply) before_apply(*this);
    if (fail_apply) return *fail_apply;
    for (const auto& change : changes) {
      if (!change.expected_current)
        return core::make_error(core::ErrorKind::kTerminal, "unguarded");
      const auto key = std::make_pair(change.desired.fqdn, change.desired.type);
      const auto it = records.find(key);
      const std::vector<std::string> now =
          it == records.end() ? std::vector<std::string>{} : it->second.values;
      if (now != change.expected_current->values) {
        return core::make_error(core::ErrorKind::kConflict, "412 precondition failed");
      }
    }
    for (const auto& change : changes) {
      const auto key = std::make_pair(change.desired.fqdn, change.desired.type);
      if (change.kind == dns::Change::Kind::kDelete) {
        records.erase(key);
      } else {
        records[key] = change.desired;
      }
    }
    return {};
  }

  std::vector<std::string> authoritative_servers() const override { return {"127.0.0.1:5353"}; }

  void set(const std::string& fqdn, RecordType type, std::vector<std::string> values) {
    records[{fqdn, type}] = RecordSet{fqdn, type, 60, std::move(values), ""};
  }
  std::vector<std::string> values(const std::string& fqdn, RecordType type) const {
    const auto it = records.find({fqdn, type});
    return it == records.end() ? std::vector<std::string>{} : it->second.values;
  }
};

// Answers from the records of `provider` (a reference: tests may swap the provider) unless
// `stale` overrides the A answer.
class FakeQuerier final : public dns::RecordQuerier {
 public:
  explicit FakeQuerier(const std::shared_ptr<FakeProvider>& provider) : provider_(provider) {}
  std::optional<std::vector<std::string>> stale;
  int queries = 0;

  core::Result<std::optional<RecordSet>> query(const config::HostPort&, const std::string& fqdn,
                                               RecordType type, core::Duration) override {
    ++queries;
    if (stale && type == RecordType::kA)
      return std::optional<RecordSet>(RecordSet{fqdn, type, 60, *stale, ""});
    const auto it = provider_->records.find({fqdn, type});
    if (it == provider_->records.end()) return std::optional<RecordSet>();
    return std::optional<RecordSet>(it->second);
  }

 private:
  const std::shared_ptr<FakeProvider>& provider_;
};

inline model::GroupObservation running(const std::string& ip, core::MonotonicTime at) {
  model::GroupObservation g;
  g.outcome = model::GroupObservation::Outcome::kFound;
  model::ContainerGroupView view;
  view.summary.name = "etcd";
  view.summary.provisioning_state = "Succeeded";
  view.summary.ip = ip;
  view.state = "Running";
  g.view = std::make_shared<const model::ContainerGroupView>(view);
  g.observed_at = at;
  return g;
}

// A sleeper that advances fake time, after calling `on_sleep` (a test's hook, e.g. to stop).
class AdvancingSleeper final : public core::Sleeper {
 public:
  explicit AdvancingSleeper(testing::FakeTimeSource& time) : time_(time) {}
  void sleep_for(core::Duration d) override {
    if (on_sleep) on_sleep();
    time_.advance(d);
  }
  std::function<void()> on_sleep;

 private:
  testing::FakeTimeSource& time_;
};

// The fakes a DnsSynchronizer runs on, for the pipeline's fixtures: metrics, fake time, a
// FakeProvider, a querier that answers from it, a sleeper that advances the time, and a worker
// that runs the job on the test thread.
class DnsFakesTest : public ::testing::Test {
 protected:
  status::Metrics metrics_{{"test", "test", "Debug"}};
  testing::FakeTimeSource time_;
  std::shared_ptr<FakeProvider> provider_ = std::make_shared<FakeProvider>();
  FakeQuerier querier_{provider_};
  AdvancingSleeper sleeper_{time_};
  InlineWorker worker_;
};

}  // namespace frankenetes::reconcile::test_util
