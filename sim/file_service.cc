#include "sim/file_service.h"

#include <openssl/evp.h>

#include <cstdio>
#include <optional>
#include <variant>

#include "core/base64.h"
#include "core/strings.h"
#include "core/timestamps.h"
#include "sim/file_share.h"
#include "sim/shared_key.h"

namespace frankenetes::sim {

namespace {

// File service REST reference: "Versioning for Azure Storage"; 2021-06-08 made the SMB
// property headers of Create File/Directory optional, and the sim does not read them.
constexpr const char* kOldestVersion = "2021-08-06";
constexpr std::uint64_t kMaxRange = 4 * 1024 * 1024;                 // Put Range
constexpr std::uint64_t kMaxFileSize = 4ULL * 1024 * 1024 * 1024 * 1024;  // 4 TiB
constexpr std::size_t kMaxResults = 5000;                            // List Directories and Files
// "Authorize with Shared Key": a request older (or newer) than 15 minutes is refused.
constexpr auto kMaxClockSkew = std::chrono::minutes(15);
constexpr const char* kAuthenticationFailed =
    "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly "
    "including the signature.";

std::string xml_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string element(const char* name, std::string_view value) {
  return std::string("<") + name + ">" + xml_escape(value) + "</" + name + ">";
}

std::string md5_base64(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  return core::base64_encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string etag_of(const ShareItem& item) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "\"0x%llX\"",
                static_cast<unsigned long long>(item.modified.time_since_epoch().count()) + item.size);
  return buf;
}

struct ByteRange {
  std::uint64_t first = 0;
  std::optional<std::uint64_t> last;  // absent: to the end ("bytes=10-")
};

// "bytes=<first>-[<last>]" (RFC 9110 §14.1.2, the one form the File service accepts).
std::optional<ByteRange> parse_range(std::string_view value) {
  if (!core::starts_with(value, "bytes=")) return std::nullopt;
  value.remove_prefix(6);
  const auto dash = value.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto first = core::parse_uint64(value.substr(0, dash));
  if (!first) return std::nullopt;
  ByteRange r{*first, std::nullopt};
  if (dash + 1 < value.size()) {
    r.last = core::parse_uint64(value.substr(dash + 1));
    if (!r.last || *r.last < r.first) return std::nullopt;
  }
  return r;
}

bool is_version(std::string_view v) {
  if (v.size() != 10 || v[4] != '-' || v[7] != '-') return false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9')) return false;
  }
  return true;
}

}  // namespace

std::string classify_file_operation(const http::Request& request) {
  const auto restype = request.query_param("restype");
  const auto comp = request.query_param("comp");
  const auto& m = request.method;
  if (restype == "directory") {
    if (comp == "list") return m == "GET" ? "listDirectoriesAndFiles" : "unknown";
    if (comp) return "unknown";
    if (m == "PUT") return "createDirectory";
    if (m == "DELETE") return "deleteDirectory";
    if (m == "GET" || m == "HEAD") return "getDirectoryProperties";
    return "unknown";
  }
  if (restype) return "unknown";
  if (comp == "range") return m == "PUT" ? "putRange" : "unknown";
  if (comp) return "unknown";
  if (m == "PUT") return "createFile";
  if (m == "GET") return "getFile";
  if (m == "HEAD") return "getFileProperties";
  if (m == "DELETE") return "deleteFile";
  return "unknown";
}

FileService::FileService(FileServiceSettings settings, FaultInjector& faults, const core::TimeSource& time,
                         Random& random)
    : settings_(std::move(settings)), faults_(faults), time_(time), random_(random) {}

http::Response FileService::error(int status, const std::string& code, const std::string& message,
                                  const std::string& details) const {
  // "Status and Error Codes" in the File service REST docs: Code, a Message ending in the
  // request id and time, optional detail elements; the code also in x-ms-error-code.
  http::Response r;
  r.status = status;
  r.headers["Content-Type"] = "application/xml";
  r.headers["x-ms-error-code"] = code;
  r.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error>" + element("Code", code) +
           element("Message", message + "\nRequestId:" + request_id_ + "\nTime:" + format_time_7(now_)) + details +
           "</Error>";
  return r;
}

http::Response FileService::header_error(int status, const std::string& code, const std::string& message,
                                         const std::string& name, const std::string& value) const {
  return error(status, code, message,
               element("HeaderName", name) + (value.empty() ? std::string() : element("HeaderValue", value)));
}

