#include "dns/cloudflare_provider.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/json_fields.h"
#include "core/secret.h"
#include "core/strings.h"
#include "dns/record_names.h"
#include "dns/secret_loader.h"
#include "http/retry_after.h"

namespace frankenetes::dns {
namespace {

using core::make_error;
using nlohmann::json;
namespace jf = core::json_fields;

std::optional<RecordType> parse_type(const std::string& type) {
  if (type == "A") return RecordType::kA;
  if (type == "TXT") return RecordType::kTxt;
  if (type == "CNAME") return RecordType::kCname;
  return std::nullopt;
}

// Cloudflare may return TXT content quoted ("\"text\"") in newer API versions; we store the
// text itself.
std::string unquote_txt(std::string content) {
  if (content.size() >= 2 && content.front() == '"' && content.back() == '"') {
    return content.substr(1, content.size() - 2);
  }
  return content;
}

long long ceil_seconds(core::Duration d) { return (d.count() + 999) / 1000; }

// The v4 envelope of a failed call: its first error's code and message when it has them
// (read tolerantly: they only explain the failure), else an excerpt of the body.
core::Error envelope_error(const http::Response& response, const json& doc, const char* operation) {
  core::Error error;
  error.http_status = response.status;
  error.kind = response.status >= 200 && response.status < 300
                   ? core::ErrorKind::kTerminal
                   : core::kind_for_http_status(response.status);
  if (response.status == 404) error.kind = core::ErrorKind::kTerminal;  // wrong zone/record id
  std::string detail;
  if (const auto errors = jf::array(doc, "errors"); errors.ok() && !(*errors)->empty()) {
    const json& first = (*errors)->front();
    if (const auto code = jf::integer(first, "code")) error.azure_code = std::to_string(*code);
    if (const auto message = jf::string(first, "message")) detail = *message;
  }
  if (detail.empty()) {
    std::string excerpt = response.body.substr(0, 200);
    for (char& c : excerpt) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    }
    detail = "HTTP " + std::to_string(response.status) + (excerpt.empty() ? "" : " " + excerpt);
  }
  error.message = std::string(operation) + ": " + detail;
  if (!error.azure_code.empty()) error.message += " (cloudflare code " + error.azure_code + ")";
  if (auto ray = response.headers.find("cf-ray"); ray != response.headers.end()) {
    error.request_id = ray->second;
  }
  return error;
}

// A peer (or a proxy in front of it) may quote the request back, Authorization header
// included: no error leaves `call` with the token in it.
core::Error without_token(core::Error error, const core::Secret& token) {
  error.message = core::redact(std::move(error.message), {&token});
  return error;
}

// One entry of a dns_records list into `out`. Returns an error text naming the field when the
// entry cannot be read; sets `relevant` false (and returns nullopt) for a record of a type we
// do not manage or at another name. Every field the plan or an update relies on must be
// present and well-typed: a guessed ttl or content would plan a wrong change.
template <typename Record>
std::optional<std::string> read_record(const json& r, const std::string& fqdn, Record& out,
                                       bool& relevant) {
  relevant = false;
  if (!r.is_object()) return std::string("is ") + jf::type_name(r) + ", expected an object";
  const auto type = jf::string(r, "type");
  if (!type) return type.describe("type");
  const auto name = jf::string(r, "name");
  if (!name) return name.describe("name");
  const auto record_type = parse_type(*type);
  if (!record_type || normalize_name(*name) != fqdn) return std::nullopt;
  relevant = true;
  const auto id = jf::string(r, "id");
  if (!id) return id.describe("id");
  if (id->empty()) return std::string("\"id\" is empty");
  const auto content = jf::string(r, "content");
  if (!content) return "record " + *id + ": " + content.describe("content");
  // 1 means "automatic"; anything else is seconds (reference §5).
  const auto ttl = jf::integer(r, "ttl", 1, 2147483647);
  if (!ttl) return "record " + *id + ": " + ttl.describe("ttl");
  const auto proxied = jf::boolean(r, "proxied");
  if (!proxied && !proxied.absent()) return "record " + *id + ": " + proxied.describe("proxied");

  out.id = *id;
  out.type = *record_type;
  out.content = *content;
  if (out.type == RecordType::kTxt) out.content = unquote_txt(out.content);
  if (out.type == RecordType::kCname) out.content = normalize_name(out.content);
  out.ttl = static_cast<uint32_t>(*ttl);
  out.proxied = proxied.optional();
  return std::nullopt;
}

}  // namespace

