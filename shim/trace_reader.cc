// Reading the black-box trace (format: trace_format.h). The header is checked
// field by field, then records are walked from kTraceHeaderBytes to
// TraceHeader::end; each must fit, be 8-byte aligned and padded exactly, and
// carry a known kind. Uncommitted records are skipped by their `bytes`.
#include "trace_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <utility>

extern "C" {
#include "trace_format.h"
}

namespace powercut::shim {
namespace {

static_assert(sizeof(TraceRecord) == 80, "TraceRecord layout is frozen");
static_assert(offsetof(TraceHeader, root) == 48, "TraceHeader layout is frozen");
constexpr uint16_t kLastKind = kTraceFault;

Status Bad(const std::string& name, uint64_t offset, const std::string& what) {
  return Status::Corruption(name + ": offset " + std::to_string(offset) + ": " + what);
}

uint64_t Pad8(uint64_t n) { return (n + 7) & ~uint64_t{7}; }

Result<TraceHeader> ParseHeader(std::string_view bytes, const std::string& name) {
  if (bytes.size() < kTraceHeaderBytes) {
    return Bad(
        name, bytes.size(),
        "file too short for the trace header (" + std::to_string(kTraceHeaderBytes) + " bytes)");
  }
  TraceHeader header;
  std::memcpy(&header, bytes.data(), sizeof header);
  if (std::memcmp(header.magic, POWERCUT_TRACE_MAGIC, 8) != 0) {
    return Bad(name, 0, "bad magic (expected \"" POWERCUT_TRACE_MAGIC "\"): not a powercut trace");
  }
  if (header.version != kTraceVersion) {
    return Bad(name, offsetof(TraceHeader, version),
               "unsupported version " + std::to_string(header.version) + " (this reader reads 1)");
  }
  if (header.header_bytes != kTraceHeaderBytes) {
    return Bad(name, offsetof(TraceHeader, header_bytes),
               "header_bytes " + std::to_string(header.header_bytes) + ", expected 4096");
  }
  if (header.end < kTraceHeaderBytes || header.end > bytes.size() || header.end % 8 != 0) {
    return Bad(name, offsetof(TraceHeader, end),
               "end " + std::to_string(header.end) + " outside [4096, file size " +
                   std::to_string(bytes.size()) + "] or not 8-byte aligned");
  }
  if (std::memchr(header.root, '\0', kTraceRootMax) == nullptr || header.root[0] != '/') {
    return Bad(name, offsetof(TraceHeader, root), "root is not a NUL-terminated absolute path");
  }
  return header;
}

// Validates the committed record at `offset` and appends it to `trace`.
Status ParseRecord(std::string_view bytes, uint64_t offset, const TraceRecord& record,
                   const std::string& name, Trace& trace) {
  uint64_t payload = uint64_t{record.path_len} + record.path2_len + record.data_len;
  if (Pad8(sizeof(TraceRecord) + payload) != record.bytes) {
    return Bad(name, offset,
               "record size " + std::to_string(record.bytes) + " does not match its lengths " +
                   "(path " + std::to_string(record.path_len) + ", path2 " +
                   std::to_string(record.path2_len) + ", data " + std::to_string(record.data_len) +
                   ")");
  }
  if (record.kind == 0 || record.kind > kLastKind) {
    return Bad(name, offset + offsetof(TraceRecord, kind),
               "unknown record kind " + std::to_string(record.kind) + " (valid: 1.." +
                   std::to_string(kLastKind) + ")");
  }
  if (record.seq == 0) return Bad(name, offset + offsetof(TraceRecord, seq), "sequence number 0");
  TraceEntry entry;
  entry.seq = record.seq;
  entry.kind = record.kind;
  entry.flag_bits = record.flag_bits;
  entry.pid = record.pid;
  entry.tid = record.tid;
  entry.fd = record.fd;
  entry.result = record.result;
  entry.err = record.err;
  entry.flags = record.flags;
  entry.mode = record.mode;
  entry.offset = record.offset;
  entry.length = record.length;
  const char* cursor = bytes.data() + offset + sizeof(TraceRecord);
  entry.path.assign(cursor, record.path_len);
  cursor += record.path_len;
  entry.path2.assign(cursor, record.path2_len);
  cursor += record.path2_len;
  entry.data.assign(cursor, record.data_len);
  trace.entries.push_back(std::move(entry));
  return Status::OK();
}

Status ParseRecords(std::string_view bytes, uint64_t end, const std::string& name, Trace& trace) {
  uint64_t offset = kTraceHeaderBytes;
  while (offset < end) {
    if (end - offset < sizeof(TraceRecord)) {
      return Bad(name, offset, "truncated record header before end " + std::to_string(end));
    }
    TraceRecord record;
    std::memcpy(&record, bytes.data() + offset, sizeof record);
    if (record.bytes < sizeof(TraceRecord) || record.bytes % 8 != 0 ||
        record.bytes > end - offset) {
      return Bad(name, offset,
                 "record size " + std::to_string(record.bytes) +
                     " is not a multiple of 8 in [80, " + std::to_string(end - offset) + "]");
    }
    if (record.commit != kTraceCommitted) {
      ++trace.skipped_uncommitted;
    } else {
      POWERCUT_RETURN_IF_ERROR(ParseRecord(bytes, offset, record, name, trace));
    }
    offset += record.bytes;
  }
  return Status::OK();
}

// Fills in the path of kTracePathOfFd writes from the latest write of the same
// pid and descriptor that carried one (trace_format.h), and clears the bit, so
// consumers see every write with its path. REQUIRES: entries sorted by seq.
Status FillPathsOfFds(const std::string& name, Trace& trace) {
  std::map<std::pair<int32_t, int32_t>, std::string> path_of_fd;  // (pid, fd) -> path
  for (TraceEntry& e : trace.entries) {
    if (e.kind != kTraceWrite) continue;
    auto key = std::make_pair(e.pid, e.fd);
    if ((e.flag_bits & kTracePathOfFd) == 0) {
      if (!e.path.empty()) path_of_fd[key] = e.path;
      continue;
    }
    auto known = path_of_fd.find(key);
    if (!e.path.empty() || known == path_of_fd.end()) {
      return Status::Corruption(name + ": record seq " + std::to_string(e.seq) +
                                ": path-of-fd write (pid " + std::to_string(e.pid) + ", fd " +
                                std::to_string(e.fd) +
                                (e.path.empty() ? ") follows no write of that pid and fd "
                                                  "that carried a path"
                                                : ") carries a path"));
    }
    e.path = known->second;
    e.flag_bits &= static_cast<uint16_t>(~kTracePathOfFd);
  }
  return Status::OK();
}

}  // namespace

Result<Trace> ParseTrace(std::string_view bytes, const std::string& name) {
  POWERCUT_ASSIGN_OR_RETURN(TraceHeader header, ParseHeader(bytes, name));
  Trace trace;
  trace.root = header.root;
  trace.dropped = header.dropped;
  POWERCUT_RETURN_IF_ERROR(ParseRecords(bytes, header.end, name, trace));
  std::stable_sort(trace.entries.begin(), trace.entries.end(),
                   [](const TraceEntry& a, const TraceEntry& b) { return a.seq < b.seq; });
  for (size_t i = 1; i < trace.entries.size(); ++i) {
    if (trace.entries[i].seq == trace.entries[i - 1].seq) {
      return Status::Corruption(name + ": sequence number " + std::to_string(trace.entries[i].seq) +
                                " appears twice");
    }
  }
  POWERCUT_RETURN_IF_ERROR(FillPathsOfFds(name, trace));
  return trace;
}

Result<Trace> ReadTrace(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    int saved = errno;
    if (saved == ENOENT) return Status::NotFound("trace " + file + ": no such file");
    return Status::FromErrno("open trace", file, saved);
  }
  // The file is sparse and mostly unused: read the header, then up to `end`.
  std::string bytes(kTraceHeaderBytes, '\0');
  in.read(bytes.data(), kTraceHeaderBytes);
  bytes.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) return Status::IOError("read trace " + file);
  uint64_t end = 0;
  if (bytes.size() == kTraceHeaderBytes) {
    std::memcpy(&end, bytes.data() + offsetof(TraceHeader, end), sizeof end);
  }
  if (end > kTraceHeaderBytes) {
    in.seekg(0, std::ios::end);
    uint64_t size = static_cast<uint64_t>(in.tellg());
    uint64_t wanted = std::min(end, size);  // ParseTrace reports end > size
    bytes.resize(wanted);
    in.seekg(kTraceHeaderBytes);
    in.read(bytes.data() + kTraceHeaderBytes,
            static_cast<std::streamsize>(wanted - kTraceHeaderBytes));
    if (static_cast<uint64_t>(in.gcount()) != wanted - kTraceHeaderBytes) {
      return Status::IOError("read trace " + file + ": short read");
    }
    if (wanted < end) bytes.resize(wanted);
  }
  return ParseTrace(bytes, file);
}

