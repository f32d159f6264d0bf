// The Azure Files subset against a scripted FakeTransport: what each operation sends, how the
// service's answers are read (paging, error codes), and the order delete_tree and upload_tree
// work in. The sim's File service checks the same client over real sockets (tests/integration).

#include "storage/file_share.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "azure/fake_token_credential.h"
#include "support/fake_transport.h"
#include "support/temp_dir.h"

namespace frankenetes::storage {
namespace {

using frankenetes::testing::FakeTimeSource;
using frankenetes::testing::FakeTokenCredential;
using frankenetes::testing::FakeTransport;

std::string listing(const std::string& entries, const std::string& next = "") {
  return R"(<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://acct.file.core.windows.net/" ShareName="etcd" DirectoryPath="data"><Entries>)" +
         entries + "</Entries><NextMarker>" + next + "</NextMarker></EnumerationResults>";
}

std::string error_body(const std::string& code) {
  return R"(<?xml version="1.0" encoding="utf-8"?><Error><Code>)" + code +
         "</Code><Message>it says so</Message></Error>";
}

http::Headers error_code(const std::string& code) {
  http::Headers h;
  h["x-ms-error-code"] = code;
  return h;
}

class FileShareTest : public ::testing::Test {
 protected:
  FileShareTest() {
    BlobServiceSettings settings;
    settings.account = "acct";
    settings.endpoint = "https://acct.file.core.windows.net";
    service_ = std::make_unique<BlobService>(transport_, authorizer_, time_, settings);
    share_ = std::make_unique<FileShareClient>(*service_, "etcd");
  }

  std::vector<std::string> calls() const {
    std::vector<std::string> out;
    for (const auto& r : transport_.requests()) {
      out.push_back(r.method + " " + r.url.substr(r.url.find("/etcd")));
    }
    return out;
  }

  FakeTimeSource time_;
  FakeTransport transport_;
  FakeTokenCredential credential_;
  BearerTokenAuthorizer authorizer_{credential_};
  std::unique_ptr<BlobService> service_;
  std::unique_ptr<FileShareClient> share_;
};

TEST_F(FileShareTest, CreateDirectoryTellsCreatedFromExisting) {
  transport_.push(201);
  transport_.push(409, error_body("ResourceAlreadyExists"), error_code("ResourceAlreadyExists"));
  transport_.push(404, error_body("ParentNotFound"), error_code("ParentNotFound"));
  EXPECT_TRUE(*share_->create_directory("data/member"));
  EXPECT_FALSE(*share_->create_directory("data/member"));
  const auto missing = share_->create_directory("a/b");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kNotFound);
  EXPECT_EQ(missing.error().azure_code, "ParentNotFound");
  EXPECT_EQ(calls()[0], "PUT /etcd/data/member?restype=directory");
  EXPECT_EQ(transport_.requests()[0].headers.at("x-ms-version"), std::string(kStorageVersion));
}

TEST_F(FileShareTest, ListReadsEveryPage) {
  transport_.push(200, listing(R"(<File><Name>db</Name><Properties><Content-Length>4096</Content-Length></Properties></File>)",
                               "marker-2"));
  transport_.push(200, listing(R"(<Directory><Name>wal</Name><Properties/></Directory>)"));
  const auto entries = share_->list("data/member");
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  EXPECT_EQ(*entries, (std::vector<FileEntry>{{"db", false, 4096}, {"wal", true, 0}}));
  EXPECT_EQ(calls()[1], "GET /etcd/data/member?restype=directory&comp=list&marker=marker-2");
}

TEST_F(FileShareTest, AListingWithoutSizesOrNamesIsRefused) {
  transport_.push(200, listing(R"(<File><Name>db</Name><Properties/></File>)"));
  const auto entries = share_->list("data");
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.error().message, "file.list: file db without a Content-Length");
  transport_.push(200, listing(R"(<File><Name>../x</Name></File>)"));
  EXPECT_FALSE(share_->list("data").ok());
}

