// The simulated Azure Files REST API, driven through Simulator::handle_files with a fake
// clock over a temporary share directory. Requests are signed with the sim's own Shared Key
// code here; tests/sim/conformance/files_conformance.py signs with an independent signer.

#include "sim/file_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/base64.h"
#include "core/timestamps.h"
#include "sim/shared_key.h"
#include "sim/simulator.h"
#include "support/fake_time_source.h"

namespace frankenetes::sim::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kKey = "c2ltLWZpbGVzLXRlc3Qta2V5LTAxMjM0NTY3ODlhYmNkZWY=";

constexpr const char* kFileScenario = R"(
resourceGroups: [frankenetes]
storageAccounts:
  - {name: frankenetes, key: c2ltLWZpbGVzLXRlc3Qta2V5LTAxMjM0NTY3ODlhYmNkZWY=, shares: [backup]}
containerGroups:
  - name: etcd
    properties:
      osType: Linux
      containers:
        - name: etcd
          properties:
            image: quay.io/coreos/etcd:v3.5.0
            resources: {requests: {cpu: 1, memoryInGB: 1.5}}
            volumeMounts: [{name: data, mountPath: /var/lib/etcd}]
      volumes:
        - name: data
          azureFile: {shareName: etcd, storageAccountName: frankenetes}
        - name: other
          azureFile: {shareName: other, storageAccountName: secondacct}
)";

class FileServiceTest : public ::testing::Test {
 protected:
  FileServiceTest()
      : dir_(fs::temp_directory_path() / ("fk-files-test-" + std::to_string(std::random_device{}()))),
        sim_(load(), options(dir_), clock_, runtime_) {
    EXPECT_TRUE(sim_.boot().ok());
  }
  ~FileServiceTest() override { fs::remove_all(dir_); }

  static Scenario load() {
    auto s = parse_scenario(kFileScenario, "files.yaml");
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return *s;
  }
  static SimulatorOptions options(const fs::path& dir) {
    SimulatorOptions o;
    o.shares_dir = (dir / "shares").string();
    o.seed = 7;
    return o;
  }

  // A request signed as a client would sign it; `key` overrides the account key.
  http::Response call(const std::string& method, const std::string& target, http::Headers headers = {},
                      const std::string& body = {}, const std::string& key = kKey) {
    http::Request r;
    r.method = method;
    r.target = target;
    const auto parsed = http::parse_target(target);
    EXPECT_TRUE(parsed.has_value()) << target;
    if (parsed) {
      r.path = parsed->path;
      r.query = parsed->query;
    }
    r.headers = std::move(headers);
    if (!r.headers.count("x-ms-version")) r.headers["x-ms-version"] = "2021-08-06";
    if (!r.headers.count("x-ms-date")) r.headers["x-ms-date"] = core::format_http_date(clock_.system_time());
    if (!body.empty()) r.headers["Content-Length"] = std::to_string(body.size());
    r.body = body;
    const auto account = target.substr(1, target.find('/', 1) - 1);
    r.headers["Authorization"] = "SharedKey " + account + ":" +
                                 shared_key_signature(*core::base64_decode(key), shared_key_string_to_sign(r, account));
    return sim_.handle_files(r).response;
  }

  static std::string code(const http::Response& r) {
    const auto it = r.headers.find("x-ms-error-code");
    return it == r.headers.end() ? std::string() : it->second;
  }

  fs::path share(const std::string& name = "etcd") const { return dir_ / "shares" / "frankenetes" / name; }

  fs::path dir_;
  frankenetes::testing::FakeTimeSource clock_;
  VirtualRuntime runtime_;
  Simulator sim_;
};

TEST(SharePath, NamingRules) {
  EXPECT_EQ(std::get<SharePath>(parse_share_path("")), SharePath{});
  EXPECT_EQ(std::get<SharePath>(parse_share_path("member/snap/db")), (SharePath{"member", "snap", "db"}));
  EXPECT_EQ(std::get<SharePath>(parse_share_path("member/")), (SharePath{"member"}));
  for (const std::string& bad : std::vector<std::string>{"..", "a/../b", ".", "a//b", "/a", "a\\b", "a:b", "a|b", "a*b", "a?b", "a<b",
                                std::string("a\0b", 3), std::string("a\x01", 2), std::string(256, 'x'),
                                std::string(2049, 'x')}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_share_path(bad))) << bad;
  }
  EXPECT_TRUE(std::holds_alternative<SharePath>(parse_share_path(std::string(255, 'x'))));
  EXPECT_TRUE(is_valid_share_name("etcd-0"));
  EXPECT_FALSE(is_valid_share_name("Etcd"));
  EXPECT_FALSE(is_valid_share_name("a--b"));
  EXPECT_FALSE(is_valid_share_name("ab"));
}