FileReply FileService::handle(const http::Request& request) {
  FileReply reply;
  reply.operation = classify_file_operation(request);
  request_id_ = make_guid(random_);
  now_ = time_.system_time();
  reply.response = route(request, reply);
  auto& h = reply.response.headers;
  h["x-ms-request-id"] = request_id_;
  h["x-ms-version"] = request.header("x-ms-version").empty() ? kOldestVersion : request.header("x-ms-version");
  h["Date"] = core::format_http_date(now_);
  if (const auto client = request.header("x-ms-client-request-id"); !client.empty()) h["x-ms-client-request-id"] = client;
  return reply;
}

http::Response FileService::route(const http::Request& request, FileReply& reply) {
  // "/<account>/<share>[/<path>]", decoded.
  const std::string_view full = request.path;
  const auto account_end = std::min(full.find('/', 1), full.size());
  const auto account = std::string(full.substr(1, account_end - 1));
  const auto share_start = std::min(account_end + 1, full.size());
  const auto share_end = std::min(full.find('/', share_start), full.size());
  const auto share = std::string(full.substr(share_start, share_end - share_start));
  const auto rest = share_end < full.size() ? full.substr(share_end + 1) : std::string_view();

  const auto key = settings_.keys.find(account);
  if (key == settings_.keys.end()) {
    return error(403, "AuthenticationFailed", kAuthenticationFailed,
                 element("AuthenticationErrorDetail",
                         "The storage account '" + account +
                             "' is not known to frankenetes-sim (declare it in the scenario's storageAccounts or "
                             "in an azureFile volume)."));
  }
  if (auto denied = authorize(request, account, key->second)) return std::move(*denied);
  const auto version = request.header("x-ms-version");
  if (version.empty()) {
    return header_error(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified.",
                        "x-ms-version", "");
  }
  if (!is_version(version) || version < kOldestVersion) {
    return header_error(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.",
                        "x-ms-version", version);
  }
  if (share.empty()) return error(400, "InvalidUri", "The requested URI does not represent any resource on the server.");
  if (!is_valid_share_name(share)) {
    return error(400, "InvalidResourceName", "The specifed resource name contains invalid characters.");
  }
  const auto share_dir = settings_.shares_dir + "/" + account + "/" + share;
  std::error_code ec;
  if (!std::filesystem::is_directory(share_dir, ec)) return error(404, "ShareNotFound", "The specified share does not exist.");
  if (reply.operation == "unknown") {
    const auto& m = request.method;
    if (m != "GET" && m != "HEAD" && m != "PUT" && m != "DELETE") {
      return error(405, "UnsupportedHttpVerb", "The resource doesn't support specified Http Verb.");
    }
    const char* name = request.query_param("comp") ? "comp" : "restype";
    return error(400, "InvalidQueryParameterValue",
                 "Value for one of the query parameters specified in the request URI is invalid.",
                 element("QueryParameterName", name) +
                     element("QueryParameterValue", request.query_param(name).value_or("")));
  }
  const auto parsed = parse_share_path(rest);
  if (const auto* problem = std::get_if<std::string>(&parsed)) {
    return error(400, "InvalidResourceName", "The specifed resource name contains invalid characters.",
                 element("Reason", *problem));
  }
  const auto fault = faults_.decide("files." + reply.operation, time_.monotonic_time(), random_,
                                    /*any_matches=*/false);
  reply.delay = fault.delay;
  if (fault.fail) {
    reply.fault = "filesFault";
    auto r = error(fault.status, fault.code, fault.message);
    if (fault.retry_after_seconds) r.headers["Retry-After"] = std::to_string(*fault.retry_after_seconds);
    return r;
  }
  FileShare files(share_dir);
  return dispatch(request, reply.operation, files, std::get<SharePath>(parsed), share);
}

