#include "etcd/gateway_error.h"

#include "core/json_fields.h"
#include "core/strings.h"

namespace frankenetes::etcd {

namespace jf = core::json_fields;

std::optional<std::string> gateway_error_message(std::string_view body) {
  std::string parse_error;
  const auto doc = jf::parse(body, parse_error);
  if (!doc || !doc->is_object()) return std::nullopt;
  // The stream shape nests everything under "error"; the unary shapes keep it at the top.
  const auto nested = jf::object(*doc, "error");
  const jf::json& holder = nested ? **nested : *doc;
  auto message = jf::string(holder, "message");
  if (!message) message = jf::string(holder, "error");
  auto code = jf::integer(holder, "grpc_code");
  if (!code) code = jf::integer(holder, "code");
  if (!message && !code) return std::nullopt;
  std::string text = message ? core::printable_excerpt(*message, kMaxEtcdMessageBytes)
                             : std::string("(no message)");
  if (code) text += " (gRPC code " + std::to_string(*code) + ")";
  return text;
}

}  // namespace frankenetes::etcd