CloudflareProvider::CloudflareProvider(std::string name, config::CloudflareProviderConfig config,
                                       http::HttpTransport& transport, core::TimeSource& time,
                                       CloudflareSettings settings)
    : name_(std::move(name)),
      config_(std::move(config)),
      transport_(transport),
      time_(time),
      settings_(std::move(settings)) {
  if (config_.zone_id) zone_id_ = *config_.zone_id;
  if (config_.zone_name) zone_name_ = normalize_name(*config_.zone_name);
}

std::string CloudflareProvider::zone() const {
  std::lock_guard lock(mutex_);
  return zone_name_;
}

core::Error CloudflareProvider::malformed(const Reply& reply, const char* operation,
                                          const std::string& detail) const {
  auto error =
      make_error(core::ErrorKind::kTerminal,
                 std::string(operation) + ": malformed response from cloudflare provider '" +
                     name_ + "': " + detail,
                 reply.status);
  error.request_id = reply.ray;
  return error;
}

core::Result<CloudflareProvider::Reply> CloudflareProvider::call(const std::string& method,
                                                                 const std::string& path,
                                                                 const std::string& body,
                                                                 const char* operation) {
  {
    std::lock_guard lock(mutex_);
    if (throttled_until_) {
      const auto now = time_.monotonic_time();
      if (now < *throttled_until_) {
        const auto left = std::chrono::duration_cast<core::Duration>(*throttled_until_ - now);
        auto error = make_error(core::ErrorKind::kTransient,
                                std::string(operation) + ": throttled: retry after " +
                                    std::to_string(ceil_seconds(left)) + "s",
                                429);
        return error;
      }
      throttled_until_.reset();
    }
  }
  auto token = load_secret(config_.api_token, "cloudflare provider '" + name_ + "' api token");
  if (!token.ok()) return token.error();

  http::ClientRequest request;
  request.method = method;
  request.url = std::string(core::trim_end(config_.base_url, "/")) + path;
  request.headers["Authorization"] = "Bearer " + token->reveal();
  request.headers["User-Agent"] = settings_.user_agent;
  request.headers["Accept"] = "application/json";
  if (!body.empty()) request.headers["Content-Type"] = "application/json";
  request.body = body;
  request.timeout = settings_.request_timeout;
  request.operation = operation;
  auto response = transport_.send(request);
  if (!response.ok()) return response.error();

  std::string parse_error;
  const json doc = jf::parse(response->body, parse_error).value_or(json());
  if (response->status == 429) {
    // retry_after() caps what the header asks for (http/retry_after.h).
    auto wait = http::retry_after(response->headers, time_.system_time())
                    .value_or(settings_.throttle_without_retry_after);
    {
      std::lock_guard lock(mutex_);
      throttled_until_ = time_.monotonic_time() + wait;
    }
    auto error = envelope_error(*response, doc, operation);
    error.kind = core::ErrorKind::kTransient;
    error.message += "; retry after " + std::to_string(ceil_seconds(wait)) + "s";
    return without_token(std::move(error), *token);
  }
  if (response->status < 200 || response->status >= 300) {
    return without_token(envelope_error(*response, doc, operation), *token);
  }
  Reply reply{response->status, response->body, {}};
  if (auto ray = response->headers.find("cf-ray"); ray != response->headers.end()) {
    reply.ray = ray->second;
  }
  if (!parse_error.empty()) {
    return without_token(malformed(reply, operation, "body: " + parse_error), *token);
  }
  // Always check `success` (reference §5); a 2xx without a boolean one is not a success.
  const auto success = jf::boolean(doc, "success");
  if (!success) return malformed(reply, operation, success.describe("success"));
  if (!*success) return without_token(envelope_error(*response, doc, operation), *token);
  return reply;
}

core::Status CloudflareProvider::resolve_zone() {
  std::string zone_id;
  std::string zone_name;
  {
    std::lock_guard lock(mutex_);
    zone_id = zone_id_;
    zone_name = zone_name_;
  }
  if (!zone_id.empty() && !zone_name.empty()) return {};
  constexpr const char* kOperation = "cloudflare.zone_lookup";
  if (zone_id.empty()) {
    auto reply =
        call("GET", "/zones?name=" + http::percent_encode_component(zone_name), "", kOperation);
    if (!reply.ok()) return reply.error();
    std::string parse_error;
    const json doc = jf::parse(reply->body, parse_error).value_or(json());
    const auto zones = jf::array(doc, "result");
    if (!zones) return malformed(*reply, kOperation, zones.describe("result"));
    if ((*zones)->empty()) {
      return make_error(core::ErrorKind::kInvalidConfig, "cloudflare provider '" + name_ +
                                                             "': zone '" + zone_name +
                                                             "' not found for this API token");
    }
    const auto id = jf::string((*zones)->front(), "id");
    if (!id || id->empty()) {
      return malformed(*reply, kOperation,
                       "zone '" + zone_name + "': " + (id ? "\"id\" is empty" : id.describe("id")));
    }
    std::lock_guard lock(mutex_);
    zone_id_ = *id;
    return {};
  }
  auto reply = call("GET", "/zones/" + http::percent_encode_component(zone_id), "", kOperation);
  if (!reply.ok()) return reply.error();
  std::string parse_error;
  const json doc = jf::parse(reply->body, parse_error).value_or(json());
  const auto zone = jf::object(doc, "result");
  if (!zone) return malformed(*reply, kOperation, zone.describe("result"));
  const auto name = jf::string(**zone, "name");
  if (!name || name->empty()) {
    return malformed(
        *reply, kOperation,
        "zone '" + zone_id + "': " + (name ? "\"name\" is empty" : name.describe("name")));
  }
  std::lock_guard lock(mutex_);
  zone_name_ = normalize_name(*name);
  return {};
}

