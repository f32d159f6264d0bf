#include "sim/dns/cloudflare_api.h"

#include <algorithm>
#include <functional>

#include "core/strings.h"
#include "sim/dns/cloudflare_codec.h"
#include "sim/dns/dns_names.h"
#include "sim/dns/record_validation.h"

namespace frankenetes::sim::dns {

using nlohmann::json;

struct CloudflareApi::Call {
  const CloudflareToken* token = nullptr;
  RequestRateLimiter::Decision limit;
};

namespace {

constexpr std::size_t kMinPerPage = 5;
constexpr std::size_t kMaxPerPage = 5000000;

http::Response envelope_response(int status, const json& body) {
  return http::Response::json(status, body.dump());
}

std::vector<std::string> path_segments(const std::string& path) {
  auto parts = core::split(path, '/');
  if (!parts.empty() && parts.front().empty()) parts.erase(parts.begin());
  if (!parts.empty() && parts.back().empty()) parts.pop_back();
  return parts;
}

bool is_hex_id(const std::string& id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::optional<std::size_t> parse_count(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  if (text->empty() || text->size() > 9) return 0;
  for (char c : *text) {
    if (c < '0' || c > '9') return 0;
  }
  return std::stoul(*text);
}

long long ceil_seconds(core::Duration d) {
  return (d.count() + 999) / 1000;
}

struct Paging {
  std::size_t page = 1;
  std::size_t per_page = 100;
};

std::optional<Paging> parse_paging(const http::Request& request, std::size_t default_per_page) {
  Paging paging;
  paging.per_page = default_per_page;
  if (auto page = parse_count(request.query_param("page"))) {
    if (*page == 0) return std::nullopt;
    paging.page = *page;
  }
  if (auto per_page = parse_count(request.query_param("per_page"))) {
    if (*per_page == 0) return std::nullopt;
    // Cloudflare clamps rather than refuses out-of-range page sizes.
    paging.per_page = std::clamp(*per_page, kMinPerPage, kMaxPerPage);
  }
  return paging;
}

json result_info(const Paging& paging, std::size_t count, std::size_t total) {
  const std::size_t pages = total == 0 ? 0 : (total + paging.per_page - 1) / paging.per_page;
  return json{{"page", paging.page},
              {"per_page", paging.per_page},
              {"count", count},
              {"total_count", total},
              {"total_pages", pages}};
}

}  // namespace

http::Response cloudflare_error_response(int status, int code, const std::string& message) {
  return envelope_response(status, cloudflare_error_envelope({{code, message}}));
}

CloudflareApi::CloudflareApi(RecordStore& store, std::vector<CloudflareToken> tokens,
                             const core::TimeSource& time, Options options)
    : store_(store),
      tokens_(std::move(tokens)),
      time_(time),
      options_(options),
      limiter_(options.requests_per_window, options.window) {}

bool CloudflareApi::handles(const http::Request& request) {
  return core::starts_with(request.path, "/client/v4/") || request.path == "/client/v4";
}

http::Response CloudflareApi::handle(const http::Request& request) {
  Call call;
  const auto authorization = request.headers.find("Authorization");
  if (authorization == request.headers.end()) {
    return cloudflare_error_response(
        400, 9106, "Missing X-Auth-Key, X-Auth-Email or Authorization headers");
  }
  const std::string& value = authorization->second;
  if (!core::starts_with(value, "Bearer ") || value.size() <= 7) {
    auto response = envelope_response(
        400, json{{"success", false},
                  {"errors",
                   {{{"code", 6003},
                     {"message", "Invalid request headers"},
                     {"error_chain",
                      {{{"code", 6111}, {"message", "Invalid format for Authorization header"}}}}}}},
                  {"messages", json::array()},
                  {"result", nullptr}});
    return response;
  }
  const std::string presented = value.substr(7);
  for (const auto& token : tokens_) {
    if (token.token.reveal() == presented) call.token = &token;
  }
  if (!call.token) return cloudflare_error_response(403, 9109, "Invalid access token");

  call.limit = limiter_.admit(call.token->token_id, time_.monotonic_time());
  http::Response response;
  if (!call.limit.allowed) {
    response = cloudflare_error_response(
        429, 971, "Please wait and consider throttling your request speed");
    response.headers["retry-after"] = std::to_string(ceil_seconds(call.limit.retry_after));
  } else {
    response = route(request, call);
  }
  response.headers["Ratelimit"] = "\"default\";r=" + std::to_string(call.limit.remaining) +
                                  ";t=" + std::to_string(ceil_seconds(call.limit.reset_in));
  response.headers["Ratelimit-Policy"] =
      "\"default\";q=" + std::to_string(limiter_.limit()) +
      ";w=" + std::to_string(ceil_seconds(limiter_.window()));
  return response;
}

http::Response CloudflareApi::route(const http::Request& request, Call& call) {
  const auto s = path_segments(request.path);  // client, v4, …
  const auto route_error = [&] {
    return cloudflare_error_response(
        400, 7003,
        "Could not route to " + request.path + ", perhaps your object identifier is invalid?");
  };
  if (s.size() == 5 && s[2] == "user" && s[3] == "tokens" && s[4] == "verify") {
    if (request.method != "GET") return cloudflare_error_response(405, 10405, "Method not allowed");
    auto body = cloudflare_envelope({{"id", call.token->token_id}, {"status", "active"}});
    body["messages"] = json::array(
        {{{"code", 10000}, {"message", "This API Token is valid and active"}, {"type", nullptr}}});
    return envelope_response(200, body);
  }
  if (s.size() < 3 || s[2] != "zones" || s.size() > 6) return route_error();
  if (s.size() == 3) {
    if (request.method != "GET") return cloudflare_error_response(405, 10405, "Method not allowed");
    return list_zones(request, call);
  }
  const std::string& zone_id = s[3];
  if (!is_hex_id(zone_id)) return route_error();
  Zone* zone = store_.find_cloudflare_zone(zone_id);
  if (!zone || zone->cloudflare_account_id != call.token->account_id) {
    return cloudflare_error_response(403, 10000, "Authentication error");
  }
  if (s.size() == 4) {
    if (request.method != "GET") return cloudflare_error_response(405, 10405, "Method not allowed");
    return envelope_response(200, cloudflare_envelope(cloudflare_zone_json(*zone)));
  }
  if (s[4] != "dns_records") return route_error();
  if (s.size() == 5) {
    if (request.method == "GET") return list_records(request, *zone);
    if (request.method == "POST") return create_record(request, *zone);
    return cloudflare_error_response(405, 10405, "Method not allowed");
  }
  if (!is_hex_id(s[5])) return route_error();
  return record(request, *zone, s[5]);
}

http::Response CloudflareApi::list_zones(const http::Request& request, const Call& call) {
  const auto paging = parse_paging(request, 20);  // zones default to 20 per page
  if (!paging) return cloudflare_error_response(400, 1001, "Invalid page or per_page value.");
  const auto name = request.query_param("name");
  const auto status = request.query_param("status");
  std::vector<const Zone*> matches;
  for (const auto& zone : store_.zones()) {
    if (zone.provider != Provider::kCloudflare ||
        zone.cloudflare_account_id != call.token->account_id) {
      continue;
    }
    if (name && normalize_name(*name) != zone.name) continue;
    if (status && *status != "active") continue;
    matches.push_back(&zone);
  }
  json result = json::array();
  const std::size_t first = (paging->page - 1) * paging->per_page;
  for (std::size_t i = first; i < matches.size() && i < first + paging->per_page; ++i) {
    result.push_back(cloudflare_zone_json(*matches[i]));
  }
  auto body = cloudflare_envelope(result);
  body["result_info"] = result_info(*paging, result.size(), matches.size());
  return envelope_response(200, body);
}

http::Response CloudflareApi::list_records(const http::Request& request, const Zone& zone) {
  const auto paging = parse_paging(request, options_.default_per_page);
  if (!paging) return cloudflare_error_response(400, 1001, "Invalid page or per_page value.");
  const auto match = request.query_param("match").value_or("all");
  if (match != "all" && match != "any") {
    return cloudflare_error_response(400, 1001, "match must be 'all' or 'any'.");
  }
  // Each filter the client sent is one predicate; match=all ANDs them, match=any ORs them.
  using Predicate = std::function<bool(const CloudflareRecord&)>;
  std::vector<Predicate> predicates;
  if (auto text = request.query_param("type")) {
    // A type the simulator does not manage (AAAA, MX, …) simply matches nothing.
    predicates.push_back([t = parse_record_type(*text)](const CloudflareRecord& r) {
      return t && r.type == *t;
    });
  }
  for (const char* key : {"name", "name.exact"}) {
    if (auto v = request.query_param(key)) {
      predicates.push_back([n = normalize_name(*v)](const CloudflareRecord& r) {
        return r.name == n;
      });
    }
  }
  if (auto v = request.query_param("name.contains")) {
    predicates.push_back(
        [n = *v](const CloudflareRecord& r) { return core::icontains(r.name, n); });
  }
  if (auto v = request.query_param("name.startswith")) {
    predicates.push_back([n = core::to_lower(*v)](const CloudflareRecord& r) {
      return core::starts_with(r.name, n);
    });
  }
  if (auto v = request.query_param("name.endswith")) {
    predicates.push_back([n = core::to_lower(*v)](const CloudflareRecord& r) {
      return r.name.size() >= n.size() && r.name.compare(r.name.size() - n.size(), n.size(), n) == 0;
    });
  }
  for (const char* key : {"content", "content.exact"}) {
    if (auto v = request.query_param(key)) {
      predicates.push_back([c = *v](const CloudflareRecord& r) { return r.content == c; });
    }
  }
  if (auto v = request.query_param("proxied")) {
    predicates.push_back([p = *v == "true"](const CloudflareRecord& r) { return r.proxied == p; });
  }

  std::vector<const CloudflareRecord*> matches;
  for (const auto& record : zone.records) {
    bool keep = predicates.empty() || match == "all";
    for (const auto& predicate : predicates) {
      if (match == "all") {
        keep = keep && predicate(record);
      } else {
        keep = keep || predicate(record);
      }
    }
    if (keep) matches.push_back(&record);
  }

  const auto order = request.query_param("order").value_or("");
  const bool descending = request.query_param("direction").value_or("asc") == "desc";
  auto sort_key = [&](const CloudflareRecord* r) -> std::string {
    if (order == "name") return r->name;
    if (order == "content") return r->content;
    if (order == "ttl") return std::to_string(100000000 + r->ttl);
    if (order == "proxied") return r->proxied ? "1" : "0";
    return to_string(r->type);  // "type" and the default
  };
  std::stable_sort(matches.begin(), matches.end(), [&](const auto* a, const auto* b) {
    return descending ? sort_key(b) < sort_key(a) : sort_key(a) < sort_key(b);
  });

  json result = json::array();
  const std::size_t first = (paging->page - 1) * paging->per_page;
  for (std::size_t i = first; i < matches.size() && i < first + paging->per_page; ++i) {
    result.push_back(cloudflare_record_json(zone, *matches[i]));
  }
  auto body = cloudflare_envelope(result);
  body["result_info"] = result_info(*paging, result.size(), matches.size());
  return envelope_response(200, body);
}

std::optional<http::Response> CloudflareApi::conflicts(const Zone& zone,
                                                       const CloudflareRecord& candidate,
                                                       const std::string& replacing_id) const {
  for (const auto& other : zone.records) {
    if (other.id == replacing_id || other.name != candidate.name) continue;
    if (other.type == candidate.type && other.content == candidate.content) {
      return cloudflare_error_response(400, 81058, "An identical record already exists.");
    }
  }
  if (auto existing = cname_conflict(zone, candidate.name, candidate.type, replacing_id)) {
    if (candidate.type == RecordType::kCname) {
      return cloudflare_error_response(
          400, 81053, "An A, AAAA, or CNAME record with that host already exists.");
    }
    return cloudflare_error_response(400, 81054, "A CNAME record with that host already exists.");
  }
  return std::nullopt;
}

http::Response CloudflareApi::create_record(const http::Request& request, Zone& zone) {
  auto body = parse_cloudflare_record_body(request.body);
  if (!body.ok()) {
    return cloudflare_error_response(400, std::stoi(body.error().azure_code),
                                     body.error().message);
  }
  if (!body->type) return cloudflare_error_response(400, 9004, "DNS record type is required.");
  if (!body->name) return cloudflare_error_response(400, 9007, "DNS record name is required.");
  if (!body->content) return cloudflare_error_response(400, 9008, "Content is required.");
  auto record = apply_cloudflare_record_body(CloudflareRecord{}, *body, zone);
  if (!record.ok()) {
    return cloudflare_error_response(400, std::stoi(record.error().azure_code),
                                     record.error().message);
  }
  if (auto problem = validate_cloudflare_record(*record, zone.name)) {
    return cloudflare_error_response(400, problem->cloudflare_code, problem->message);
  }
  if (auto conflict = conflicts(zone, *record, "")) return *conflict;
  const auto& stored = store_.create_record(zone, std::move(*record), time_.system_time());
  return envelope_response(200, cloudflare_envelope(cloudflare_record_json(zone, stored)));
}

http::Response CloudflareApi::record(const http::Request& request, Zone& zone,
                                     const std::string& id) {
  const CloudflareRecord* existing = store_.find_record(zone, id);
  if (!existing) return cloudflare_error_response(404, 81044, "Record does not exist.");
  if (request.method == "GET") {
    return envelope_response(200, cloudflare_envelope(cloudflare_record_json(zone, *existing)));
  }
  if (request.method == "DELETE") {
    store_.delete_record(zone, id);
    return envelope_response(200, cloudflare_envelope({{"id", id}}));
  }
  if (request.method != "PUT" && request.method != "PATCH") {
    return cloudflare_error_response(405, 10405, "Method not allowed");
  }
  auto body = parse_cloudflare_record_body(request.body);
  if (!body.ok()) {
    return cloudflare_error_response(400, std::stoi(body.error().azure_code),
                                     body.error().message);
  }
  CloudflareRecord base;
  if (request.method == "PATCH") {
    base = *existing;
  } else {
    // PUT overwrites the whole record: what the body leaves out returns to its default.
    if (!body->type || !body->name || !body->content) {
      return cloudflare_error_response(400, 9004,
                                       "type, name and content are required to overwrite.");
    }
  }
  auto updated = apply_cloudflare_record_body(std::move(base), *body, zone);
  if (!updated.ok()) {
    return cloudflare_error_response(400, std::stoi(updated.error().azure_code),
                                     updated.error().message);
  }
  if (auto problem = validate_cloudflare_record(*updated, zone.name)) {
    return cloudflare_error_response(400, problem->cloudflare_code, problem->message);
  }
  if (auto conflict = conflicts(zone, *updated, id)) return *conflict;
  const auto& stored = store_.replace_record(zone, id, std::move(*updated), time_.system_time());
  return envelope_response(200, cloudflare_envelope(cloudflare_record_json(zone, stored)));
}

}  // namespace frankenetes::sim::dns
