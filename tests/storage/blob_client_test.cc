// BlobClient and BlobLeaseClient against a scripted FakeTransport: what each request carries,
// how each answer is read, and how errors are classified.

#include "storage/blob_client.h"

#include <gtest/gtest.h>

#include "azure/fake_token_credential.h"
#include "core/base64.h"
#include "storage/blob_lease.h"
#include "storage/shared_key.h"
#include "storage/storage_error.h"
#include "support/fake_transport.h"
#include "support/temp_dir.h"

namespace frankenetes::storage {
namespace {

using frankenetes::testing::FakeTimeSource;
using frankenetes::testing::FakeTokenCredential;
using frankenetes::testing::FakeTransport;

constexpr std::string_view kEndpoint = "https://frankenetesdata.blob.core.windows.net";

http::Headers headers(std::initializer_list<std::pair<const std::string, std::string>> list) {
  return http::Headers(list);
}

class BlobClientTest : public ::testing::Test {
 protected:
  BlobServiceSettings settings() const {
    BlobServiceSettings s;
    s.account = "frankenetesdata";
    s.endpoint = std::string(kEndpoint);
    s.version = "1.2.3";
    return s;
  }

  const http::ClientRequest& sent(std::size_t i = 0) const { return transport_.requests().at(i); }
  std::string header_of(std::size_t i, const std::string& name) const {
    const auto it = sent(i).headers.find(name);
    return it == sent(i).headers.end() ? "<absent>" : it->second;
  }