TEST_F(FileShareTest, PutRangeSendsTheRangeItWrites) {
  transport_.push(201);
  ASSERT_TRUE(share_->put_range("data/db", 4096, "abc").ok());
  const auto& r = transport_.requests()[0];
  EXPECT_EQ(calls()[0], "PUT /etcd/data/db?comp=range");
  EXPECT_EQ(r.headers.at("x-ms-range"), "bytes=4096-4098");
  EXPECT_EQ(r.headers.at("x-ms-write"), "update");
  EXPECT_EQ(r.body, "abc");
  EXPECT_FALSE(share_->put_range("data/db", 0, "").ok());
  EXPECT_FALSE(share_->put_range("data/db", 0, std::string(kMaxFileRangeBytes + 1, 'x')).ok());
  EXPECT_EQ(transport_.requests().size(), 1u) << "refused before sending";
}

TEST_F(FileShareTest, DeleteTreeRemovesFilesThenDirectoriesDeepestFirst) {
  transport_.push(200, listing(R"(<File><Name>a</Name><Properties><Content-Length>3</Content-Length></Properties></File><Directory><Name>member</Name></Directory>)"));
  transport_.push(202);  // a
  transport_.push(200, listing(R"(<File><Name>db</Name><Properties><Content-Length>8</Content-Length></Properties></File>)"));
  transport_.push(202);  // member/db
  transport_.push(202);  // member
  transport_.push(202);  // data
  const auto report = delete_tree(*share_, "data");
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->files, 2u);
  EXPECT_EQ(report->directories, 2u);
  EXPECT_EQ(report->bytes, 11u);
  EXPECT_EQ(calls(), (std::vector<std::string>{
                         "GET /etcd/data?restype=directory&comp=list", "DELETE /etcd/data/a",
                         "GET /etcd/data/member?restype=directory&comp=list",
                         "DELETE /etcd/data/member/db",
                         "DELETE /etcd/data/member?restype=directory",
                         "DELETE /etcd/data?restype=directory"}));
}

TEST_F(FileShareTest, DeletingAMissingTreeIsNothingToDo) {
  transport_.push(404, error_body("ResourceNotFound"), error_code("ResourceNotFound"));
  const auto report = delete_tree(*share_, "data");
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->files, 0u);
}

TEST_F(FileShareTest, UploadTreeCreatesParentsDirectoriesAndFilesInRanges) {
  frankenetes::testing::TempDir dir;
  const std::filesystem::path root = dir.path() / "restored";
  std::filesystem::create_directories(root / "member" / "snap");
  {
    std::ofstream(root / "member" / "snap" / "db", std::ios::binary)
        << std::string(kMaxFileRangeBytes, 'x') << "tail";
    std::ofstream(root / "member" / "zeros", std::ios::binary) << std::string(100, '\0');
  }
  for (int i = 0; i < 20; ++i) transport_.push(201);
  const auto report = upload_tree(*share_, root, "data");
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->files, 2u);
  EXPECT_EQ(report->directories, 2u);
  EXPECT_EQ(report->bytes, kMaxFileRangeBytes + 4 + 100);
  EXPECT_EQ(calls(), (std::vector<std::string>{
                         "PUT /etcd/data?restype=directory", "PUT /etcd/data/member?restype=directory",
                         "PUT /etcd/data/member/snap?restype=directory", "PUT /etcd/data/member/snap/db",
                         "PUT /etcd/data/member/snap/db?comp=range",
                         "PUT /etcd/data/member/snap/db?comp=range", "PUT /etcd/data/member/zeros"}))
      << "an all-zero file needs no range";
  EXPECT_EQ(transport_.requests()[3].headers.at("x-ms-content-length"),
            std::to_string(kMaxFileRangeBytes + 4));
  EXPECT_EQ(transport_.requests()[5].headers.at("x-ms-range"),
            "bytes=" + std::to_string(kMaxFileRangeBytes) + "-" +
                std::to_string(kMaxFileRangeBytes + 3));
}

}  // namespace
}  // namespace frankenetes::storage