std::optional<http::Response> FileService::authorize(const http::Request& request, const std::string& account,
                                                     const std::string& key) const {
  const auto failed = [&](const std::string& detail) {
    return error(403, "AuthenticationFailed", kAuthenticationFailed, element("AuthenticationErrorDetail", detail));
  };
  const auto authorization = request.header("Authorization");
  if (authorization.empty()) {
    return error(401, "NoAuthenticationInformation",
                 "Server failed to authenticate the request. Please refer to the information in the "
                 "www-authenticate header.");
  }
  const std::string_view scheme = "SharedKey ";
  const auto colon = authorization.rfind(':');
  if (!core::starts_with(authorization, scheme) || colon == std::string::npos || colon < scheme.size()) {
    return error(400, "InvalidAuthenticationInfo",
                 "Authentication information is not given in the correct format. Check the value of Authorization "
                 "header.");
  }
  const auto claimed_account = authorization.substr(scheme.size(), colon - scheme.size());
  const auto signature = authorization.substr(colon + 1);
  if (claimed_account != account) {
    return failed("The account in the Authorization header ('" + claimed_account +
                  "') is not the account of the request URL ('" + account + "').");
  }
  const auto date_header = request.header("x-ms-date").empty() ? request.header("Date") : request.header("x-ms-date");
  if (date_header.empty()) return failed("Request date header not specified.");
  const auto date = core::parse_http_date(date_header);
  if (!date) return failed("The Date header in the request is incorrect.");
  if (*date < now_ - kMaxClockSkew) return failed("Request date header too old: '" + date_header + "'");
  if (*date > now_ + kMaxClockSkew) return failed("Request date header is in the future: '" + date_header + "'");
  const auto string_to_sign = shared_key_string_to_sign(request, account);
  if (shared_key_signature(key, string_to_sign) != signature) {
    return failed("The MAC signature found in the HTTP request '" + signature +
                  "' is not the same as any computed signature. Server used following string to sign: '" +
                  string_to_sign + "'.");
  }
  return std::nullopt;
}

}  // namespace frankenetes::sim

