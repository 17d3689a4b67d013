// Escaping untrusted bytes for error messages (see powercut/printable.h).
#include "powercut/printable.h"

namespace powercut {

std::string PrintableBytes(std::string_view bytes, size_t max_bytes) {
  std::string text;
  const size_t shown = bytes.size() < max_bytes ? bytes.size() : max_bytes;
  for (size_t i = 0; i < shown; ++i) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == '\\') {
      text += "\\\\";
    } else if (c == '\n') {
      text += "\\n";
    } else if (c == '\r') {
      text += "\\r";
    } else if (c == '\t') {
      text += "\\t";
    } else if (c < 0x20 || c >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      text += "\\x";
      text += kHex[c >> 4];
      text += kHex[c & 15];
    } else {
      text += static_cast<char>(c);
    }
  }
  if (shown < bytes.size()) text += "...(" + std::to_string(bytes.size() - shown) + " more bytes)";
  return text;
}

}  // namespace powercut