core::Result<std::vector<CloudflareProvider::Record>> CloudflareProvider::list(
    const std::string& fqdn, std::optional<RecordType> type) {
  std::string zone_id;
  {
    std::lock_guard lock(mutex_);
    zone_id = zone_id_;
  }
  std::string base = "/zones/" + http::percent_encode_component(zone_id) + "/dns_records?";
  if (type) base += std::string("type=") + to_string(*type) + "&";
  base += "name=" + http::percent_encode_component(fqdn) +
          "&per_page=" + std::to_string(settings_.per_page);
  constexpr const char* kOperation = "cloudflare.list";
  std::vector<Record> out;
  std::int64_t total_pages = 1;
  for (std::int64_t page = 1; page <= total_pages; ++page) {
    const std::string path = page == 1 ? base : base + "&page=" + std::to_string(page);
    auto reply = call("GET", path, "", kOperation);
    if (!reply.ok()) return reply.error();
    std::string parse_error;
    const json doc = jf::parse(reply->body, parse_error).value_or(json());
    const auto records = jf::array(doc, "result");
    if (!records) return malformed(*reply, kOperation, records.describe("result"));

    // Paging decides whether we saw every record at the name; without a usable total_pages
    // only a page shorter than per_page is evidently the last one.
    const auto info = jf::object(doc, "result_info");
    if (info.ok()) {
      const auto pages = jf::integer(**info, "total_pages", 0, 1000000);
      if (!pages) return malformed(*reply, kOperation, pages.describe("result_info.total_pages"));
      total_pages = *pages;
    } else if (info.absent() &&
               (*records)->size() < static_cast<std::size_t>(std::max(settings_.per_page, 1))) {
      total_pages = page;
    } else {
      return malformed(*reply, kOperation,
                       info.describe("result_info") +
                           (info.absent() ? " on a full page; more records may follow" : ""));
    }
    if (total_pages > settings_.max_pages) {
      return make_error(core::ErrorKind::kTerminal,
                        "cloudflare.list: more than " +
                            std::to_string(settings_.max_pages * settings_.per_page) +
                            " records at " + fqdn);
    }
    std::size_t index = 0;
    for (const auto& r : **records) {
      Record record;
      bool relevant = false;
      if (const auto problem = read_record(r, fqdn, record, relevant)) {
        return malformed(*reply, kOperation,
                         "result[" + std::to_string(index) + "] at " + fqdn + ": " + *problem);
      }
      ++index;
      if (relevant) out.push_back(std::move(record));
    }
  }
  std::sort(out.begin(), out.end(), [](const Record& a, const Record& b) {
    return std::tie(a.type, a.content, a.id) < std::tie(b.type, b.content, b.id);
  });
  return out;
}

namespace {

template <typename Records>
RecordSet to_set(const std::string& fqdn, RecordType type, const Records& records) {
  RecordSet set;
  set.fqdn = fqdn;
  set.type = type;
  for (const auto& r : records) {
    if (r.type != type) continue;
    if (set.values.empty()) set.ttl = r.ttl;
    set.values.push_back(r.content);
    set.version += (set.version.empty() ? "" : ",") + r.id;
  }
  return set;
}

// expected_current against what is there now: values, and ids when the caller had them.
template <typename Records>
core::Status check_expected(const Change& change, const Records& current) {
  if (!change.expected_current) return {};
  const RecordSet now = to_set(normalize_name(change.desired.fqdn), change.desired.type, current);
  std::vector<std::string> want = change.expected_current->values;
  std::sort(want.begin(), want.end());
  const bool ids_differ =
      !change.expected_current->version.empty() && change.expected_current->version != now.version;
  if (now.values != want || ids_differ) {
    return make_error(core::ErrorKind::kConflict,
                      "cloudflare: " + std::string(to_string(change.desired.type)) + " " +
                          now.fqdn + " changed since it was read; re-read and re-plan");
  }
  return {};
}

}  // namespace

