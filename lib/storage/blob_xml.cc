#include "storage/blob_xml.h"

#include "core/strings.h"
#include "core/timestamps.h"
#include "http/message.h"
#include "storage/xml_document.h"

namespace frankenetes::storage {
namespace {

core::Error malformed(std::string why) {
  return core::make_error(core::ErrorKind::kTerminal, "List Blobs: " + std::move(why));
}

// The text of `parent`'s child `name`, or nullptr when absent.
const std::string* text_of(const XmlElement& parent, std::string_view name) {
  const XmlElement* child = parent.child(name);
  return child == nullptr ? nullptr : &child->text;
}

core::Result<BlobProperties> parse_blob(const XmlElement& blob, std::size_t index) {
  BlobProperties out;
  const XmlElement* name = blob.child("Name");
  if (name == nullptr || name->text.empty()) {
    return malformed("Blob " + std::to_string(index) + " has no Name");
  }
  out.name = name->text;
  if (const auto it = name->attributes.find("Encoded");
      it != name->attributes.end() && it->second == "true") {
    bool ok = true;
    out.name = http::percent_decode_component(name->text, false, &ok);
    if (!ok) return malformed("Blob " + std::to_string(index) + " has a malformed encoded Name");
  }
  const auto where = "Blob \"" + out.name + "\" ";
  const XmlElement* properties = blob.child("Properties");
  if (properties == nullptr) return malformed(where + "has no Properties");

  const std::string* length = text_of(*properties, "Content-Length");
  if (length == nullptr) return malformed(where + "has no Content-Length");
  const auto size = core::parse_uint64(*length);
  if (!size) {
    return malformed(where + "Content-Length: expected a non-negative integer, got \"" + *length +
                     "\"");
  }
  out.content_length = *size;

  const std::string* etag = text_of(*properties, "Etag");
  if (etag == nullptr || etag->empty()) return malformed(where + "has no Etag");
  out.etag = *etag;

  if (const std::string* modified = text_of(*properties, "Last-Modified")) {
    out.last_modified = core::parse_http_date(*modified);
    if (!out.last_modified) {
      return malformed(where + "Last-Modified: expected an HTTP date, got \"" + *modified + "\"");
    }
  }
  if (const std::string* type = text_of(*properties, "Content-Type")) out.content_type = *type;
  if (const std::string* state = text_of(*properties, "LeaseState")) {
    out.lease_state = parse_lease_state(*state);
  }
  if (const std::string* duration = text_of(*properties, "LeaseDuration")) {
    out.lease_duration = *duration;
  }
  if (const XmlElement* metadata = blob.child("Metadata")) {
    for (const auto& entry : metadata->children) {
      // Names Blob Storage could not return as XML come as <x-ms-invalid-name>; we never write
      // such names, so they are not ours to read.
      if (entry.name == "x-ms-invalid-name") continue;
      out.metadata[core::to_lower(entry.name)] = entry.text;
    }
  }
  return out;
}

}  // namespace

core::Result<BlobListPage> parse_blob_list(std::string_view xml) {
  auto doc = parse_xml(xml);
  if (!doc.ok()) return malformed(doc.error().message);
  if (doc->name != "EnumerationResults") {
    return malformed("expected <EnumerationResults>, got <" + doc->name + ">");
  }
  BlobListPage page;
  const XmlElement* blobs = doc->child("Blobs");
  if (blobs == nullptr) return malformed("no <Blobs> element");
  for (const auto& entry : blobs->children) {
    if (entry.name != "Blob") continue;  // <BlobPrefix> (with a delimiter): not used
    auto blob = parse_blob(entry, page.blobs.size());
    if (!blob.ok()) return blob.error();
    page.blobs.push_back(std::move(*blob));
  }
  if (const std::string* marker = text_of(*doc, "NextMarker"); marker && !marker->empty()) {
    page.next_marker = *marker;
  }
  return page;
}

std::optional<StorageErrorBody> parse_storage_error(std::string_view xml) {
  XmlLimits limits;
  limits.max_bytes = std::size_t{64} * 1024;  // an error body is a few hundred bytes
  auto doc = parse_xml(xml, limits);
  if (!doc.ok() || doc->name != "Error") return std::nullopt;
  StorageErrorBody out;
  if (const std::string* code = text_of(*doc, "Code")) out.code = std::string(core::trim(*code));
  if (const std::string* message = text_of(*doc, "Message")) out.message = *message;
  if (out.code.empty() && out.message.empty()) return std::nullopt;
  return out;
}

std::string block_list_xml(const std::vector<std::string>& block_ids) {
  // Block ids are base64 (blob_paths.h block_id): nothing in them needs escaping.
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>";
  for (const auto& id : block_ids) out += "<Latest>" + id + "</Latest>";
  return out + "</BlockList>";
}

}  // namespace frankenetes::storage