TEST_F(FileServiceTest, AccountsAndSharesComeFromTheScenario) {
  EXPECT_EQ(sim_.storage_keys().at("frankenetes"), kKey);
  // No key in the scenario: a random 64-byte key.
  EXPECT_EQ(core::base64_decode(sim_.storage_keys().at("secondacct"))->size(), 64u);
  EXPECT_TRUE(fs::is_directory(share("etcd")));
  EXPECT_TRUE(fs::is_directory(share("backup")));
  EXPECT_TRUE(fs::is_directory(dir_ / "shares" / "secondacct" / "other"));
}

TEST_F(FileServiceTest, TreeRoundTripLandsInTheShareDirectory) {
  EXPECT_EQ(call("PUT", "/frankenetes/etcd/member?restype=directory").status, 201);
  EXPECT_EQ(call("PUT", "/frankenetes/etcd/member/snap?restype=directory").status, 201);
  auto r = call("PUT", "/frankenetes/etcd/member/snap/db", {{"x-ms-type", "file"}, {"x-ms-content-length", "10"}});
  EXPECT_EQ(r.status, 201);
  EXPECT_FALSE(r.headers["ETag"].empty());
  r = call("PUT", "/frankenetes/etcd/member/snap/db?comp=range", {{"x-ms-write", "update"}, {"x-ms-range", "bytes=2-5"}},
           "abcd");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.headers["Content-MD5"], "4vxxTEcn7pOV8yTNLn8zHw==");  // md5("abcd")
  EXPECT_EQ(call("PUT", "/frankenetes/etcd/member/snap/db?comp=range", {{"x-ms-write", "clear"}, {"Range", "bytes=3-3"}})
                .status,
            201);

  std::ifstream in(share() / "member" / "snap" / "db", std::ios::binary);
  const std::string on_disk((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(on_disk, std::string("\0\0a\0cd\0\0\0\0", 10));

  r = call("GET", "/frankenetes/etcd/member/snap/db");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, on_disk);
  EXPECT_EQ(r.headers["x-ms-type"], "File");
  r = call("GET", "/frankenetes/etcd/member/snap/db", {{"x-ms-range", "bytes=4-100"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, std::string("cd\0\0\0\0", 6));
  EXPECT_EQ(r.headers["Content-Range"], "bytes 4-9/10");
  EXPECT_EQ(call("HEAD", "/frankenetes/etcd/member/snap/db").status, 200);

  r = call("GET", "/frankenetes/etcd/member?restype=directory&comp=list");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<Entries><Directory><Name>snap</Name>"), std::string::npos) << r.body;
  r = call("GET", "/frankenetes/etcd/member/snap?restype=directory&comp=list");
  EXPECT_NE(r.body.find("<File><Name>db</Name><Properties><Content-Length>10</Content-Length></Properties></File>"),
            std::string::npos)
      << r.body;

  EXPECT_EQ(code(call("DELETE", "/frankenetes/etcd/member?restype=directory")), "DirectoryNotEmpty");
  EXPECT_EQ(call("DELETE", "/frankenetes/etcd/member/snap/db").status, 202);
  EXPECT_EQ(call("DELETE", "/frankenetes/etcd/member/snap?restype=directory").status, 202);
  EXPECT_EQ(call("DELETE", "/frankenetes/etcd/member?restype=directory").status, 202);
  EXPECT_FALSE(fs::exists(share() / "member"));

  RequestLogFilter files_only;
  files_only.api = "files";
  const auto log = sim_.request_log().query(files_only);
  EXPECT_EQ(log["count"], 14);
  EXPECT_EQ(log["entries"][0]["operation"], "createDirectory");
  EXPECT_EQ(log["entries"][3]["operation"], "putRange");
}

TEST_F(FileServiceTest, ErrorCodes) {
  const auto expect = [&](const http::Response& r, int status, const std::string& error) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(code(r), error) << r.body;
    if (!error.empty()) {
      EXPECT_NE(r.body.find("<Code>" + error + "</Code>"), std::string::npos) << r.body;
    }
  };
  expect(call("PUT", "/frankenetes/etcd/a/b?restype=directory"), 404, "ParentNotFound");
  expect(call("PUT", "/frankenetes/etcd/a?restype=directory"), 201, "");
  expect(call("PUT", "/frankenetes/etcd/a?restype=directory"), 409, "ResourceAlreadyExists");
  expect(call("DELETE", "/frankenetes/etcd/b?restype=directory"), 404, "ResourceNotFound");
  expect(call("DELETE", "/frankenetes/etcd/a/f"), 404, "ResourceNotFound");
  expect(call("GET", "/frankenetes/etcd/a/f"), 404, "ResourceNotFound");
  expect(call("PUT", "/frankenetes/etcd/x/f", {{"x-ms-type", "file"}, {"x-ms-content-length", "1"}}), 404, "ParentNotFound");
  expect(call("PUT", "/frankenetes/etcd/a/f", {{"x-ms-content-length", "1"}}), 400, "MissingRequiredHeader");
  expect(call("PUT", "/frankenetes/nope/a?restype=directory"), 404, "ShareNotFound");
  expect(call("PUT", "/frankenetes/etcd/a/..?restype=directory"), 400, "InvalidResourceName");
  expect(call("PUT", "/frankenetes/etcd/a/%2E%2E/%2E%2E/x?restype=directory"), 400, "InvalidResourceName");
  expect(call("PUT", "/frankenetes/etcd/a/b%00c?restype=directory"), 400, "InvalidResourceName");
  expect(call("PUT", "/frankenetes/etcd/" + std::string(256, 'n') + "?restype=directory"), 400, "InvalidResourceName");
  EXPECT_FALSE(fs::exists(dir_ / "shares" / "x"));

  expect(call("PUT", "/frankenetes/etcd/a/f", {{"x-ms-type", "file"}, {"x-ms-content-length", "4"}}), 201, "");
  expect(call("PUT", "/frankenetes/etcd/a/f?comp=range", {{"x-ms-write", "update"}, {"x-ms-range", "bytes=2-5"}}, "abcd"),
         416, "InvalidRange");
  expect(call("PUT", "/frankenetes/etcd/a/f?comp=range", {{"x-ms-write", "update"}, {"x-ms-range", "bytes=0-3"}}, "abc"),
         400, "InvalidHeaderValue");
  expect(call("PUT", "/frankenetes/etcd/a/f?comp=range",
              {{"x-ms-write", "update"}, {"x-ms-range", "bytes=0-3"}, {"Content-MD5", "4vxxTEcn7pOV8yTNLn8zHw=="}}, "abce"),
         400, "Md5Mismatch");
  expect(call("PUT", "/frankenetes/etcd/a/f?comp=range", {{"x-ms-write", "update"}, {"x-ms-range", "bytes=0-4194304"}}),
         413, "RequestBodyTooLarge");
  expect(call("GET", "/frankenetes/etcd/a/f", {{"x-ms-range", "bytes=4-"}}), 416, "InvalidRange");
  expect(call("GET", "/frankenetes/etcd/a?restype=directory&comp=list&maxresults=0"), 400, "OutOfRangeQueryParameterValue");

  expect(call("GET", "/frankenetes/etcd/a/f", {{"x-ms-version", "2020-10-02"}}), 400, "InvalidHeaderValue");
  expect(call("GET", "/frankenetes/etcd/a/f", {}, {}, "d3Jvbmcta2V5"), 403, "AuthenticationFailed");
  expect(call("GET", "/frankenetes/etcd/a/f",
              {{"x-ms-date", core::format_http_date(clock_.system_time() - std::chrono::minutes(16))}}),
         403, "AuthenticationFailed");
  expect(call("GET", "/unknownacct/etcd/a/f"), 403, "AuthenticationFailed");
  http::Request anonymous;
  anonymous.method = "GET";
  anonymous.target = anonymous.path = "/frankenetes/etcd/a/f";
  expect(sim_.handle_files(anonymous).response, 401, "NoAuthenticationInformation");
}

TEST_F(FileServiceTest, WrongSignatureNamesTheStringToSign) {
  const auto r = call("PUT", "/frankenetes/etcd/a?restype=directory", {}, {}, "d3Jvbmcta2V5");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("<AuthenticationErrorDetail>The MAC signature found in the HTTP request"), std::string::npos);
  EXPECT_NE(r.body.find("/frankenetes/frankenetes/etcd/a\nrestype:directory"), std::string::npos) << r.body;
  EXPECT_FALSE(fs::exists(share() / "a"));
}

