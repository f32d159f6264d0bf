// server and log: how the daemon presents itself (status server, log output).

#include "config/sections.h"

namespace frankenetes::config {

ServerConfig parse_server(const Node& node) {
  MapReader map(node);
  ServerConfig server;
  if (const auto listen = map.get("listen")) {
    if (auto address = listen->as_host_port(std::nullopt)) server.listen = std::move(*address);
  }
  server.admin_token = map.read_secret("adminToken", "adminTokenFile", Presence::kOptional);
  if (const auto tls = map.get("tls")) {
    MapReader tls_map(*tls);
    ServerTlsConfig files;
    tls_map.read_path("certFile", files.cert_file, Presence::kRequired);
    tls_map.read_path("keyFile", files.key_file, Presence::kRequired);
    tls_map.finish();
    server.tls = std::move(files);
  }
  map.read_int("maxConnections", server.max_connections, 1, kMaxMaxConnections);
  map.finish();
  return server;
}

LogConfig parse_log(const Node& node) {
  MapReader map(node);
  LogConfig log;
  map.read_enum("level", log.level, kLogLevelNames);
  map.read_enum("format", log.format, kLogFormatNames);
  map.finish();
  return log;
}

}  // namespace frankenetes::config
