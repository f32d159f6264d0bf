#include "reconcile/dns_providers.h"

#include <algorithm>
#include <utility>

#include "dns/record_names.h"
#include "plan/dns_plan.h"
#include "reconcile/internal_error.h"

namespace frankenetes::reconcile {
namespace {

// Terminal: retrying a bug gives the same answer; the next pass reads afresh anyway.
core::Error internal_failure(std::string message) {
  return core::make_error(core::ErrorKind::kTerminal, std::move(message));
}

}  // namespace

core::Result<std::vector<dns::RecordSet>> ContainedDnsProvider::read(const std::string& fqdn) {
  try {
    return inner_->read(fqdn);
  } catch (...) {
    const auto what = current_exception_text();
    on_exception_(what, "read treated as failed; the member is left alone this pass");
    return internal_failure("provider '" + inner_->name() + "' failed internally reading " + fqdn +
                            ": " + what);
  }
}

core::Result<dns::ZoneRecords> ContainedDnsProvider::read_zone() {
  try {
    return inner_->read_zone();
  } catch (...) {
    const auto what = current_exception_text();
    on_exception_(what, "zone read treated as failed; its members are left alone this pass");
    return internal_failure("provider '" + inner_->name() + "' failed internally listing zone " +
                            inner_->zone() + ": " + what);
  }
}

core::Status ContainedDnsProvider::apply(const std::vector<dns::Change>& changes) {
  try {
    return inner_->apply(changes);
  } catch (...) {
    const auto what = current_exception_text();
    on_exception_(what, "update treated as failed; re-read next pass");
    return internal_failure("provider '" + inner_->name() +
                            "' failed internally applying changes: " + what);
  }
}

void DnsProviderSet::update(const DnsProviders& providers) {
  std::map<std::string, Entry> next;
  for (const auto& [name, provider] : providers) {
    if (!provider) continue;
    // Comparing with the object still held here: a rebuilt provider can never share its
    // predecessor's address while that one is alive.
    if (const auto it = entries_.find(name);
        it != entries_.end() && it->second.original == provider) {
      next.emplace(name, it->second);
      continue;
    }
    next.emplace(name,
                 Entry{name + "#" + std::to_string(++generation_),
                       std::make_shared<ContainedDnsProvider>(provider, on_exception_), provider});
  }
  entries_ = std::move(next);
}

const DnsProviderSet::Entry* DnsProviderSet::find(const std::string& name) const {
  const auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

bool DnsProviderSet::holds(const std::string& key) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const auto& entry) { return entry.second.key == key; });
}

MemberRecords read_member_records(dns::DnsProvider& provider, const config::MemberDnsConfig& dns) {
  MemberRecords out;
  for (const auto& name : plan::names_to_read(dns)) {
    auto read = provider.read(name);
    if (!read.ok()) {
      out.failure = DnsReadFailure{name, read.error()};
      return out;
    }
    out.sets.insert(out.sets.end(), read.value().begin(), read.value().end());
  }
  return out;
}

ZoneIndex::ZoneIndex(dns::ZoneRecords zone) {
  for (auto& set : zone.sets) {
    auto& sets = by_name_[dns::normalize_name(set.fqdn)].sets;
    // A zone that changed while it was paged may list a set twice: the later page wins (a
    // write still carries the etag it read, so an outdated one can only fail with 412).
    const auto same = std::find_if(sets.begin(), sets.end(),
                                   [&](const dns::RecordSet& s) { return s.type == set.type; });
    if (same != sets.end()) {
      *same = std::move(set);
    } else {
      sets.push_back(std::move(set));
    }
  }
  for (auto& [name, entry] : by_name_) {
    std::sort(entry.sets.begin(), entry.sets.end(),
              [](const dns::RecordSet& a, const dns::RecordSet& b) { return a.type < b.type; });
  }
}

std::optional<std::vector<dns::RecordSet>> ZoneIndex::take_member_records(
    const config::MemberDnsConfig& dns) {
  const auto names = plan::names_to_read(dns);
  for (const auto& name : names) {
    if (const auto it = by_name_.find(name); it != by_name_.end() && it->second.taken) {
      return std::nullopt;
    }
  }
  std::vector<dns::RecordSet> out;
  for (const auto& name : names) {
    auto& entry = by_name_[name];  // an absent name is marked taken too
    entry.taken = true;
    auto sets = std::move(entry.sets);
    entry.sets.clear();
    out.insert(out.end(), std::make_move_iterator(sets.begin()),
               std::make_move_iterator(sets.end()));
  }
  return out;
}

}  // namespace frankenetes::reconcile