namespace frankenetes::sim {

namespace {

void add_item_headers(http::Response& r, const ShareItem& item) {
  r.headers["ETag"] = etag_of(item);
  r.headers["Last-Modified"] = core::format_http_date(item.modified);
}

std::string encode_marker(const std::string& name) { return "1!" + base64url_encode(name); }

std::optional<std::string> decode_marker(const std::string& marker) {
  if (!core::starts_with(marker, "1!")) return std::nullopt;
  bool ok = false;
  auto name = base64url_decode(std::string_view(marker).substr(2), &ok);
  if (!ok) return std::nullopt;
  return name;
}

}  // namespace

http::Response FileService::share_error(ShareOutcome outcome, const FileShare& files) const {
  switch (outcome) {
    case ShareOutcome::kNotFound:
      return error(404, "ResourceNotFound", "The specified resource does not exist.");
    case ShareOutcome::kParentNotFound:
      return error(404, "ParentNotFound", "The specified parent path does not exist.");
    case ShareOutcome::kAlreadyExists:
      return error(409, "ResourceAlreadyExists", "The specified resource already exists.");
    case ShareOutcome::kNotEmpty:
      return error(409, "DirectoryNotEmpty", "The specified directory is not empty.");
    case ShareOutcome::kTypeMismatch:
      return error(409, "ResourceTypeMismatch", "The specified resource type does not match the type of the resource.");
    case ShareOutcome::kInvalidRange:
      return error(416, "InvalidRange", "The range specified is invalid for the current size of the resource.");
    case ShareOutcome::kIoError:
    case ShareOutcome::kOk:
      break;
  }
  return error(500, "InternalError", "Server encountered an internal error. Please try again after some time.",
               element("Reason", files.last_error()));
}

http::Response FileService::dispatch(const http::Request& request, const std::string& operation, FileShare& files,
                                     const SharePath& path, const std::string& share) {
  http::Response r;
  ShareItem item;
  const auto created = [&](int status) {
    r.status = status;
    if (files.stat(path, &item) == ShareOutcome::kOk) add_item_headers(r, item);
    r.headers["x-ms-request-server-encrypted"] = "true";
    return r;
  };
  if (operation == "createDirectory") {
    if (const auto o = files.create_directory(path); o != ShareOutcome::kOk) return share_error(o, files);
    return created(201);
  }
  if (operation == "deleteDirectory") {
    if (path.empty()) return error(400, "InvalidUri", "The requested URI does not represent any resource on the server.");
    if (const auto o = files.delete_directory(path); o != ShareOutcome::kOk) return share_error(o, files);
    r.status = 202;
    return r;
  }
  if (operation == "getDirectoryProperties") {
    if (const auto o = files.stat(path, &item); o != ShareOutcome::kOk) return share_error(o, files);
    if (!item.directory) return share_error(ShareOutcome::kTypeMismatch, files);
    add_item_headers(r, item);
    r.headers["x-ms-server-encrypted"] = "true";
    return r;
  }
  if (operation == "listDirectoriesAndFiles") return list(request, files, path, share);
  if (operation == "createFile") {
    if (path.empty()) return error(400, "InvalidUri", "The requested URI does not represent any resource on the server.");
    const auto type = request.header("x-ms-type");
    if (type.empty()) {
      return header_error(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified.",
                          "x-ms-type", "");
    }
    if (!core::iequals(type, "file")) {
      return header_error(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.",
                          "x-ms-type", type);
    }
    const auto length_header = request.header("x-ms-content-length");
    if (length_header.empty()) {
      return header_error(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified.",
                          "x-ms-content-length", "");
    }
    const auto length = core::parse_uint64(length_header);
    if (!length || *length > kMaxFileSize) {
      return header_error(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.",
                          "x-ms-content-length", length_header);
    }
    if (!request.body.empty()) {
      return header_error(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.",
                          "Content-Length", std::to_string(request.body.size()));
    }
    if (const auto o = files.create_file(path, *length); o != ShareOutcome::kOk) return share_error(o, files);
    return created(201);
  }
  if (operation == "putRange") {
    auto answer = put_range(request, files, path);
    if (answer.status == 201) {
      r = std::move(answer);
      return created(201);
    }
    return answer;
  }
  if (operation == "getFile" || operation == "getFileProperties") return get_file(request, files, path);
  if (operation == "deleteFile") {
    if (path.empty()) return error(400, "InvalidUri", "The requested URI does not represent any resource on the server.");
    if (const auto o = files.delete_file(path); o != ShareOutcome::kOk) return share_error(o, files);
    r.status = 202;
    return r;
  }
  return error(400, "InvalidUri", "The requested URI does not represent any resource on the server.");
}

http::Response FileService::list(const http::Request& request, FileShare& files, const SharePath& path,
                                 const std::string& share) {
  std::size_t max_results = kMaxResults;
  const auto max_param = request.query_param("maxresults");
  if (max_param) {
    const auto n = core::parse_uint64(*max_param);
    if (!n || *n < 1 || *n > kMaxResults) {
      return error(400, "OutOfRangeQueryParameterValue",
                   "One of the query parameters specified in the request URI is outside the permissible range.",
                   element("QueryParameterName", "maxresults") + element("QueryParameterValue", *max_param) +
                       element("MinimumAllowed", "1") + element("MaximumAllowed", std::to_string(kMaxResults)));
    }
    max_results = *n;
  }
  const auto marker = request.query_param("marker").value_or("");
  std::string start_after_or_at;
  if (!marker.empty()) {
    const auto name = decode_marker(marker);
    if (!name) {
      return error(400, "InvalidQueryParameterValue",
                   "Value for one of the query parameters specified in the request URI is invalid.",
                   element("QueryParameterName", "marker") + element("QueryParameterValue", marker));
    }
    start_after_or_at = *name;
  }
  const auto prefix = request.query_param("prefix").value_or("");
  std::vector<ShareEntry> entries;
  if (const auto o = files.list(path, &entries); o != ShareOutcome::kOk) return share_error(o, files);

  std::string dir;
  for (const auto& c : path) dir += (dir.empty() ? "" : "/") + c;
  std::string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"" +
                    xml_escape(settings_.base_url + "/" + std::string(request.path.substr(1, request.path.find('/', 1)))) +
                    "\" ShareName=\"" + xml_escape(share) + "\" DirectoryPath=\"" + xml_escape(dir) + "\">";
  if (!marker.empty()) xml += element("Marker", marker);
  if (!prefix.empty()) xml += element("Prefix", prefix);
  if (max_param) xml += element("MaxResults", *max_param);
  xml += "<Entries>";
  std::size_t count = 0;
  std::string next_marker;
  for (const auto& e : entries) {
    if (!core::starts_with(e.name, prefix) || e.name < start_after_or_at) continue;
    if (count == max_results) {
      next_marker = encode_marker(e.name);
      break;
    }
    ++count;
    if (e.directory) {
      xml += "<Directory>" + element("Name", e.name) + "<Properties /></Directory>";
    } else {
      xml += "<File>" + element("Name", e.name) + "<Properties>" +
             element("Content-Length", std::to_string(e.size)) + "</Properties></File>";
    }
  }
  xml += "</Entries>" + (next_marker.empty() ? std::string("<NextMarker />") : element("NextMarker", next_marker)) +
         "</EnumerationResults>";
  http::Response r;
  r.status = 200;
  r.headers["Content-Type"] = "application/xml";
  r.body = std::move(xml);
  return r;
}

http::Response FileService::put_range(const http::Request& request, FileShare& files, const SharePath& path) {
  const auto write = request.header("x-ms-write");
  if (write.empty()) {
    return header_error(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified.",
                        "x-ms-write", "");
  }
  if (write != "update" && write != "clear") {
    return header_error(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.",
                        "x-ms-write", write);
  }
  // "x-ms-range: if both Range and x-ms-range are specified, the service uses x-ms-range".
  const auto range_name = request.header("x-ms-range").empty() ? std::string("Range") : std::string("x-ms-range");
  const auto range_value = request.header(range_name);
  if (range_value.empty()) {
    return header_error(400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified.",
                        "x-ms-range", "");
  }
  const auto range = parse_range(range_value);
  if (!range || !range->last) {
    return header_error(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.",
                        range_name, range_value);
  }
  const auto length = *range->last - range->first + 1;
  if (length > kMaxRange) {
    return error(413, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit.",
                 element("MaxLimit", std::to_string(kMaxRange)));
  }
  http::Response r;
  if (write == "clear") {
    if (!request.body.empty()) {
      return header_error(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.",
                          "Content-Length", std::to_string(request.body.size()));
    }
    if (const auto o = files.clear_range(path, range->first, length); o != ShareOutcome::kOk) return share_error(o, files);
    r.status = 201;
    return r;
  }
  if (request.body.size() != length) {
    return header_error(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.",
                        "Content-Length", std::to_string(request.body.size()));
  }
  const auto md5 = md5_base64(request.body);
  if (const auto claimed = request.header("Content-MD5"); !claimed.empty() && claimed != md5) {
    return error(400, "Md5Mismatch",
                 "The MD5 value specified in the request did not match with the MD5 value calculated by the server.",
                 element("UserSpecifiedMd5", claimed) + element("ServerCalculatedMd5", md5));
  }
  if (const auto o = files.write_range(path, range->first, request.body); o != ShareOutcome::kOk) {
    return share_error(o, files);
  }
  r.status = 201;
  r.headers["Content-MD5"] = md5;
  return r;
}

http::Response FileService::get_file(const http::Request& request, FileShare& files, const SharePath& path) {
  if (path.empty()) return error(400, "InvalidUri", "The requested URI does not represent any resource on the server.");
  ShareItem item;
  if (const auto o = files.stat(path, &item); o != ShareOutcome::kOk) return share_error(o, files);
  if (item.directory) return share_error(ShareOutcome::kTypeMismatch, files);
  const auto range_name = request.header("x-ms-range").empty() ? std::string("Range") : std::string("x-ms-range");
  const auto range_value = request.header(range_name);
  std::optional<ByteRange> range;
  if (!range_value.empty()) {
    range = parse_range(range_value);
    if (!range) {
      return header_error(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.",
                          range_name, range_value);
    }
    if (range->first >= item.size) {
      auto r = share_error(ShareOutcome::kInvalidRange, files);
      r.headers["Content-Range"] = "bytes */" + std::to_string(item.size);
      return r;
    }
  }
  const auto first = range ? range->first : 0;
  const auto last = range && range->last ? std::min(*range->last, item.size - 1) : item.size - 1;
  const auto want_md5 = core::iequals(request.header("x-ms-range-get-content-md5"), "true");
  if (want_md5 && (!range || last - first + 1 > kMaxRange)) {
    return header_error(400, "InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.",
                        "x-ms-range-get-content-md5", "true");
  }
  http::Response r;
  // HEAD reads the content too: the server derives Content-Length from the body it then drops.
  if (item.size > 0) {
    if (const auto o = files.read_range(path, first, last - first + 1, &r.body); o != ShareOutcome::kOk) {
      return share_error(o, files);
    }
  }
  r.status = range ? 206 : 200;
  if (range) r.headers["Content-Range"] = "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                                          std::to_string(item.size);
  if (want_md5) r.headers["Content-MD5"] = md5_base64(r.body);
  r.headers["Content-Type"] = "application/octet-stream";
  r.headers["Accept-Ranges"] = "bytes";
  r.headers["x-ms-type"] = "File";
  r.headers["x-ms-server-encrypted"] = "true";
  add_item_headers(r, item);
  return r;
}

}  // namespace frankenetes::sim
