// powercut-fuzz-seeds OUT_DIR: writes the seed corpus of every fuzz target
// into OUT_DIR/<target>/ (fuzz/corpus/ in the repository is its output, plus
// the scenario seeds copied from scenarios/). Most seeds are real files of a
// small database made by the engine on SimFs, so their checksums are valid
// and the fuzzer starts past them. Rerun it when an on-disk format changes:
//   build/bin/powercut-fuzz-seeds fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fs_image.h"
#include "powercut/engine/db.h"
#include "powercut/faultfs/sim_fs.h"
#include "repro.h"
#include "replay_file.h"
#include "trace_format.h"
#include "trace_writer.h"
#include "workload.h"

namespace {

using namespace powercut;

std::filesystem::path out_dir;

void Save(const std::string& target, const std::string& name, std::string_view bytes) {
  std::filesystem::create_directories(out_dir / target);
  std::ofstream out(out_dir / target / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Saves every file of /db: logs and manifests for the WAL reader, tables for
// the table reader, and the whole directory for the database target.
void SaveDatabase(faultfs::SimFs& fs, const std::string& tag) {
  const std::vector<std::string> names = fs.List("/db").value();
  for (const std::string& name : names) {
    const std::string bytes = faultfs::ReadFileToString(fs, "/db/" + name).value();
    if (name.ends_with(".log") || name.starts_with("MANIFEST-")) {
      Save("wal_reader", tag + "-" + name, bytes);
    } else if (name.ends_with(".sst")) {
      Save("table_reader", tag + "-" + name, bytes);
    }
  }
  Save("db_dir", tag + ".image", fuzz::SaveDirImage(fs, "/db").value());
}

void DatabaseSeeds() {
  engine::Options options;
  options.write_buffer_bytes = 2048;  // flushes on the write path: several tables
  options.block_bytes = 256;          // several data blocks per table
  {
    faultfs::SimFs fs;
    auto db = engine::DB::Open(options, "/db", &fs).value();
    for (int i = 0; i < 40; ++i) {
      const std::string key = "k" + std::to_string(i % 17);
      if (i % 7 == 3) {
        (void)db->Delete({.sync = true}, key);
      } else {
        (void)db->Put({.sync = i % 2 == 0}, key, std::string(10 + i * 3, 'a' + i % 26));
      }
    }
    (void)db->Flush();
    (void)db->Put({.sync = true}, "after-flush", "v");
    (void)db->Close();
    SaveDatabase(fs, "small");
  }
  {
    faultfs::SimFs fs;
    auto db = engine::DB::Open({}, "/db", &fs).value();
    (void)db->Put({.sync = true}, "big", std::string(40000, 'B'));  // spans two WAL blocks
    engine::WriteBatch batch;
    batch.Put("b1", "1");
    batch.Delete("b2");
    (void)db->Write({.sync = true}, batch);
    (void)db->Close();
    SaveDatabase(fs, "big-value");
  }
  {
    faultfs::SimFs fs;
    auto db = engine::DB::Open({}, "/db", &fs).value();
    (void)db->Close();
    SaveDatabase(fs, "empty");
  }
}

void ReproSeeds() {
  harness::Repro repro;
  repro.engine = "reference";
  repro.scenario = "sync-writes";
  repro.seed = 1;
  repro.models = faultfs::CrashModel::All();
  repro.crash_path = {faultfs::CrashStateId::Parse("prefix@26:3").value(),
                      faultfs::CrashStateId::Parse("power-loss@31").value()};
  repro.expected_key = "k0";
  repro.settings.mutant = "ack-before-wal-fsync";
  repro.settings.write_buffer_bytes = 4096;
  harness::WorkloadBuilder builder;
  builder.Put("k0", 2, true)
      .Put("my key", 0, false, std::string("q\"\n\x01", 4))
      .Batch({{true, "k1", 8, std::nullopt}, {false, "k0", 0, std::nullopt}}, true)
      .Flush()
      .Read("k1")
      .Scan()
      .Reopen()
      .Crash("torn-512-zeros");
  repro.workload = std::move(builder).Build();
  Save("repro", "awkward.repro", repro.ToText());
  harness::WorkloadBuilder one;
  one.Put("k0", 2, true);
  repro.workload = std::move(one).Build();
  repro.crash_path = {faultfs::CrashStateId::Parse("power-loss@25").value()};
  Save("repro", "one-put.repro", repro.ToText());
}

shim::TraceEntry Entry(uint16_t kind, std::string path, int32_t fd, std::string data = "") {
  shim::TraceEntry entry;
  entry.kind = kind;
  entry.path = std::move(path);
  entry.fd = fd;
  entry.length = data.size();
  entry.result = static_cast<int64_t>(data.size());
  entry.data = std::move(data);
  return entry;
}

void TraceSeeds() {
  shim::TraceBuilder builder("/real/root");
  shim::TraceEntry open = Entry(kTraceOpen, "/real/root/f", -1);
  open.flags = 0x41;
  open.result = 3;
  builder.Add(open);
  builder.Add(Entry(kTraceWrite, "/real/root/f", 3, "hello"));
  builder.Add(Entry(kTraceFsync, "/real/root/f", 3));
  shim::TraceEntry rename = Entry(kTraceRename, "/real/root/f", -1);
  rename.path2 = "/real/root/g";
  builder.AddUncommitted(rename);
  builder.Add(Entry(kTraceAck, "", -1, "A key value\n"));
  Save("trace_reader", "small.trace", builder.Bytes());
}

void ReplaySeeds() {
  blackbox::ReplayCase replay;
  replay.root = "/tmp/root";
  replay.check_command = "sh -c 'cat f'";
  replay.timeout_seconds = 12.5;
  replay.id = faultfs::CrashStateId::Parse("reorder@2:1.0").value();
  replay.initial = {{"k", "v"}};
  replay.image.directories = {"/d"};
  replay.image.files = {{"/d/f", std::string("bin\0ary\n", 8)}};
  replay.trace.root = "/tmp/root";
  shim::TraceEntry entry = Entry(kTraceWrite, "/tmp/root/d/f", 5, "abc");
  entry.seq = 7;
  replay.trace.entries = {entry};
  const std::filesystem::path path = out_dir / "replay_file" / "small.replay";
  (void)blackbox::WriteReplayFile(path.string(), replay);
}

void AckSeeds() {
  Save("ack_lines", "lines", "W k1 v1\nA k1 v1\nD k2\n");
  Save("ack_lines", "pieces", std::string("W k1 v\x01" "1\nA k1 v1\n\0A k2 v2\n\0D k2", 27));
  Save("ack_lines", "bad", "X k1\nA\nA k1\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  out_dir = argv[1];
  DatabaseSeeds();
  ReproSeeds();
  TraceSeeds();
  ReplaySeeds();
  AckSeeds();
  std::printf("seeds written under %s\n", out_dir.c_str());
  return 0;
}
