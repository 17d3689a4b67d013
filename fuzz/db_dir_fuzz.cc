// Fuzz target: a whole database directory. The input is a directory image
// (fs_image.h: CURRENT, MANIFEST-*, *.log, *.ldb, ...) loaded into SimFs;
// the engine opens it without creating anything new, scans every key, reads
// a few back, writes one and closes. Open or a read may fail (Corruption,
// IOError) but must not crash, hang or read out of bounds. Seeds: images of
// small real databases (valid checksums), from powercut-fuzz-seeds.
#include <memory>
#include <string>
#include <vector>

#include "fs_image.h"
#include "fuzz_target.h"
#include "powercut/engine/db.h"
#include "powercut/faultfs/sim_fs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace powercut;
  faultfs::SimFs fs;
  if (!fuzz::LoadDirImage(fuzz::AsText(data, size), fs, "/db").ok()) return 0;
  engine::Options options;
  options.create_if_missing = false;
  auto db = engine::DB::Open(options, "/db", &fs);
  if (!db.ok()) return 0;
  std::vector<std::string> keys;
  {
    std::unique_ptr<engine::Iterator> it = (*db)->NewIterator({});
    for (it->SeekToFirst(); it->Valid() && keys.size() < 10000; it->Next()) {
      keys.emplace_back(it->key());
    }
    (void)it->status();
  }
  for (size_t i = 0; i < keys.size() && i < 16; ++i) (void)(*db)->Get({}, keys[i]);
  (void)(*db)->Put({.sync = true}, "fuzz-key", "fuzz-value");
  (void)(*db)->Close();
  return 0;
}
