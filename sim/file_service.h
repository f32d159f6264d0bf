#pragma once
// FileService: the simulated Azure Files REST API (the subset a client needs to replace a
// directory tree on a share), path-style like Azurite: <fileBaseUrl>/<account>/<share>/<path>.
// One request in, one response out: Shared Key authorization (shared_key.h), x-ms-version
// (2021-08-06 or newer), the share and path checks, injected faults ("files.<operation>"
// rules of the FaultInjector), then the operation on the share's directory (FileShare) with
// the File service's status codes, headers and XML error bodies.
//
// Operations (names as in the request log): createDirectory, deleteDirectory,
// getDirectoryProperties, listDirectoriesAndFiles, createFile, putRange, getFile,
// getFileProperties, deleteFile. Shares themselves are not managed through the API: a share
// exists when its directory <shares_dir>/<account>/<share> does (the sim creates the shares
// the scenario names; process mode mounts them into containers). Single-threaded like the
// rest of the sim; blocking file I/O on the caller's thread.

#include <map>
#include <optional>
#include <string>

#include "core/time_source.h"
#include "http/message.h"
#include "sim/fault_injector.h"
#include "sim/file_share.h"
#include "sim/ids.h"

namespace frankenetes::sim {

struct FileServiceSettings {
  std::string shares_dir;                     // <state-dir>/shares
  std::string base_url;                       // "https://127.0.0.1:8445" (ServiceEndpoint in listings)
  std::map<std::string, std::string> keys;    // account name → decoded account key
};

struct FileReply {
  http::Response response;
  std::string operation;  // see above; "unknown" for requests that name no operation
  std::string fault;      // "filesFault" when an injected fault answered
  core::Duration delay{0};
};

// Names the operation of a request by method, restype and comp (nothing else is checked).
std::string classify_file_operation(const http::Request& request);

class FileService {
 public:
  FileService(FileServiceSettings settings, FaultInjector& faults, const core::TimeSource& time, Random& random);

  FileReply handle(const http::Request& request);

  const FileServiceSettings& settings() const { return settings_; }

 private:
  http::Response route(const http::Request& request, FileReply& reply);
  // nullopt when the request is signed with the account's key at an acceptable time.
  std::optional<http::Response> authorize(const http::Request& request, const std::string& account,
                                          const std::string& key) const;
  http::Response dispatch(const http::Request& request, const std::string& operation, FileShare& files,
                          const SharePath& path, const std::string& share);
  http::Response list(const http::Request& request, FileShare& files, const SharePath& path, const std::string& share);
  http::Response put_range(const http::Request& request, FileShare& files, const SharePath& path);
  http::Response get_file(const http::Request& request, FileShare& files, const SharePath& path);
  // The File service's answer to a FileShare outcome other than kOk.
  http::Response share_error(ShareOutcome outcome, const FileShare& files) const;
  http::Response error(int status, const std::string& code, const std::string& message,
                       const std::string& details = {}) const;
  http::Response header_error(int status, const std::string& code, const std::string& message,
                              const std::string& name, const std::string& value) const;

  FileServiceSettings settings_;
  FaultInjector& faults_;
  const core::TimeSource& time_;
  Random& random_;
  // Of the request being answered (single-threaded): every error body names them.
  std::string request_id_;
  core::SystemTime now_;
};

}  // namespace frankenetes::sim