core::Result<std::vector<RecordSet>> CloudflareProvider::read(const std::string& fqdn) {
  const std::string name = normalize_name(fqdn);
  if (auto status = resolve_zone(); !status.ok()) return status.error();
  if (const std::string apex = zone(); !in_zone(name, apex)) {
    return relative_name(name, apex).error();
  }
  auto records = list(name, std::nullopt);
  if (!records.ok()) return records.error();
  std::vector<RecordSet> sets;
  for (RecordType type : {RecordType::kA, RecordType::kTxt, RecordType::kCname}) {
    RecordSet set = to_set(name, type, *records);
    if (!set.values.empty()) sets.push_back(std::move(set));
  }
  return sets;
}

core::Status CloudflareProvider::upsert(const Change& change) {
  RecordSet desired = change.desired;
  desired.fqdn = normalize_name(desired.fqdn);
  auto current = list(desired.fqdn, desired.type);
  if (!current.ok()) return current.error();
  if (auto status = check_expected(change, *current); !status.ok()) return status;

  std::string zone_id;
  {
    std::lock_guard lock(mutex_);
    zone_id = zone_id_;
  }
  const std::string base = "/zones/" + http::percent_encode_component(zone_id) + "/dns_records";
  auto body = [&](const std::string& content) {
    return jf::dump(json{{"type", to_string(desired.type)},
                         {"name", desired.fqdn},
                         {"content", content},
                         {"ttl", desired.ttl},
                         {"proxied", false}});
  };

  // Values already present stay (PATCH only when ttl/proxied drift); the rest reuse surplus
  // records in place before anything is created or deleted.
  std::vector<std::string> missing;
  std::vector<Record> surplus = *current;
  std::vector<Record> keep;
  for (const auto& value : desired.values) {
    auto it = std::find_if(surplus.begin(), surplus.end(),
                           [&](const Record& r) { return r.content == value; });
    if (it == surplus.end()) {
      missing.push_back(value);
    } else {
      keep.push_back(*it);
      surplus.erase(it);
    }
  }
  for (const auto& record : keep) {
    // An unknown `proxied` is sent again: cheaper than a record proxied behind our back.
    if (record.ttl == desired.ttl && record.proxied == false) continue;
    auto result =
        call("PATCH", base + "/" + http::percent_encode_component(record.id),
             jf::dump(json{{"ttl", desired.ttl}, {"proxied", false}}), "cloudflare.patch");
    if (!result.ok()) return result.error();
  }
  for (const auto& value : missing) {
    if (!surplus.empty()) {
      const Record record = surplus.front();
      surplus.erase(surplus.begin());
      auto result = call("PUT", base + "/" + http::percent_encode_component(record.id), body(value),
                         "cloudflare.update");
      if (!result.ok()) return result.error();
    } else {
      auto result = call("POST", base, body(value), "cloudflare.create");
      if (!result.ok()) return result.error();
    }
  }
  for (const auto& record : surplus) {
    auto result = call("DELETE", base + "/" + http::percent_encode_component(record.id), "",
                       "cloudflare.delete");
    if (!result.ok()) return result.error();
  }
  return {};
}

core::Status CloudflareProvider::remove(const Change& change) {
  const std::string fqdn = normalize_name(change.desired.fqdn);
  auto current = list(fqdn, change.desired.type);
  if (!current.ok()) return current.error();
  if (auto status = check_expected(change, *current); !status.ok()) return status;
  std::string zone_id;
  {
    std::lock_guard lock(mutex_);
    zone_id = zone_id_;
  }
  for (const auto& record : *current) {
    auto result = call("DELETE",
                       "/zones/" + http::percent_encode_component(zone_id) + "/dns_records/" +
                           http::percent_encode_component(record.id),
                       "", "cloudflare.delete");
    if (!result.ok()) return result.error();
  }
  return {};
}

core::Status CloudflareProvider::apply(const std::vector<Change>& changes) {
  if (auto status = resolve_zone(); !status.ok()) return status;
  const std::string apex = zone();
  for (const Change& change : changes) {
    if (!in_zone(change.desired.fqdn, apex))
      return relative_name(change.desired.fqdn, apex).error();
  }
  for (const Change& change : changes) {
    auto status = change.kind == Change::Kind::kUpsert ? upsert(change) : remove(change);
    if (!status.ok()) return status;
  }
  return {};
}

}  // namespace frankenetes::dns