  FakeTimeSource time_;
  FakeTransport transport_;
  FakeTokenCredential credential_{"token-SECRET"};
  BearerTokenAuthorizer authorizer_{credential_};
  std::uint64_t counter_ = 0;
  BlobService service_{transport_, authorizer_, time_, settings(),
                       azure::ClientRequestIdGenerator([this] { return ++counter_; })};
  BlobClient blobs_{service_, "snapshots"};
  BlobLeaseClient leases_{blobs_};
};

// Coordination: the replica's User-Agent, when the daemon sets one, replaces the default.
TEST_F(BlobClientTest, AUserAgentSetInTheSettingsIsSent) {
  auto with_agent = settings();
  with_agent.user_agent = "frankenetesd/1.2.3 replica/east-1";
  BlobService service{transport_, authorizer_, time_, with_agent};
  BlobClient blobs{service, "snapshots"};
  transport_.push(201, "", headers({{"ETag", "\"0x1\""}}));
  ASSERT_TRUE(blobs.put_blob("a", "x").ok());
  EXPECT_EQ(header_of(0, "User-Agent"), "frankenetesd/1.2.3 replica/east-1");
}

TEST_F(BlobClientTest, EveryRequestCarriesVersionDateRequestIdAgentAndLabel) {
  transport_.push(201, "", headers({{"ETag", "\"0x1\""}}));
  transport_.push(201, "", headers({{"ETag", "\"0x2\""}}));
  PutOptions options;
  options.metadata = {{"revision", "42"}};
  options.conditions.if_none_exists = true;
  ASSERT_TRUE(blobs_.put_blob("etcd/a b.db", "hello", options).ok());
  ASSERT_TRUE(blobs_.put_blob("etcd/c.db", "x").ok());

  const auto& request = sent(0);
  EXPECT_EQ(request.method, "PUT");
  EXPECT_EQ(request.url, std::string(kEndpoint) + "/snapshots/etcd/a%20b.db");
  EXPECT_EQ(request.operation, "blob.put");
  EXPECT_EQ(request.body, "hello");
  EXPECT_EQ(header_of(0, "x-ms-version"), "2024-11-04");
  EXPECT_EQ(header_of(0, "x-ms-date"), "Thu, 01 Jan 2026 00:00:00 GMT");
  EXPECT_EQ(header_of(0, "User-Agent"), "frankenetesd/1.2.3");
  EXPECT_EQ(header_of(0, "Authorization"), "Bearer token-SECRET");
  EXPECT_EQ(header_of(0, "x-ms-blob-type"), "BlockBlob");
  EXPECT_EQ(header_of(0, "Content-Type"), "application/octet-stream");
  EXPECT_EQ(header_of(0, "x-ms-meta-revision"), "42");
  EXPECT_EQ(header_of(0, "If-None-Match"), "*");
  EXPECT_EQ(header_of(0, "x-ms-client-request-id").size(), 36u);
  EXPECT_NE(header_of(0, "x-ms-client-request-id"), header_of(1, "x-ms-client-request-id"));
  EXPECT_EQ(credential_.last_scope(), "https://storage.azure.com/.default");
}

TEST_F(BlobClientTest, SharedKeySignsTheRequestAsItIsSent) {
  frankenetes::testing::TempDir dir;
  const std::string key_text = core::base64_encode(std::string(64, '\x11'));
  auto key = AccountKey::create({std::nullopt, dir.write("key", key_text)});
  ASSERT_TRUE(key.ok());
  SharedKeyAuthorizer shared("frankenetesdata", std::move(*key));
  BlobService service(transport_, shared, time_, settings());
  BlobClient blobs(service, "snapshots");
  transport_.push(201, "", headers({{"ETag", "\"0x1\""}}));
  PutOptions options;
  options.metadata = {{"revision", "7"}};
  ASSERT_TRUE(blobs.put_block_list("etcd/s.db", {block_id(0), block_id(1)}, options).ok());

  http::ClientRequest unsigned_request = sent(0);
  const auto authorization = unsigned_request.headers["Authorization"];
  unsigned_request.headers.erase("Authorization");
  const auto text = shared_key_string_to_sign("frankenetesdata", unsigned_request);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(authorization, "SharedKey frankenetesdata:" +
                               shared_key_signature(core::Secret(std::string(64, '\x11')), *text));
  // The signed string covers the body's length, its content type and the metadata.
  EXPECT_NE(text->find("application/xml"), std::string::npos);
  EXPECT_NE(text->find("x-ms-meta-revision:7\n"), std::string::npos);
  EXPECT_NE(text->find("\ncomp:blocklist"), std::string::npos);
  EXPECT_EQ(header_of(0, "x-ms-blob-content-type"), "application/octet-stream");
}

TEST_F(BlobClientTest, WriteAnswersWithoutAnEtagAreMalformed) {
  transport_.push(201);
  const auto result = blobs_.put_blob("a", "x");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(result.error().message, "blob.put: malformed response: no ETag");
}

struct ErrorCase {
  const char* name;
  http::Response response;
  core::ErrorKind kind;
  std::string code;
  std::string message;
};

class StorageErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(StorageErrors, AreClassifiedWithCodeAndRequestId) {
  const auto error = storage_error(GetParam().response, "blob.get_properties");
  EXPECT_EQ(error.kind, GetParam().kind);
  EXPECT_EQ(error.http_status, GetParam().response.status);
  EXPECT_EQ(error.azure_code, GetParam().code);
  EXPECT_EQ(error.message, GetParam().message);
  EXPECT_EQ(error.request_id, "req-1");
}

const std::string kLeaseBody =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>LeaseAlreadyPresent</Code><Message>"
    "There is already a lease present.\nRequestId:req-1\nTime:2026-01-01T00:00:00Z</Message>"
    "</Error>";

const std::vector<ErrorCase> kErrorCases = {
    {"NotFoundFromHeadHasOnlyTheHeader",
     frankenetes::testing::make_response(
         404, "", {{"x-ms-error-code", "BlobNotFound"}, {"x-ms-request-id", "req-1"}}),
     core::ErrorKind::kNotFound, "BlobNotFound", "blob.get_properties: HTTP 404 BlobNotFound"},
    {"ConflictFromTheBody",
     frankenetes::testing::make_response(409, kLeaseBody, {{"x-ms-request-id", "req-1"}}),
     core::ErrorKind::kConflict, "LeaseAlreadyPresent",
     "blob.get_properties: There is already a lease present."},
    {"WrongKeyGetsAHint",
     frankenetes::testing::make_response(
         403,
         "<Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the "
         "request.</Message></Error>",
         {{"x-ms-error-code", "AuthenticationFailed"}, {"x-ms-request-id", "req-1"}}),
     core::ErrorKind::kTerminal, "AuthenticationFailed",
     "blob.get_properties: Server failed to authenticate the request. (request refused: check "
     "that the key file holds a current key of this account, or that the identity has a Storage "
     "Blob Data role on it, and the account's network rules)"},
    {"ServerBusyIsTransient",
     frankenetes::testing::make_response(503, "<html>busy</html>", {{"x-ms-request-id", "req-1"}}),
     core::ErrorKind::kTransient, "", "blob.get_properties: HTTP 503"},
    {"PreconditionIsAConflict",
     frankenetes::testing::make_response(
         412, "", {{"x-ms-error-code", "ConditionNotMet"}, {"x-ms-request-id", "req-1"}}),
     core::ErrorKind::kConflict, "ConditionNotMet",
     "blob.get_properties: HTTP 412 ConditionNotMet"},
};

INSTANTIATE_TEST_SUITE_P(BlobClient, StorageErrors, ::testing::ValuesIn(kErrorCases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(BlobClientTest, TransportErrorsKeepTheirKindAndNameTheOperation) {
  transport_.push_error(core::ErrorKind::kTransient, "connect to 127.0.0.1:1: Connection refused");
  const auto result = blobs_.get_properties("a");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(result.error().message,
            "blob.get_properties: connect to 127.0.0.1:1: Connection refused");
}

TEST_F(BlobClientTest, GetPropertiesReadsTheHeaders) {
  transport_.push(200, "",
                  headers({{"Content-Length", "20971520"},
                           {"ETag", "\"0x8DC\""},
                           {"Last-Modified", "Thu, 01 Jan 2026 00:00:01 GMT"},
                           {"Content-Type", "application/octet-stream"},
                           {"x-ms-meta-Revision", "42"},
                           {"x-ms-lease-state", "leased"},
                           {"x-ms-lease-duration", "infinite"}}));
  const auto properties = blobs_.get_properties("etcd/s.db");
  ASSERT_TRUE(properties.ok()) << properties.error().message;
  EXPECT_EQ(sent().method, "HEAD");
  EXPECT_EQ(sent().operation, "blob.get_properties");
  EXPECT_EQ(properties->name, "etcd/s.db");
  EXPECT_EQ(properties->content_length, 20971520u);
  EXPECT_EQ(properties->etag, "\"0x8DC\"");
  EXPECT_EQ(properties->last_modified, core::SystemTime(std::chrono::seconds(1767225601)));
  EXPECT_EQ(properties->metadata, (Metadata{{"revision", "42"}}));
  EXPECT_EQ(properties->lease_state, LeaseState::kLeased);
  EXPECT_EQ(properties->lease_duration, "infinite");

  transport_.push(200, "", headers({{"ETag", "\"0x8DC\""}}));  // no Content-Length
  const auto malformed = blobs_.get_properties("etcd/s.db");
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().kind, core::ErrorKind::kTerminal);
}

TEST_F(BlobClientTest, RangedGetChecksWhatCameBack) {
  transport_.push(206, "0123", headers({{"Content-Range", "bytes 4-7/10"}, {"ETag", "\"0x1\""}}));
  const auto range = blobs_.get_range("b", 4, 4, "\"0x1\"");
  ASSERT_TRUE(range.ok()) << range.error().message;
  EXPECT_EQ(header_of(0, "x-ms-range"), "bytes=4-7");
  EXPECT_EQ(header_of(0, "If-Match"), "\"0x1\"");
  EXPECT_EQ(range->body, "0123");
  EXPECT_EQ(range->total_length, 10u);

  // The last chunk is clipped at the blob's end.
  transport_.push(206, "89", headers({{"Content-Range", "bytes 8-9/10"}, {"ETag", "\"0x1\""}}));
  EXPECT_TRUE(blobs_.get_range("b", 8, 4).ok());

  for (auto [range_header, body] : std::vector<std::pair<std::string, std::string>>{
           {"bytes 0-3/10", "0123"},  // not the range asked
           {"bytes 4-7/10", "012"},   // short body
           {"bytes 4-7", "0123"},     // no total
           {"items 4-7/10", "0123"}}) {
    transport_.push(206, body, headers({{"Content-Range", range_header}, {"ETag", "\"0x1\""}}));
    const auto bad = blobs_.get_range("b", 4, 4);
    ASSERT_FALSE(bad.ok()) << range_header;
    EXPECT_EQ(bad.error().kind, core::ErrorKind::kTerminal);
  }
  transport_.push(200, "0123456789", headers({{"ETag", "\"0x1\""}}));  // range ignored
  EXPECT_FALSE(blobs_.get_range("b", 4, 4).ok());
}

std::string list_page(const std::vector<std::string>& names, const std::string& next) {
  std::string xml = "<EnumerationResults><Blobs>";
  for (const auto& name : names) {
    xml += "<Blob><Name>" + name +
           "</Name><Properties><Etag>e</Etag><Content-Length>1</Content-Length></Properties>"
           "</Blob>";
  }
  return xml + "</Blobs><NextMarker>" + next + "</NextMarker></EnumerationResults>";
}

TEST_F(BlobClientTest, ListFollowsMarkersToTheEnd) {
  transport_.push(200, list_page({"etcd/1", "etcd/2"}, "m1"));
  transport_.push(200, list_page({"etcd/3"}, ""));
  ListBlobsOptions options;
  options.prefix = "etcd/";
  options.max_results = 2;
  options.include_metadata = true;
  const auto all = blobs_.list_all_blobs(options);
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[2].name, "etcd/3");
  EXPECT_EQ(sent(0).url, std::string(kEndpoint) +
                             "/snapshots?restype=container&comp=list&prefix=etcd%2F"
                             "&maxresults=2&include=metadata");
  EXPECT_EQ(sent(1).url, std::string(kEndpoint) +
                             "/snapshots?restype=container&comp=list&prefix=etcd%2F&marker=m1"
                             "&maxresults=2&include=metadata");
  EXPECT_EQ(sent(1).operation, "blob.list");
}

TEST_F(BlobClientTest, ListRefusesARepeatingMarkerAndBadPages) {
  transport_.push(200, list_page({"a"}, "m1"));
  transport_.push(200, list_page({"b"}, "m1"));
  const auto looping = blobs_.list_all_blobs({});
  ASSERT_FALSE(looping.ok());
  EXPECT_EQ(looping.error().message, "blob.list: NextMarker repeats an earlier page");

  transport_.push(200,
                  "<EnumerationResults><Blobs><Blob><Name>x</Name><Properties>"
                  "<Etag>e</Etag><Content-Length>-5</Content-Length></Properties></Blob>"
                  "</Blobs></EnumerationResults>");
  const auto wrong_type = blobs_.list_blobs({});
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(wrong_type.error().message.find("blob.list: malformed response: List Blobs: Blob "
                                            "\"x\" Content-Length"),
            std::string::npos)
      << wrong_type.error().message;

  ListBlobsOptions too_many;
  too_many.max_results = 5001;
  EXPECT_FALSE(blobs_.list_blobs(too_many).ok());
  EXPECT_EQ(transport_.requests().size(), 3u);  // the last one was never sent
}

TEST_F(BlobClientTest, DeleteAndCreateContainer) {
  transport_.push(202);
  WriteConditions conditions;
  conditions.lease_id = "lease-1";
  ASSERT_TRUE(blobs_.delete_blob("etcd/old.db", conditions).ok());
  EXPECT_EQ(sent(0).method, "DELETE");
  EXPECT_EQ(header_of(0, "x-ms-lease-id"), "lease-1");
  EXPECT_EQ(sent(0).operation, "blob.delete");

  transport_.push(201);
  transport_.push(409, "", headers({{"x-ms-error-code", "ContainerAlreadyExists"}}));
  transport_.push(403, "", headers({{"x-ms-error-code", "AuthorizationFailure"}}));
  EXPECT_EQ(blobs_.create_container().value(), true);
  EXPECT_EQ(sent(1).url, std::string(kEndpoint) + "/snapshots?restype=container");
  EXPECT_EQ(blobs_.create_container().value(), false);
  const auto refused = blobs_.create_container();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().http_status, 403);
}

TEST_F(BlobClientTest, InvalidNamesAndMetadataAreNeverSent) {
  EXPECT_FALSE(blobs_.put_blob("", "x").ok());
  EXPECT_FALSE(blobs_.get_properties("a/../b").ok());
  PutOptions options;
  options.metadata = {{"Not-An-Identifier", "1"}};
  EXPECT_FALSE(blobs_.put_blob("a", "x", options).ok());
  EXPECT_FALSE(blobs_.put_block("a", block_id(0), "").ok());
  EXPECT_FALSE(blobs_.get_range("a", 0, 0).ok());
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(BlobClientTest, LeaseAcquireProposesAnIdAndReadsTheAnswer) {
  transport_.push(201, "", headers({{"x-ms-lease-id", "00000000-0000-4000-8000-000000000002"}}));
  const auto id = leases_.acquire("coordination/prod", std::chrono::seconds(15));
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, "00000000-0000-4000-8000-000000000002");
  EXPECT_EQ(sent().method, "PUT");
  EXPECT_EQ(sent().url, std::string(kEndpoint) + "/snapshots/coordination/prod?comp=lease");
  EXPECT_EQ(sent().operation, "blob.lease");
  EXPECT_EQ(header_of(0, "x-ms-lease-action"), "acquire");
  EXPECT_EQ(header_of(0, "x-ms-lease-duration"), "15");
  EXPECT_EQ(header_of(0, "x-ms-proposed-lease-id").size(), 36u);

  transport_.push(201, "", headers({{"x-ms-lease-id", "mine"}}));
  ASSERT_TRUE(leases_.acquire("b", std::nullopt, "mine").ok());
  EXPECT_EQ(header_of(1, "x-ms-lease-duration"), "-1");
  EXPECT_EQ(header_of(1, "x-ms-proposed-lease-id"), "mine");
}

TEST_F(BlobClientTest, LeaseBoundsAreCheckedBeforeSending) {
  EXPECT_FALSE(leases_.acquire("b", std::chrono::seconds(10)).ok());
  EXPECT_FALSE(leases_.acquire("b", std::chrono::seconds(61)).ok());
  EXPECT_FALSE(leases_.break_lease("b", std::chrono::seconds(61)).ok());
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(BlobClientTest, LeaseRenewChangeReleaseBreak) {
  transport_.push(200);
  transport_.push(200, "", headers({{"x-ms-lease-id", "new-id"}}));
  transport_.push(200);
  transport_.push(202, "", headers({{"x-ms-lease-time", "0"}}));
  EXPECT_TRUE(leases_.renew("b", "old-id").ok());
  EXPECT_EQ(leases_.change("b", "old-id", "new-id").value(), "new-id");
  EXPECT_TRUE(leases_.release("b", "new-id").ok());
  EXPECT_EQ(leases_.break_lease("b", std::chrono::seconds(0)).value(), std::chrono::seconds(0));
  EXPECT_EQ(header_of(0, "x-ms-lease-action"), "renew");
  EXPECT_EQ(header_of(0, "x-ms-lease-id"), "old-id");
  EXPECT_EQ(header_of(1, "x-ms-lease-action"), "change");
  EXPECT_EQ(header_of(1, "x-ms-proposed-lease-id"), "new-id");
  EXPECT_EQ(header_of(2, "x-ms-lease-action"), "release");
  EXPECT_EQ(header_of(3, "x-ms-lease-action"), "break");
  EXPECT_EQ(header_of(3, "x-ms-lease-break-period"), "0");
}

TEST_F(BlobClientTest, ASecondHolderIsAConflictNamingTheAction) {
  transport_.push(409, kLeaseBody, headers({{"x-ms-error-code", "LeaseAlreadyPresent"}}));
  const auto id = leases_.acquire("b", std::chrono::seconds(15));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().kind, core::ErrorKind::kConflict);
  EXPECT_EQ(id.error().azure_code, "LeaseAlreadyPresent");
  EXPECT_EQ(id.error().message, "blob.lease: There is already a lease present. (lease acquire)");
}

}  // namespace
}  // namespace frankenetes::storage
