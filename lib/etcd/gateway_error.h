#pragma once
// The error bodies of etcd's JSON gateway (grpc-gateway), for messages that say what etcd said.
// Pure. Three shapes are known:
//   {"error":"etcdserver: ...","message":"etcdserver: ...","code":3}   unary calls, etcd 3.4
//   {"error":{"grpc_code":14,"http_code":503,"message":"...","http_status":"..."}}
//                                                    an error inside a stream (grpc-gateway v1)
//   {"code":3,"message":"..."}                       grpc-gateway v2 (etcd 3.5 and newer)

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace frankenetes::etcd {

inline constexpr std::size_t kMaxEtcdMessageBytes = 300;

// "etcdserver: mvcc: required revision has been compacted (gRPC code 11)": the message (at most
// kMaxEtcdMessageBytes, printable, one line) and the gRPC code when there is one; nullopt when
// `body` is not JSON or not one of the shapes above.
std::optional<std::string> gateway_error_message(std::string_view body);

}  // namespace frankenetes::etcd
