// PrintableBytes: untrusted bytes made safe to quote in an error message.
// Every parser of files a user hands to powercut (repro and replay files,
// ack lines, workload lines) quotes what it rejects through it, so a damaged
// or binary file never writes raw control bytes to a terminal.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace powercut {

// Printable ASCII stays, '\\' becomes "\\\\", newline, CR and tab their C
// escapes and every other byte \xHH; past `max_bytes` input bytes the rest
// is cut and "...(N more bytes)" appended.
std::string PrintableBytes(std::string_view bytes, size_t max_bytes = 120);

}  // namespace powercut
