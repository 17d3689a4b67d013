// TraceBuilder: the in-memory writer of trace files for tests (see
// trace_writer.h). Encodes exactly what shim/preload/shim_trace.c encodes.
#include "trace_writer.h"

#include <cassert>
#include <cstring>
#include <fstream>

extern "C" {
#include "trace_format.h"
}

namespace powercut::shim {

TraceBuilder& TraceBuilder::Add(TraceEntry entry) {
  if (entry.seq == 0) entry.seq = next_seq_;
  next_seq_ = entry.seq + 1;
  records_.push_back({std::move(entry), true});
  return *this;
}

TraceBuilder& TraceBuilder::AddUncommitted(TraceEntry entry) {
  if (entry.seq == 0) entry.seq = next_seq_;
  next_seq_ = entry.seq + 1;
  records_.push_back({std::move(entry), false});
  return *this;
}

namespace {

void AppendRecord(const TraceEntry& e, bool committed, std::string& out) {
  TraceRecord record;
  std::memset(&record, 0, sizeof record);
  size_t payload = e.path.size() + e.path2.size() + e.data.size();
  record.bytes = static_cast<uint32_t>((sizeof(TraceRecord) + payload + 7) & ~size_t{7});
  record.commit = committed ? kTraceCommitted : 0;
  record.seq = e.seq;
  record.kind = e.kind;
  record.flag_bits = e.flag_bits;
  record.pid = e.pid;
  record.tid = e.tid;
  record.fd = e.fd;
  record.result = e.result;
  record.err = e.err;
  record.flags = e.flags;
  record.mode = e.mode;
  record.path_len = static_cast<uint32_t>(e.path.size());
  record.path2_len = static_cast<uint32_t>(e.path2.size());
  record.data_len = static_cast<uint32_t>(e.data.size());
  record.offset = e.offset;
  record.length = e.length;
  size_t start = out.size();
  out.append(reinterpret_cast<const char*>(&record), sizeof record);
  out += e.path;
  out += e.path2;
  out += e.data;
  out.resize(start + record.bytes, '\0');
}

}  // namespace

std::string TraceBuilder::Bytes() const {
  assert(!root_.empty() && root_[0] == '/' && root_.size() < kTraceRootMax);
  std::string out(kTraceHeaderBytes, '\0');
  for (const Pending& p : records_) AppendRecord(p.entry, p.committed, out);
  TraceHeader header;
  std::memset(&header, 0, sizeof header);
  std::memcpy(header.magic, POWERCUT_TRACE_MAGIC, 8);
  header.version = kTraceVersion;
  header.header_bytes = kTraceHeaderBytes;
  header.capacity = out.size();
  header.end = out.size();
  header.next_seq = next_seq_;
  header.dropped = dropped_;
  std::memcpy(header.root, root_.data(), root_.size());
  std::memcpy(out.data(), &header, sizeof header);
  return out;
}

Status TraceBuilder::WriteTo(const std::string& file) const {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError("create trace " + file);
  std::string bytes = Bytes();
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Status::IOError("write trace " + file);
  return Status::OK();
}

}  // namespace powercut::shim
