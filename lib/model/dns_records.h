#pragma once
// DNS record value types: what a provider reads at a name and the change sets it applies. The
// pure DNS plan (plan/dns_plan.h) computes them, the providers (dns/provider.h) speak them, the
// verifier (dns/verifier.h) compares against them. Pure: no I/O, no provider code.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace frankenetes::model {

enum class RecordType { kA, kTxt, kCname };

// "A", "TXT", "CNAME".
inline const char* to_string(RecordType type) {
  switch (type) {
    case RecordType::kA: return "A";
    case RecordType::kTxt: return "TXT";
    case RecordType::kCname: return "CNAME";
  }
  return "?";
}

// One record set: every record of one type at one name.
struct RecordSet {
  std::string fqdn;  // absolute name, lowercase, no trailing dot ("etcd-0.example.com")
  RecordType type = RecordType::kA;
  uint32_t ttl = 60;
  // A: dotted quads; TXT: each record's full text (splitting into <=255-octet character-strings
  // is the provider's job, joining them on read too); CNAME: exactly one target, no trailing dot.
  // Providers return values sorted so equal sets compare equal.
  std::vector<std::string> values;
  // Provider concurrency token: Azure DNS etag, Cloudflare record ids (comma-separated), empty
  // for RFC 2136. Set by read(); ignored by operator== so a planned set equals a read one.
  std::string version;

  bool operator==(const RecordSet& other) const {
    return fqdn == other.fqdn && type == other.type && ttl == other.ttl && values == other.values;
  }
};

// One step of a change set.
struct Change {
  enum class Kind { kUpsert, kDelete };
  Kind kind = Kind::kUpsert;
  // kUpsert: the whole set as it must be afterwards. kDelete: fqdn and type name the set to
  // remove (values/ttl are ignored, except RFC 2136 may use them nowhere).
  RecordSet desired;
  // Optimistic concurrency. nullopt: no guard (write regardless of the current state — the plan
  // should avoid this). A value with empty `values`: the set must NOT exist now. Otherwise the
  // current set must have exactly these values (and, where the provider has one, this `version`,
  // as returned by read()). A mismatch fails the whole apply() with ErrorKind::kConflict and
  // nothing of that change written: the caller re-reads and re-plans, never overwrites blindly.
  //   Azure DNS: If-Match: <version> / If-None-Match: * (412 -> kConflict)
  //   Cloudflare: re-read and compare values before writing
  //   RFC 2136: prerequisite section "RRset exists (value dependent)" / "RRset does not exist"
  std::optional<RecordSet> expected_current;
};

}  // namespace frankenetes::model
