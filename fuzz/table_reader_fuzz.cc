// Fuzz target: the table reader (engine/table.h) on any file: Open (footer,
// index), a full scan through the iterator (every data block, checksums) and
// a Get of every key the scan returned plus one absent key. Seeds: real
// tables of a small database (valid checksums), from powercut-fuzz-seeds.
#include <string>
#include <vector>

#include "dbformat.h"
#include "fuzz_target.h"
#include "internal_iterator.h"
#include "powercut/faultfs/sim_fs.h"
#include "table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace powercut;
  faultfs::SimFs fs;
  const std::string path = "/000005.sst";
  {
    auto file = fs.Open(path, faultfs::OpenOptions::ReadWriteCreate());
    if (!file.ok()) return 0;
    (void)fs.Write(*file, 0, fuzz::AsText(data, size));
    (void)fs.Close(*file);
  }
  auto table = engine::Table::Open(&fs, path, size);
  if (!table.ok()) return 0;
  std::vector<std::string> keys;
  std::unique_ptr<engine::InternalIterator> it = (*table)->NewIterator();
  for (it->SeekToFirst(); it->Valid() && keys.size() < 10000; it->Next()) {
    engine::ParsedInternalKey parsed;
    if (engine::ParseInternalKey(it->key(), &parsed)) keys.emplace_back(parsed.user_key);
  }
  (void)it->status();
  keys.push_back("\xff-absent");
  for (const std::string& key : keys) {
    std::string value;
    (void)(*table)->Get(key, engine::kMaxSequenceNumber, &value);
  }
  return 0;
}
