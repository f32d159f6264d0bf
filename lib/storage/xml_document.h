#pragma once
// A small element tree read with expat, for the few XML documents Blob Storage answers with
// (List Blobs, error bodies: blob_xml.h). Elements, their attributes and their text; no
// namespaces, no mixed-content order. Bounded: a document over the size limit, nested deeper than
// `max_depth` or with more than `max_elements` elements is refused, and so is any DOCTYPE (no
// entity can be declared, so none can expand). expat checks well-formedness and UTF-8.
//
// Why expat rather than a hand-written parser: entity and character references, encodings and
// malformed-input handling are where small XML readers go wrong, and expat (libexpat1, in every
// Debian system) is fuzzed continuously upstream; what remains ours is mapping a tree to types.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace frankenetes::storage {

struct XmlElement {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;  // the character data directly inside this element, entities resolved
  std::vector<XmlElement> children;

  // The first child named `name`, or nullptr.
  const XmlElement* child(std::string_view child_name) const;
};

struct XmlLimits {
  std::size_t max_bytes = std::size_t{64} * 1024 * 1024;
  std::size_t max_depth = 16;
  std::size_t max_elements = 1000000;
};

// The root element; a kTerminal Error "malformed XML at line N: <why>" otherwise.
core::Result<XmlElement> parse_xml(std::string_view text, const XmlLimits& limits = {});

}  // namespace frankenetes::storage
