// Tests of the trace loader with hand-built traces: each trace kind becomes
// the right SimFs operations (visible vs durable state), failed calls change
// nothing, descriptors survive dup and fork, acks are stamped at the SimFs
// position, and a trace that cannot be replayed names the entry.
#include "trace_loader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "trace_builder_support.h"
#include "trace_format.h"

namespace powercut::blackbox {
namespace {

using faultfs::OpKind;
using shim::Trace;
using shim::TraceEntry;
using testing_support::kRoot;
using testing_support::TraceBuilder;

LoadedTrace MustLoad(const Trace& trace, const InitialImage& image = {}) {
  Result<LoadedTrace> loaded = LoadTrace(image, trace);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  return loaded.ok() ? std::move(*loaded) : LoadedTrace{};
}

std::vector<OpKind> Kinds(const LoadedTrace& loaded) {
  std::vector<OpKind> kinds;
  for (const OpOrigin& origin : loaded.ops) kinds.push_back(origin.op.kind);
  return kinds;
}

TEST(TraceLoaderTest, WriteWithoutFsyncIsVisibleNotDurable) {
  TraceBuilder t;
  t.Open("/a", 3, O_CREAT | O_WRONLY);
  t.Write("/a", 3, 0, "hello");
  t.Ack("A a hello\n");
  t.Add(kTraceClose, "/a", 3);
  LoadedTrace loaded = MustLoad(t.Build());
  ASSERT_NE(loaded.fs, nullptr);
  EXPECT_EQ(Kinds(loaded), (std::vector{OpKind::kCreate, OpKind::kWrite}));
  EXPECT_EQ(loaded.fs->DumpVisible()["/a"], "hello");
  EXPECT_FALSE(loaded.fs->DumpDurable().contains("/a"));
  ASSERT_EQ(loaded.acks.size(), 1u);
  EXPECT_EQ(loaded.acks[0].position, 2u);
  EXPECT_EQ(loaded.acks[0].seq, 3u);
  EXPECT_EQ(loaded.Origin(2).seq, 2u);
}

TEST(TraceLoaderTest, FileAndDirectoryFsyncMakeItDurable) {
  TraceBuilder t;
  t.Add(kTraceMkdir, "/d");
  t.Open("/d/a", 3, O_CREAT | O_RDWR);
  t.Write("/d/a", 3, 0, "abc");
  t.Add(kTraceFsync, "/d/a", 3);
  t.Open("/d", 4, O_RDONLY);    // a directory opened without O_DIRECTORY
  t.Add(kTraceFsync, "/d", 4);  // recognised through the open, no is_dir bit
  t.Add(kTraceFsync, "", 9).flag_bits = kTraceIsDir;
  Trace trace = t.Build();
  trace.entries.back().path = kRoot;  // fsync of the root directory
  LoadedTrace loaded = MustLoad(trace);
  EXPECT_EQ(Kinds(loaded), (std::vector{OpKind::kMkDir, OpKind::kCreate, OpKind::kWrite,
                                        OpKind::kSync, OpKind::kSyncDir, OpKind::kSyncDir}));
  const auto durable = loaded.fs->DumpDurable();
  EXPECT_EQ(durable.at("/d/a"), "abc");
  EXPECT_TRUE(durable.contains("/d/"));
  EXPECT_TRUE(loaded.fs->PendingOps().empty());
}

TEST(TraceLoaderTest, FailedCallsChangeNothing) {
  TraceBuilder t;
  t.Open("/a", 3, O_CREAT | O_WRONLY);
  t.Write("/a", 3, 0, "x").flag_bits = kTraceFailed;
  t.Add(kTraceFsync, "/a", 3).flag_bits = kTraceFailed;
  t.Open("/b", -1, O_CREAT | O_WRONLY).flag_bits = kTraceFailed;
  LoadedTrace loaded = MustLoad(t.Build());
  EXPECT_EQ(Kinds(loaded), std::vector{OpKind::kCreate});
  EXPECT_EQ(loaded.fs->DumpVisible().at("/a"), "");
  EXPECT_FALSE(loaded.fs->DumpVisible().contains("/b"));
}

TEST(TraceLoaderTest, InitialImageIsDurableAndTruncateOnOpen) {
  InitialImage image;
  image.directories = {"/db"};
  image.files = {{"/db/log", "0123456789"}};
  TraceBuilder t;
  t.Open("/db/log", 3, O_WRONLY | O_TRUNC);
  t.Write("/db/log", 3, 0, "new");
  t.Add(kTraceFdatasync, "/db/log", 3);
  LoadedTrace loaded = MustLoad(t.Build(), image);
  EXPECT_EQ(Kinds(loaded), (std::vector{OpKind::kTruncate, OpKind::kWrite, OpKind::kDataSync}));
  EXPECT_EQ(loaded.fs->DumpDurable().at("/db/log"), "new");
}

TEST(TraceLoaderTest, NamesRenameLinkUnlinkRmdirAndSync) {
  TraceBuilder t;
  t.Open("/tmp1", 3, O_CREAT | O_WRONLY);
  t.Write("/tmp1", 3, 0, "v");
  t.Add(kTraceRename, "/tmp1").path2 = std::string(kRoot) + "/final";
  t.Add(kTraceLink, "/final").path2 = std::string(kRoot) + "/alias";
  t.Add(kTraceMkdir, "/gone");
  t.Add(kTraceRmdir, "/gone");
  t.Add(kTraceUnlink, "/alias");
  t.Add(kTraceSyncFileRange, "/final", 3);  // no durability
  EXPECT_EQ(MustLoad(t.Build()).fs->DumpDurable().count("/final"), 0u);
  t.Add(kTraceSync);
  LoadedTrace loaded = MustLoad(t.Build());
  EXPECT_EQ(Kinds(loaded).back(), OpKind::kSyncAll);
  const auto durable = loaded.fs->DumpDurable();
  EXPECT_EQ(durable.at("/final"), "v");
  EXPECT_FALSE(durable.contains("/tmp1"));
  EXPECT_FALSE(durable.contains("/alias"));
  EXPECT_FALSE(durable.contains("/gone/"));
}

TEST(TraceLoaderTest, DescriptorsSurviveDupAndFork) {
  TraceBuilder t;
  t.Open("/a", 3, O_CREAT | O_WRONLY);
  t.Add(kTraceDup, "/a", 3).result = 7;
  t.Add(kTraceClose, "/a", 3);
  t.Write("/a", 7, 0, "parent");
  t.Write("/a", 7, 6, "+child", /*pid=*/200);  // inherited over fork
  t.Add(kTraceFsync, "/a", 7, 200);
  LoadedTrace loaded = MustLoad(t.Build());
  EXPECT_EQ(loaded.fs->DumpVisible().at("/a"), "parent+child");
  EXPECT_EQ(Kinds(loaded).back(), OpKind::kSync);
  EXPECT_EQ(loaded.Origin(loaded.ops.size()).pid, 200);
}

TEST(TraceLoaderTest, WritesFollowTheDescriptorAcrossRename) {
  TraceBuilder t;
  t.Open("/a", 3, O_CREAT | O_WRONLY);
  t.Add(kTraceRename, "/a").path2 = std::string(kRoot) + "/b";
  t.Write("/a", 3, 0, "data");  // the shim may still name the old path
  LoadedTrace loaded = MustLoad(t.Build());
  EXPECT_EQ(loaded.fs->DumpVisible().at("/b"), "data");
}

TEST(TraceLoaderTest, FallocateGrowsUnlessKeepSizeAndTruncate) {
  TraceBuilder t;
  t.Open("/a", 3, O_CREAT | O_WRONLY);
  t.Write("/a", 3, 0, "xyxyxy");
  TraceEntry& punch = t.Add(kTraceFallocate, "/a", 3);
  punch.flags = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
  punch.offset = 2;
  punch.length = 2;
  TraceEntry& grow = t.Add(kTraceFallocate, "/a", 3);
  grow.offset = 0;
  grow.length = 8;
  TraceEntry& keep = t.Add(kTraceFallocate, "/a", 3);
  keep.flags = FALLOC_FL_KEEP_SIZE;
  keep.length = 100;
  LoadedTrace loaded = MustLoad(t.Build());
  EXPECT_EQ(loaded.fs->DumpVisible().at("/a"), std::string("xy\0\0xy\0\0", 8));
  t.Add(kTraceTruncate, "/a").offset = 1;  // truncate(2): no descriptor
  EXPECT_EQ(MustLoad(t.Build()).fs->DumpVisible().at("/a"), "x");
}

// The durable (visible) contents of `path`: "<absent>" when it is not there,
// "<not loaded>" when the load failed.
std::string Durable(const LoadedTrace& loaded, const std::string& path, bool visible = false) {
  if (loaded.fs == nullptr) return "<not loaded>";
  const auto files = visible ? loaded.fs->DumpVisible() : loaded.fs->DumpDurable();
  auto it = files.find(path);
  return it == files.end() ? "<absent>" : it->second;
}
std::string Visible(const LoadedTrace& loaded, const std::string& path) {
  return Durable(loaded, path, /*visible=*/true);
}

constexpr uint32_t kLoneSyncBit = 04000000;  // __O_SYNC without O_DSYNC

TEST(TraceLoaderTest, SynchronousDescriptorsMakeEachWriteDurable) {
  InitialImage image;
  image.files = {{"/d", ""}, {"/s", ""}, {"/g", ""}, {"/p", ""}};
  TraceBuilder t;
  t.Open("/d", 3, O_WRONLY | O_DSYNC);
  t.Write("/d", 3, 0, "dsync");
  t.Add(kTraceDup, "/d", 3).result = 7;  // the mode travels with the description
  t.Write("/d", 7, 5, "+dup");
  t.Write("/d", 3, 9, "+child", /*pid=*/200);  // inherited over fork
  t.Open("/s", 4, O_RDWR | O_SYNC);
  t.Write("/s", 4, 0, "osync");
  t.Open("/g", 5, O_WRONLY | kLoneSyncBit);
  t.Write("/g", 5, 0, "lone");
  t.Open("/p", 6, O_WRONLY);
  t.Write("/p", 6, 0, "pending");
  LoadedTrace loaded = MustLoad(t.Build(), image);
  EXPECT_EQ(Durable(loaded, "/d"), "dsync+dup+child");
  EXPECT_EQ(Durable(loaded, "/s"), "osync");
  EXPECT_EQ(Durable(loaded, "/g"), "lone");
  EXPECT_EQ(Durable(loaded, "/p"), "");
  EXPECT_EQ(Visible(loaded, "/p"), "pending");
}

TEST(TraceLoaderTest, RwfFlagsMakeOneWriteDurable) {
  InitialImage image;
  image.files = {{"/p", "........."}};
  TraceBuilder t;
  t.Open("/p", 3, O_WRONLY);
  t.Write("/p", 3, 0, "ds").flags = RWF_DSYNC;
  t.Write("/p", 3, 3, "sy").flags = RWF_SYNC;
  t.Write("/p", 3, 6, "no").flags = RWF_APPEND;  // not synchronous
  LoadedTrace loaded = MustLoad(t.Build(), image);
  EXPECT_EQ(Durable(loaded, "/p"), "ds.sy....");
  EXPECT_EQ(Visible(loaded, "/p"), "ds.sy.no.");
}

TEST(TraceLoaderTest, TruncateOnAnOSyncDescriptorStaysPending) {
  InitialImage image;
  image.files = {{"/s", "0123456789"}};
  TraceBuilder t;
  t.Open("/s", 3, O_RDWR | O_SYNC);
  t.Add(kTraceTruncate, "/s", 3).offset = 4;  // ftruncate: no generic_write_sync
  LoadedTrace loaded = MustLoad(t.Build(), image);
  EXPECT_EQ(Visible(loaded, "/s"), "0123");
  EXPECT_EQ(Durable(loaded, "/s"), "0123456789");
}

// Pages of a mapping arrive as writes with fd -1; MS_SYNC makes every pending
// write overlapping its range durable, nothing outside it; MS_ASYNC nothing.
TEST(TraceLoaderTest, MsyncMakesOnlyItsRangeDurable) {
  constexpr size_t kPage = 4096;
  const std::string dots(3 * kPage, '.');
  InitialImage image;
  image.files = {{"/m", dots}};
  TraceBuilder t;
  t.Write("/m", -1, 0, "AAAA");          // page 0 changed
  t.Write("/m", -1, 2 * kPage, "CCCC");  // page 2 changed
  t.Open("/m", 3, O_WRONLY);
  t.Write("/m", 3, kPage + 1, "b");  // a write(2) into page 1, before the msync
  TraceEntry& async = t.Add(kTraceMsync, "/m", 3);
  async.length = 3 * kPage;
  async.flags = MS_ASYNC;
  EXPECT_EQ(Durable(MustLoad(t.Build(), image), "/m"), dots);
  TraceEntry& sync = t.Add(kTraceMsync, "/m", 3);
  sync.offset = 0;
  sync.length = 2 * kPage;  // pages 0 and 1
  sync.flags = MS_SYNC;
  LoadedTrace loaded = MustLoad(t.Build(), image);
  std::string durable = dots;
  durable.replace(0, 4, "AAAA");
  durable.replace(kPage + 1, 1, "b");
  EXPECT_EQ(Durable(loaded, "/m"), durable);
  std::string visible = durable;
  visible.replace(2 * kPage, 4, "CCCC");
  EXPECT_EQ(Visible(loaded, "/m"), visible);
}

TEST(TraceLoaderTest, MsyncWithDataFromAnOlderShimWritesAndSyncs) {
  InitialImage image;
  image.files = {{"/m", std::string(8, '.')}};
  TraceBuilder t;
  TraceEntry& msync = t.Add(kTraceMsync, "/m");
  msync.offset = 0;
  msync.data = "mapped!!";
  msync.flags = MS_SYNC;
  LoadedTrace loaded = MustLoad(t.Build(), image);
  EXPECT_EQ(Durable(loaded, "/m"), "mapped!!");
}

TEST(TraceLoaderTest, FallocateCollapseAndInsertMoveTheTail) {
  TraceBuilder t;
  t.Open("/a", 3, O_CREAT | O_WRONLY);
  t.Write("/a", 3, 0, "0123456789");
  TraceEntry& collapse = t.Add(kTraceFallocate, "/a", 3);
  collapse.flags = FALLOC_FL_COLLAPSE_RANGE;
  collapse.offset = 2;
  collapse.length = 3;
  EXPECT_EQ(Visible(MustLoad(t.Build()), "/a"), "0156789");
  TraceEntry& insert = t.Add(kTraceFallocate, "/a", 3);
  insert.flags = FALLOC_FL_INSERT_RANGE;
  insert.offset = 1;
  insert.length = 2;
  const std::string two_zeros(2, '\0');
  EXPECT_EQ(Visible(MustLoad(t.Build()), "/a"), "0" + two_zeros + "156789");
  TraceEntry& zero = t.Add(kTraceFallocate, "/a", 3);
  zero.flags = FALLOC_FL_ZERO_RANGE;
  zero.offset = 7;
  zero.length = 4;
  EXPECT_EQ(Visible(MustLoad(t.Build()), "/a"), "0" + two_zeros + "1567" + std::string(4, '\0'));
  t.Add(kTraceFallocate, "/a", 3).flags = FALLOC_FL_NO_HIDE_STALE;
  Result<LoadedTrace> refused = LoadTrace({}, t.Build());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("fallocate mode 4 is not supported"), std::string::npos)
      << refused.status().message();
}

// ext4 commits fallocate modes 0 and ZERO_RANGE at once on an O_SYNC/O_DSYNC
// descriptor, PUNCH_HOLE only for IS_SYNC inodes.
TEST(TraceLoaderTest, FallocateOnASynchronousDescriptor) {
  InitialImage image;
  image.files = {{"/s", "abcdef"}};
  TraceBuilder t;
  t.Open("/s", 3, O_WRONLY | O_DSYNC);
  TraceEntry& punch = t.Add(kTraceFallocate, "/s", 3);
  punch.flags = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
  punch.offset = 0;
  punch.length = 2;
  TraceEntry& grow = t.Add(kTraceFallocate, "/s", 3);
  grow.offset = 0;
  grow.length = 8;
  LoadedTrace loaded = MustLoad(t.Build(), image);
  EXPECT_EQ(Visible(loaded, "/s"), std::string("\0\0cdef\0\0", 8));
  const std::string durable = Durable(loaded, "/s");
  EXPECT_EQ(durable.size(), 8u);  // the growth is durable
  EXPECT_EQ(durable.substr(2), std::string("cdef\0\0", 6));
}

TEST(TraceLoaderTest, UnreplayableEntriesAreNamed) {
  TraceBuilder t;
  t.Open("/a", 3, O_CREAT | O_WRONLY);
  t.Write("/a", 3, 0, "x");
  Trace outside = t.Build();
  outside.entries.back().path = "/elsewhere/a";
  outside.entries.back().fd = 4;  // unknown descriptor: found by path
  Result<LoadedTrace> loaded = LoadTrace({}, outside);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("seq 2 pid 100 write /elsewhere/a"), std::string::npos)
      << loaded.status().message();
  EXPECT_NE(loaded.status().message().find("outside the root"), std::string::npos);