std::string TraceKindName(uint16_t kind) {
  static const char* const kNames[] = {
      "?",     "open",   "write", "truncate", "fallocate", "fsync",  "fdatasync", "sync_file_range",
      "sync",  "syncfs", "msync", "rename",   "link",      "unlink", "mkdir",     "rmdir",
      "close", "dup",    "ack",   "exec",     "fault"};
  if (kind >= 1 && kind <= kLastKind) return kNames[kind];
  return "kind-" + std::to_string(kind);
}

namespace {

std::string Escape(std::string_view data, size_t max_data) {
  std::string out = "\"";
  size_t shown = std::min(data.size(), max_data);
  for (size_t i = 0; i < shown; ++i) {
    unsigned char c = static_cast<unsigned char>(data[i]);
    if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  out += '"';
  if (shown < data.size()) out += "...";
  return out;
}

}  // namespace

std::string FormatTraceEntry(const TraceEntry& e, size_t max_data) {
  std::ostringstream out;
  out << "seq=" << e.seq << " pid=" << e.pid << " tid=" << e.tid << " " << TraceKindName(e.kind);
  if (e.fd != -1) out << " fd=" << e.fd;
  if (!e.path.empty()) out << " path=" << e.path;
  if (!e.path2.empty()) out << " path2=" << e.path2;
  if (e.flags != 0) out << " flags=0x" << std::hex << e.flags << std::dec;
  if (e.mode != 0) out << " mode=0" << std::oct << e.mode << std::dec;
  if (e.offset != 0 || e.length != 0) out << " offset=" << e.offset << " length=" << e.length;
  out << " result=" << e.result;
  if (e.err != 0) out << " err=" << e.err;
  if (e.flag_bits & kTraceIsDir) out << " dir";
  if (e.flag_bits & kTraceFailed) out << " failed";
  if (e.flag_bits & kTraceInjected) out << " injected";
  if (!e.data.empty()) out << " data=" << Escape(e.data, max_data);
  return out.str();
}

}  // namespace powercut::shim