TEST_F(FileServiceTest, ListPagesWithMarkerAndPrefix) {
  for (const auto* name : {"b", "a", "c", "ab"}) {
    ASSERT_EQ(call("PUT", std::string("/frankenetes/etcd/") + name, {{"x-ms-type", "file"}, {"x-ms-content-length", "0"}}).status,
              201);
  }
  std::vector<std::string> seen;
  std::string marker;
  for (int page = 0; page < 5; ++page) {
    const auto r = call("GET", "/frankenetes/etcd?restype=directory&comp=list&maxresults=3" +
                                   (marker.empty() ? std::string() : "&marker=" + http::percent_encode_component(marker)));
    ASSERT_EQ(r.status, 200) << r.body;
    for (std::size_t at = 0; (at = r.body.find("<Name>", at)) != std::string::npos; at += 6) {
      seen.push_back(r.body.substr(at + 6, r.body.find("</Name>", at) - at - 6));
    }
    const auto next = r.body.find("<NextMarker>");
    if (next == std::string::npos) break;
    marker = r.body.substr(next + 12, r.body.find("</NextMarker>") - next - 12);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "ab", "b", "c"}));
  const auto r = call("GET", "/frankenetes/etcd?restype=directory&comp=list&prefix=a");
  EXPECT_NE(r.body.find("<Entries><File><Name>a</Name>"), std::string::npos);
  EXPECT_NE(r.body.find("<Name>ab</Name>"), std::string::npos);
  EXPECT_EQ(r.body.find("<Name>b</Name>"), std::string::npos);
}