  TraceBuilder bad_ack;
  bad_ack.Ack("A k v\nnonsense\n");
  Result<LoadedTrace> acked = LoadTrace({}, bad_ack.Build());
  ASSERT_FALSE(acked.ok());
  EXPECT_NE(acked.status().message().find("ack line 2 of pid 100"), std::string::npos);
}

TEST(TraceLoaderTest, VirtualPaths) {
  EXPECT_EQ(VirtualPath("/r", "/r").value(), "/");
  EXPECT_EQ(VirtualPath("/r", "/r/a/b").value(), "/a/b");
  EXPECT_FALSE(VirtualPath("/r", "/rx/a").ok());
  EXPECT_FALSE(VirtualPath("/r", "/").ok());
}

TEST(TraceLoaderTest, CallbackSeesEveryPositionInOrder) {
  TraceBuilder t;
  t.Open("/a", 3, O_CREAT | O_WRONLY);
  t.Write("/a", 3, 0, "1");
  t.Add(kTraceFsync, "/a", 3);
  std::vector<uint64_t> positions;
  Result<LoadedTrace> loaded =
      LoadTrace({}, t.Build(), [&](const faultfs::SimFs& fs, uint64_t position) {
        positions.push_back(position);
        EXPECT_EQ(fs.position(), position);
      });
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(positions, (std::vector<uint64_t>{1, 2, 3}));
}

}  // namespace
}  // namespace powercut::blackbox
