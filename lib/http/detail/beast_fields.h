#pragma once
// Header fields as Beast parsed them, turned into our Headers: for the client (responses) and
// the server (requests) alike. Internal to lib/http, so Beast stays out of the public headers.

#include <boost/beast/http/fields.hpp>
#include <string>

#include "http/message.h"

namespace frankenetes::http::detail {

// Adds every field to `headers`; a field that comes more than once is combined with commas
// (RFC 9110 §5.3).
inline void add_fields(Headers& headers, const boost::beast::http::fields& fields) {
  for (const auto& field : fields) {
    auto [it, inserted] =
        headers.emplace(std::string(field.name_string()), std::string(field.value()));
    if (!inserted) {
      it->second += ", ";
      it->second += field.value();
    }
  }
}

}  // namespace frankenetes::http::detail
