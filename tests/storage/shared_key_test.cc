// Shared Key: exact string-to-sign and signature for fixed requests. The expected signatures
// were computed independently of this code, from the expected strings, with
//   printf '<string>' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<key as hex> -binary | base64
// and with Python's hmac/hashlib; both gave the values below.

#include "storage/shared_key.h"

#include <gtest/gtest.h>

#include "core/base64.h"

namespace frankenetes::storage {
namespace {

// Azurite's well-known development key (public, documented by Microsoft).
constexpr std::string_view kDevKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

core::Secret dev_key() { return core::Secret(*core::base64_decode(kDevKey)); }

http::ClientRequest put_block_request() {
  http::ClientRequest request;
  request.method = "PUT";
  // Path-style (Azurite): the account is also the first path segment.
  request.url =
      "http://127.0.0.1:10000/devstoreaccount1/snapshots/etcd/snap%201.db"
      "?comp=block&blockid=MDAwMDAwMDA%3D";
  request.headers["x-ms-version"] = "2024-11-04";
  request.headers["x-ms-date"] = "Thu, 01 Jan 2026 00:00:00 GMT";
  request.headers["x-ms-client-request-id"] = "00000000-0000-4000-8000-000000000001";
  request.headers["X-MS-Lease-Id"] = "11111111-2222-4333-8444-555555555555";
  request.headers["User-Agent"] = "frankenetesd/test";  // not signed
  request.body = "hello";
  return request;
}

TEST(SharedKey, StringToSignOfAPathStylePutBlock) {
  const auto text = shared_key_string_to_sign("devstoreaccount1", put_block_request());
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text,
            "PUT\n\n\n5\n\n\n\n\n\n\n\n\n"
            "x-ms-client-request-id:00000000-0000-4000-8000-000000000001\n"
            "x-ms-date:Thu, 01 Jan 2026 00:00:00 GMT\n"
            "x-ms-lease-id:11111111-2222-4333-8444-555555555555\n"
            "x-ms-version:2024-11-04\n"
            "/devstoreaccount1/devstoreaccount1/snapshots/etcd/snap%201.db\n"
            "blockid:MDAwMDAwMDA=\ncomp:block");
  EXPECT_EQ(shared_key_signature(dev_key(), *text), "VgCS2mscKEwlPLZ5T0JVuJ8baH7VLrkr/HdASXjAMmU=");
}

TEST(SharedKey, StandardHeadersQueryOrderAndFoldedWhitespace) {
  http::ClientRequest request;
  request.method = "GET";
  request.url =
      "https://frankenetesdata.blob.core.windows.net/frankenetes"
      "?restype=container&comp=list&prefix=etcd%2Fa%20b%2Bc&include=metadata&Z=2&z=1";
  request.headers["x-ms-version"] = "2024-11-04";
  request.headers["x-ms-date"] = "Thu, 01 Jan 2026 00:00:00 GMT";
  request.headers["x-ms-meta-note"] = "  two \t  words ";
  request.headers["Content-Type"] = "application/xml";
  request.headers["If-Match"] = "\"0x8DC\"";
  request.headers["Range"] = "bytes=0-9";
  const auto text = shared_key_string_to_sign("frankenetesdata", request);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text,
            "GET\n\n\n\n\napplication/xml\n\n\n\"0x8DC\"\n\n\nbytes=0-9\n"
            "x-ms-date:Thu, 01 Jan 2026 00:00:00 GMT\n"
            "x-ms-meta-note:two words\n"
            "x-ms-version:2024-11-04\n"
            "/frankenetesdata/frankenetes\n"
            "comp:list\ninclude:metadata\nprefix:etcd/a b+c\nrestype:container\nz:1,2");
  EXPECT_EQ(shared_key_signature(dev_key(), *text), "tII6/e7APkybxLtK7b5GOWMLGiv8xa7jVSVoEgjhFb0=");
}

TEST(SharedKey, EmptyBodySignsAnEmptyContentLength) {
  http::ClientRequest request;
  request.method = "PUT";
  request.url = "https://a.blob.core.windows.net/c/b?comp=lease";
  const auto text = shared_key_string_to_sign("a", request);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "PUT\n\n\n\n\n\n\n\n\n\n\n\n/a/c/b\ncomp:lease");
}

TEST(SharedKey, SignSetsTheAuthorizationHeader) {
  auto request = put_block_request();
  ASSERT_TRUE(sign_with_shared_key("devstoreaccount1", dev_key(), request).ok());
  EXPECT_EQ(request.headers["Authorization"],
            "SharedKey devstoreaccount1:VgCS2mscKEwlPLZ5T0JVuJ8baH7VLrkr/HdASXjAMmU=");
}

TEST(SharedKey, UnparseableUrlIsAnError) {
  http::ClientRequest request;
  request.url = "not a url";
  EXPECT_FALSE(shared_key_string_to_sign("a", request).ok());
  request.url = "https://a.blob.core.windows.net/c?prefix=%zz";
  const auto text = shared_key_string_to_sign("a", request);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().kind, core::ErrorKind::kTerminal);
}

}  // namespace
}  // namespace frankenetes::storage
