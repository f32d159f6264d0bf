// The service's XML: List Blobs pages (as Azurite 3.35 sends them, and malformed or wrongly
// typed variants), error bodies and the Put Block List body.

#include "storage/blob_xml.h"

#include <gtest/gtest.h>

#include "storage/xml_document.h"

namespace frankenetes::storage {
namespace {

// Shaped like Azurite's answer to ?restype=container&comp=list&include=metadata&maxresults=2.
constexpr std::string_view kPage =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
    R"(<EnumerationResults ServiceEndpoint="http://127.0.0.1:10000/devstoreaccount1" ContainerName="c">)"
    R"(<Prefix>etcd/</Prefix><Marker/><MaxResults>2</MaxResults><Blobs>)"
    R"(<Blob><Name>etcd/a &amp; b.db</Name><Properties>)"
    R"(<Creation-Time>Thu, 01 Jan 2026 00:00:00 GMT</Creation-Time>)"
    R"(<Last-Modified>Thu, 01 Jan 2026 00:00:01 GMT</Last-Modified>)"
    R"(<Etag>0x8DC0000000001</Etag><Content-Length>20971520</Content-Length>)"
    R"(<Content-Type>application/octet-stream</Content-Type><BlobType>BlockBlob</BlobType>)"
    R"(<LeaseStatus>locked</LeaseStatus><LeaseState>leased</LeaseState><LeaseDuration>fixed</LeaseDuration>)"
    R"(<NewFieldFromAFutureVersion>x</NewFieldFromAFutureVersion>)"
    R"(</Properties><Metadata><Revision>42</Revision><cluster_id>abc</cluster_id></Metadata></Blob>)"
    R"(<Blob><Name Encoded="true">etcd%2Fodd%01name</Name><Properties>)"
    R"(<Etag>"0x8DC0000000002"</Etag><Content-Length>0</Content-Length></Properties></Blob>)"
    R"(</Blobs><NextMarker>2!80!MDAwMDQ2</NextMarker></EnumerationResults>)";

TEST(BlobXml, ParsesAListPage) {
  const auto page = parse_blob_list(kPage);
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->blobs.size(), 2u);
  const auto& first = page->blobs[0];
  EXPECT_EQ(first.name, "etcd/a & b.db");
  EXPECT_EQ(first.content_length, 20971520u);
  EXPECT_EQ(first.etag, "0x8DC0000000001");
  EXPECT_EQ(first.last_modified, core::SystemTime(std::chrono::seconds(1767225601)));
  EXPECT_EQ(first.content_type, "application/octet-stream");
  EXPECT_EQ(first.lease_state, LeaseState::kLeased);
  EXPECT_EQ(first.lease_duration, "fixed");
  EXPECT_EQ(first.metadata, (Metadata{{"revision", "42"}, {"cluster_id", "abc"}}));
  const auto& second = page->blobs[1];
  EXPECT_EQ(second.name, "etcd/odd\x01name");
  EXPECT_EQ(second.content_length, 0u);
  EXPECT_FALSE(second.last_modified.has_value());
  EXPECT_EQ(second.lease_state, LeaseState::kUnknown);
  EXPECT_EQ(page->next_marker, "2!80!MDAwMDQ2");
}

TEST(BlobXml, LastPageHasNoMarker) {
  const auto page =
      parse_blob_list("<EnumerationResults><Blobs/><NextMarker/></EnumerationResults>");
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_TRUE(page->blobs.empty());
  EXPECT_FALSE(page->next_marker.has_value());
}

struct BadList {
  const char* name;
  std::string_view xml;
  std::string_view expected;  // a part of the message
};

class MalformedList : public ::testing::TestWithParam<BadList> {};

TEST_P(MalformedList, IsAnErrorThatSaysWhy) {
  const auto page = parse_blob_list(GetParam().xml);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(page.error().message.find(GetParam().expected), std::string::npos)
      << page.error().message;
}

std::string kBlob(std::string_view properties) {
  return std::string("<EnumerationResults><Blobs><Blob><Name>b</Name><Properties>") +
         std::string(properties) + "</Properties></Blob></Blobs></EnumerationResults>";
}

const std::string kNegativeLength = kBlob("<Etag>e</Etag><Content-Length>-1</Content-Length>");
const std::string kTextLength = kBlob("<Etag>e</Etag><Content-Length>twenty</Content-Length>");
const std::string kHugeLength =
    kBlob("<Etag>e</Etag><Content-Length>99999999999999999999999</Content-Length>");
const std::string kNoLength = kBlob("<Etag>e</Etag>");
const std::string kNoEtag = kBlob("<Content-Length>1</Content-Length>");
const std::string kBadDate = kBlob(
    "<Etag>e</Etag><Content-Length>1</Content-Length><Last-Modified>yesterday</Last-Modified>");

const std::vector<BadList> kBadLists = {
    {"Empty", "", "malformed XML"},
    {"NotXml", "{\"blobs\": []}", "malformed XML at line 1"},
    {"Truncated", "<EnumerationResults><Blobs><Blob>", "malformed XML"},
    {"WrongRoot", "<Error><Code>X</Code></Error>", "expected <EnumerationResults>, got <Error>"},
    {"NoBlobs", "<EnumerationResults/>", "no <Blobs> element"},
    {"NoName", "<EnumerationResults><Blobs><Blob/></Blobs></EnumerationResults>", "has no Name"},
    {"NoProperties",
     "<EnumerationResults><Blobs><Blob><Name>b</Name></Blob></Blobs></EnumerationResults>",
     "Blob \"b\" has no Properties"},
    {"NegativeLength", kNegativeLength,
     "Content-Length: expected a non-negative integer, got \"-1\""},
    {"TextLength", kTextLength, "got \"twenty\""},
    {"OverflowingLength", kHugeLength, "expected a non-negative integer"},
    {"NoLength", kNoLength, "has no Content-Length"},
    {"NoEtag", kNoEtag, "has no Etag"},
    {"BadDate", kBadDate, "Last-Modified: expected an HTTP date, got \"yesterday\""},
    {"Doctype",
     "<!DOCTYPE r [<!ENTITY a \"aaaa\">]><EnumerationResults><Blobs/></EnumerationResults>",
     "a DOCTYPE is not allowed"},
    {"UndefinedEntity", "<EnumerationResults><Blobs/>&bogus;</EnumerationResults>",
     "malformed XML"},
    {"InvalidUtf8",
     "<EnumerationResults><Blobs><Blob><Name>\xff</Name></Blob></Blobs>"
     "</EnumerationResults>",
     "malformed XML"},
};

INSTANTIATE_TEST_SUITE_P(BlobXml, MalformedList, ::testing::ValuesIn(kBadLists),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(XmlDocument, RefusesDeepNestingAndTooManyElements) {
  std::string deep;
  for (int i = 0; i < 20; ++i) deep += "<a>";
  for (int i = 0; i < 20; ++i) deep += "</a>";
  const auto nested = parse_xml(deep);
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(nested.error().message.find("nested too deeply"), std::string::npos);

  XmlLimits limits;
  limits.max_elements = 3;
  const auto many = parse_xml("<a><b/><b/><b/></a>", limits);
  ASSERT_FALSE(many.ok());
  EXPECT_NE(many.error().message.find("too many elements"), std::string::npos);

  limits = {};
  limits.max_bytes = 4;
  EXPECT_FALSE(parse_xml("<a/> ", limits).ok());
}

TEST(BlobXml, ErrorBody) {
  const auto body = parse_storage_error(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>LeaseAlreadyPresent</Code>"
      "<Message>There is already a lease present.\nRequestId:abc\nTime:2026-01-01T00:00:00Z"
      "</Message></Error>");
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(body->code, "LeaseAlreadyPresent");
  EXPECT_EQ(body->message,
            "There is already a lease present.\nRequestId:abc\nTime:2026-01-01T00:00:00Z");
  EXPECT_FALSE(parse_storage_error("").has_value());
  EXPECT_FALSE(parse_storage_error("<html>Bad gateway</html>").has_value());
  EXPECT_FALSE(parse_storage_error("<Error/>").has_value());
  EXPECT_FALSE(parse_storage_error("<Error><Code>X").has_value());
}

TEST(BlobXml, BlockListKeepsTheOrderGiven) {
  EXPECT_EQ(block_list_xml({"MDAwMDAwMDA=", "MDAwMDAwMDE="}),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList><Latest>MDAwMDAwMDA=</Latest>"
            "<Latest>MDAwMDAwMDE=</Latest></BlockList>");
  const auto parsed = parse_xml(block_list_xml({"a", "b", "c"}));
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->children.size(), 3u);
  EXPECT_EQ(parsed->children[2].text, "c");
}

}  // namespace
}  // namespace frankenetes::storage