TEST_F(FileServiceTest, InjectedFaultFailsPutRangeOnceAndArmAnyRulesLeaveFilesAlone) {
  ASSERT_EQ(call("PUT", "/frankenetes/etcd/f", {{"x-ms-type", "file"}, {"x-ms-content-length", "2"}}).status, 201);
  auto rule = FaultInjector::parse({{"operation", "any"}}, clock_.monotonic_time());
  sim_.faults().add(*rule);
  rule = FaultInjector::parse({{"operation", "files.putRange"}, {"count", 1}}, clock_.monotonic_time());
  sim_.faults().add(*rule);
  const http::Headers range = {{"x-ms-write", "update"}, {"x-ms-range", "bytes=0-1"}};
  auto r = call("PUT", "/frankenetes/etcd/f?comp=range", range, "xy");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(code(r), "InternalServerError");
  EXPECT_EQ(call("PUT", "/frankenetes/etcd/f?comp=range", range, "xy").status, 201);
  EXPECT_EQ(call("GET", "/frankenetes/etcd/f").body, "xy");
  RequestLogFilter faulted;
  faulted.fault = "filesFault";
  EXPECT_EQ(sim_.request_log().query(faulted)["count"], 1);
}

TEST(FileScenario, StorageAccountsAreChecked) {
  const auto s = parse_scenario(R"(
storageAccounts:
  - {name: Bad_Name, key: "not base64!", shares: [UPPER]}
  - {name: good, colour: red}
)",
                                "bad.yaml");
  ASSERT_FALSE(s.ok());
  const auto& m = s.error().message;
  EXPECT_NE(m.find("storageAccounts[0].name: 'Bad_Name' is not a storage account name"), std::string::npos) << m;
  EXPECT_NE(m.find("storageAccounts[0].key: not a base64 account key"), std::string::npos) << m;
  EXPECT_NE(m.find("storageAccounts[0].shares[0]: 'UPPER' is not a share name"), std::string::npos) << m;
  EXPECT_NE(m.find("storageAccounts[1].colour: unknown key"), std::string::npos) << m;
}

}  // namespace
}  // namespace frankenetes::sim::testing
