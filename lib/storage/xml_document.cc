#include "storage/xml_document.h"

#include <expat.h>

#include <memory>

namespace frankenetes::storage {
namespace {

struct ParserDeleter {
  void operator()(XML_Parser parser) const { XML_ParserFree(parser); }
};

// What the callbacks build: the root, the path of open elements, and the first refusal.
struct TreeBuilder {
  XML_Parser parser = nullptr;
  const XmlLimits* limits = nullptr;
  XmlElement root;
  std::vector<XmlElement*> open;
  std::size_t elements = 0;
  std::string refused;

  void refuse(std::string why) {
    if (refused.empty()) refused = std::move(why);
    XML_StopParser(parser, XML_FALSE);
  }
};

void on_start(void* data, const XML_Char* name, const XML_Char** attributes) {
  auto& b = *static_cast<TreeBuilder*>(data);
  if (++b.elements > b.limits->max_elements) return b.refuse("too many elements");
  if (b.open.size() >= b.limits->max_depth) return b.refuse("nested too deeply");
  XmlElement* element = nullptr;
  if (b.open.empty()) {
    element = &b.root;
  } else {
    auto& siblings = b.open.back()->children;
    siblings.emplace_back();
    element = &siblings.back();
  }
  element->name = name;
  for (std::size_t i = 0; attributes[i] != nullptr; i += 2) {
    element->attributes[attributes[i]] = attributes[i + 1];
  }
  b.open.push_back(element);
}

void on_end(void* data, const XML_Char*) { static_cast<TreeBuilder*>(data)->open.pop_back(); }

void on_text(void* data, const XML_Char* text, int length) {
  auto& b = *static_cast<TreeBuilder*>(data);
  if (!b.open.empty()) b.open.back()->text.append(text, static_cast<std::size_t>(length));
}

void on_doctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  static_cast<TreeBuilder*>(data)->refuse("a DOCTYPE is not allowed");
}

}  // namespace

const XmlElement* XmlElement::child(std::string_view child_name) const {
  for (const auto& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

core::Result<XmlElement> parse_xml(std::string_view text, const XmlLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return core::make_error(
        core::ErrorKind::kTerminal,
        "XML document larger than " + std::to_string(limits.max_bytes) + " bytes");
  }
  // Pointers into `children` vectors stay valid only while no sibling is added after them:
  // elements are appended only to the innermost open element, whose own address is stable
  // because its parent gets no new child until it is closed.
  std::unique_ptr<XML_ParserStruct, ParserDeleter> parser(XML_ParserCreate(nullptr));
  if (!parser) return core::make_error(core::ErrorKind::kTerminal, "cannot create an XML parser");
  TreeBuilder builder;
  builder.parser = parser.get();
  builder.limits = &limits;
  XML_SetUserData(parser.get(), &builder);
  XML_SetElementHandler(parser.get(), on_start, on_end);
  XML_SetCharacterDataHandler(parser.get(), on_text);
  XML_SetStartDoctypeDeclHandler(parser.get(), on_doctype);
  const auto status = XML_Parse(parser.get(), text.data(), static_cast<int>(text.size()), XML_TRUE);
  if (status != XML_STATUS_OK || !builder.refused.empty()) {
    const auto line = XML_GetCurrentLineNumber(parser.get());
    const std::string why = !builder.refused.empty()
                                ? builder.refused
                                : XML_ErrorString(XML_GetErrorCode(parser.get()));
    return core::make_error(core::ErrorKind::kTerminal,
                            "malformed XML at line " + std::to_string(line) + ": " + why);
  }
  return std::move(builder.root);
}

}  // namespace frankenetes::storage
