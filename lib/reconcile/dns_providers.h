#pragma once
// The DNS providers as the DNS pipeline (dns_sync.h) calls them:
//   DnsProviders          what the composition root hands over: dns.providers key -> provider.
//   ContainedDnsProvider  a provider whose read()/apply() exceptions become kTerminal errors
//                         (and a call of the internal-error handler): a provider with a bug
//                         is an unreadable or failing provider, not a dead job.
//   DnsProviderSet        the contained providers, each with a stable identity: its `key`
//                         changes only when a configuration hands over a different object, so
//                         back-off and "inputs unchanged" follow the object (a rebuilt provider
//                         starts afresh), never a pointer value that may be recycled.
//   read_member_records() every record set plan_dns_changes() needs for one member.
// Nothing here decides, logs or counts; the synchronizer and DnsReporter do.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "config/types.h"
#include "dns/provider.h"

namespace frankenetes::reconcile {

using DnsProviders = std::map<std::string, std::shared_ptr<dns::DnsProvider>>;

// Called with what() of the exception and what happens next.
using DnsExceptionHandler = std::function<void(const std::string& what, std::string_view action)>;

class ContainedDnsProvider final : public dns::DnsProvider {
 public:
  ContainedDnsProvider(std::shared_ptr<dns::DnsProvider> inner, DnsExceptionHandler on_exception)
      : inner_(std::move(inner)), on_exception_(std::move(on_exception)) {}

  std::string name() const override { return inner_->name(); }
  std::string zone() const override { return inner_->zone(); }
  core::Result<std::vector<dns::RecordSet>> read(const std::string& fqdn) override;
  std::size_t requests_per_read() const override { return inner_->requests_per_read(); }
  bool reads_zone() const override { return inner_->reads_zone(); }
  core::Result<dns::ZoneRecords> read_zone() override;
  core::Status apply(const std::vector<dns::Change>& changes) override;
  std::vector<std::string> authoritative_servers() const override {
    return inner_->authoritative_servers();
  }

 private:
  std::shared_ptr<dns::DnsProvider> inner_;
  DnsExceptionHandler on_exception_;
};

class DnsProviderSet {
 public:
  struct Entry {
    std::string key;  // "<name>#<generation>": stable while the object is the same
    std::shared_ptr<dns::DnsProvider> provider;  // contained
    std::shared_ptr<dns::DnsProvider> original;  // as configured: identity is this object
  };

  explicit DnsProviderSet(DnsExceptionHandler on_exception)
      : on_exception_(std::move(on_exception)) {}

  // Takes a configuration's providers: a name whose object is the one already held keeps its
  // entry; a new object gets a new key. Null providers are left out (not available).
  void update(const DnsProviders& providers);

  // nullptr: no such provider (not configured, or it failed to build).
  const Entry* find(const std::string& name) const;
  const std::map<std::string, Entry>& entries() const { return entries_; }
  // Whether `key` is the key of a provider held now.
  bool holds(const std::string& key) const;

 private:
  DnsExceptionHandler on_exception_;
  std::map<std::string, Entry> entries_;
  std::uint64_t generation_ = 0;
};

// A provider read that failed: the name asked for and the provider's error.
struct DnsReadFailure {
  std::string fqdn;
  core::Error error;
};

// Every set at plan::names_to_read(dns), concatenated, or the first read that failed.
struct MemberRecords {
  std::vector<dns::RecordSet> sets;
  std::optional<DnsReadFailure> failure;  // set: `sets` is incomplete, do not plan on it
};

MemberRecords read_member_records(dns::DnsProvider& provider, const config::MemberDnsConfig& dns);

// A zone read (DnsProvider::read_zone) by name, lowercase without the root dot, as
// plan::names_to_read() spells names; each name's sets by type, one per type.
class ZoneIndex {
 public:
  explicit ZoneIndex(dns::ZoneRecords zone);
  // The member's sets in the order read_member_records() gives them: by name as
  // plan::names_to_read() lists them, then by type. Moved out, not copied (a zone listing is
  // read once per pass and a name belongs to one member: config cross-checks): nullopt when
  // one of the names was handed out before, so that a second reader never mistakes the moved
  // sets for "no record".
  std::optional<std::vector<dns::RecordSet>> take_member_records(
      const config::MemberDnsConfig& dns);

 private:
  struct Name {
    std::vector<dns::RecordSet> sets;
    bool taken = false;
  };
  std::unordered_map<std::string, Name> by_name_;
};

}  // namespace frankenetes::reconcile
