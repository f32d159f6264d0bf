#include "dns/provider.h"

namespace frankenetes::dns {

const char* to_string(RecordType type) {
  switch (type) {
    case RecordType::kA:
      return "A";
    case RecordType::kTxt:
      return "TXT";
    case RecordType::kCname:
      return "CNAME";
  }
  return "?";
}

}  // namespace frankenetes::dns
