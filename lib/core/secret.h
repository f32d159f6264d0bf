#pragma once
// Secret: a string that never prints itself. Secrets are redacted by type, not by
// remembering: streaming or formatting a Secret yields "<redacted>", and the
// only way to the value is the explicit reveal(), used where the secret goes on the wire.

#include <ostream>
#include <string>
#include <utility>

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

}  // namespace frankenetes::core
