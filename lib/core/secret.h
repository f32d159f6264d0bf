#pragma once
// Secret: a string that never prints itself. Secrets are redacted by type, not by
// remembering: streaming or formatting a Secret yields "<redacted>", and the
// only way to the value is the explicit reveal(), used where the secret goes on the wire.

#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace frankenetes::core {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  bool operator==(const Secret& other) const = default;

  friend std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "<redacted>"; }

 private:
  std::string value_;
};

// `text` with every occurrence of each non-empty secret replaced by "<redacted>": for error
// messages that quote what a peer answered, when the peer may have echoed what it was sent
// (a token endpoint quoting the client secret, ARM quoting a secureValue of the body).
std::string redact(std::string text, const std::vector<const Secret*>& secrets);

}  // namespace frankenetes::core
