// Fuzz target: the log reader (WAL and manifest format, engine/log_reader.h)
// on any file, and the decoders of what it returns: write batches (a WAL's
// records) and version edits (a manifest's). Seeds: real WALs and manifests
// of a small database (valid checksums), from powercut-fuzz-seeds.
#include <string>

#include "fuzz_target.h"
#include "log_reader.h"
#include "powercut/engine/write_batch.h"
#include "powercut/faultfs/sim_fs.h"
#include "version_edit.h"
#include "write_batch_internal.h"

namespace {

using powercut::engine::LogReader;

class CountingHandler : public powercut::engine::WriteBatch::Handler {
 public:
  void Put(std::string_view key, std::string_view value) override { bytes += key.size() + value.size(); }
  void Delete(std::string_view key) override { bytes += key.size(); }
  size_t bytes = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  powercut::faultfs::SimFs fs;
  const std::string path = "/000003.log";
  {
    auto file = fs.Open(path, powercut::faultfs::OpenOptions::ReadWriteCreate());
    if (!file.ok()) return 0;
    (void)fs.Write(*file, 0, powercut::fuzz::AsText(data, size));
    (void)fs.Close(*file);
  }
  LogReader reader(&fs, path);
  std::string record;
  for (int events = 0; events < 100000; ++events) {
    auto event = reader.Next(&record);
    if (!event.ok() || *event == LogReader::Event::kEnd) break;
    if (*event != LogReader::Event::kRecord) continue;
    powercut::engine::WriteBatch batch;
    if (powercut::engine::WriteBatchInternal::SetContents(&batch, record).ok()) {
      CountingHandler handler;
      (void)batch.Iterate(&handler);
    }
    (void)powercut::engine::VersionEdit::Decode(record);
  }
  return 0;
}
