// Iterator tests: MergingIterator over several sources (memtables and a
// table) yields one sorted stream; DBIter over it shows, per user key, the
// newest version visible at its snapshot, hides tombstones and older
// versions across sources, and stops with the error of a failing source.
// A rapidcheck property compares DBIter with a std::map model.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "db_iter.h"
#include "dbformat.h"
#include "memory_fs_support.h"
#include "memtable.h"
#include "merging_iterator.h"
#include "table.h"
#include "table_builder.h"

namespace powercut::engine {
namespace {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

KeyValues ReadAll(Iterator* iter) {
  KeyValues out;
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
    out.emplace_back(std::string(iter->key()), std::string(iter->value()));
  }
  return out;
}

KeyValues ReadFrom(Iterator* iter, std::string_view start) {
  KeyValues out;
  for (iter->Seek(start); iter->Valid(); iter->Next()) {
    out.emplace_back(std::string(iter->key()), std::string(iter->value()));
  }
  return out;
}

// Writes a memtable's entries to a table at `path` and opens it.
std::shared_ptr<Table> FlushToTable(const MemTable& mem, faultfs::FileSystem* fs,
                                    const std::string& path) {
  Result<faultfs::FileHandle> file = fs->Open(path, faultfs::OpenOptions::CreateNew());
  EXPECT_TRUE(file.ok());
  TableBuilder builder(fs, *file, path, 64);
  std::unique_ptr<InternalIterator> iter = mem.NewIterator();
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
    EXPECT_TRUE(builder.Add(iter->key(), iter->value()).ok());
  }
  EXPECT_TRUE(builder.Finish().ok());
  EXPECT_TRUE(fs->Close(*file).ok());
  Result<std::unique_ptr<Table>> table = Table::Open(fs, path, builder.FileSize());
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  return table.ok() ? std::shared_ptr<Table>(std::move(table).value()) : nullptr;
}

// Three sources, newest first: a memtable (seq 20..), an older memtable
// (seq 10..), and a table flushed from the oldest writes (seq 1..).
class ThreeSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    oldest.Add(1, kTypeValue, "a", "a1");
    oldest.Add(2, kTypeValue, "b", "b2");
    oldest.Add(3, kTypeValue, "c", "c3");
    oldest.Add(4, kTypeValue, "d", "d4");
    middle.Add(10, kTypeDeletion, "b", "");  // deletes a table value
    middle.Add(11, kTypeValue, "c", "c11");  // overwrites a table value
    middle.Add(12, kTypeValue, "e", "e12");
    middle.Add(13, kTypeDeletion, "f", "");  // deletes nothing
    newest.Add(20, kTypeValue, "b", "b20");  // resurrects a deleted key
    newest.Add(21, kTypeDeletion, "e", "");  // deletes a memtable value
    newest.Add(22, kTypeValue, "g", "g22");
    ASSERT_TRUE(fs.MkDir("/db").ok());
    table = FlushToTable(oldest, &fs, "/db/000007.sst");
    ASSERT_NE(table, nullptr);
  }

  std::unique_ptr<InternalIterator> Merged() {
    std::vector<std::unique_ptr<InternalIterator>> children;
    children.push_back(newest.NewIterator());
    children.push_back(middle.NewIterator());
    children.push_back(table->NewIterator());
    return NewMergingIterator(std::move(children));
  }
  std::unique_ptr<Iterator> View(SequenceNumber snapshot) {
    return NewDBIterator(Merged(), snapshot);
  }

  testing::MemoryFs fs;
  MemTable oldest, middle, newest;
  std::shared_ptr<Table> table;
};

TEST_F(ThreeSourceTest, MergedStreamIsInInternalKeyOrder) {
  std::unique_ptr<InternalIterator> merged = Merged();
  const InternalKeyComparator compare;
  std::string previous;
  int count = 0;
  for (merged->SeekToFirst(); merged->Valid(); merged->Next(), ++count) {
    if (count > 0) {
      EXPECT_LT(compare.Compare(previous, merged->key()), 0) << DebugInternalKey(merged->key());
    }
    previous.assign(merged->key());
  }
  EXPECT_TRUE(merged->status().ok());
  EXPECT_EQ(count, 11);
  merged->Seek(MakeInternalKey("c", 5, kValueTypeForSeek));
  ASSERT_TRUE(merged->Valid());
  EXPECT_EQ(merged->key(), MakeInternalKey("c", 3, kTypeValue));
}

TEST_F(ThreeSourceTest, LatestSnapshotShowsNewestLiveValues) {
  const KeyValues expected = {{"a", "a1"}, {"b", "b20"}, {"c", "c11"}, {"d", "d4"}, {"g", "g22"}};
  EXPECT_EQ(ReadAll(View(kMaxSequenceNumber).get()), expected);
}

TEST_F(ThreeSourceTest, OlderSnapshotsHideLaterWrites) {
  EXPECT_EQ(ReadAll(View(4).get()),
            (KeyValues{{"a", "a1"}, {"b", "b2"}, {"c", "c3"}, {"d", "d4"}}));
  EXPECT_EQ(ReadAll(View(10).get()), (KeyValues{{"a", "a1"}, {"c", "c3"}, {"d", "d4"}}));
  EXPECT_EQ(ReadAll(View(13).get()),
            (KeyValues{{"a", "a1"}, {"c", "c11"}, {"d", "d4"}, {"e", "e12"}}));
  EXPECT_EQ(ReadAll(View(0).get()), KeyValues{});
}

TEST_F(ThreeSourceTest, SeekSkipsDeletedAndLandsOnNextLiveKey) {
  std::unique_ptr<Iterator> view = View(13);
  EXPECT_EQ(ReadFrom(view.get(), "b"), (KeyValues{{"c", "c11"}, {"d", "d4"}, {"e", "e12"}}));
  EXPECT_EQ(ReadFrom(view.get(), "bb"), (KeyValues{{"c", "c11"}, {"d", "d4"}, {"e", "e12"}}));
  EXPECT_EQ(ReadFrom(view.get(), "e"), (KeyValues{{"e", "e12"}}));
  EXPECT_EQ(ReadFrom(view.get(), "f"), KeyValues{});
  EXPECT_TRUE(view->status().ok());
}

TEST_F(ThreeSourceTest, FailingSourceStopsIterationWithItsError) {
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(newest.NewIterator());
  children.push_back(NewEmptyIterator(Status::Corruption("corrupted block at offset 0 of /x")));
  std::unique_ptr<Iterator> view =
      NewDBIterator(NewMergingIterator(std::move(children)), kMaxSequenceNumber);
  view->SeekToFirst();
  EXPECT_FALSE(view->Valid());
  EXPECT_TRUE(view->status().IsCorruption());
  EXPECT_EQ(view->status().message(), "corrupted block at offset 0 of /x");
}

TEST_F(ThreeSourceTest, CorruptTableBlockSurfacesThroughDBIter) {
  std::string bytes = fs.Contents("/db/000007.sst");
  bytes[2] ^= 1;  // inside the first data block
  fs.SetContents("/db/000007.sst", bytes);
  std::unique_ptr<Iterator> view = View(kMaxSequenceNumber);
  const KeyValues seen = ReadAll(view.get());
  EXPECT_TRUE(view->status().IsCorruption()) << view->status().ToString();
  EXPECT_NE(view->status().message().find("/db/000007.sst"), std::string::npos);
  EXPECT_TRUE(seen.empty());  // "a" lives only in the damaged block: nothing is served past it
}

TEST(DBIterTest, PinnedSourcesLiveAsLongAsTheIterator) {
  auto mem = std::make_shared<MemTable>();
  mem->Add(1, kTypeValue, "k", "v");
  std::unique_ptr<Iterator> view = NewDBIterator(mem->NewIterator(), 1, {mem});
  std::weak_ptr<MemTable> watch = mem;
  mem.reset();
  EXPECT_FALSE(watch.expired());
  EXPECT_EQ(ReadAll(view.get()), (KeyValues{{"k", "v"}}));
  view.reset();
  EXPECT_TRUE(watch.expired());
}

// An internal iterator over fixed (key, value) pairs, for hand-made input.
class VectorIterator final : public InternalIterator {
 public:
  explicit VectorIterator(KeyValues entries) : entries_(std::move(entries)) {}
  bool Valid() const override { return index_ < entries_.size(); }
  void SeekToFirst() override { index_ = 0; }
  void Seek(std::string_view target) override {
    const InternalKeyComparator compare;
    for (index_ = 0; index_ < entries_.size(); ++index_) {
      if (compare.Compare(entries_[index_].first, target) >= 0) break;
    }
  }
  void Next() override { ++index_; }
  std::string_view key() const override { return entries_[index_].first; }
  std::string_view value() const override { return entries_[index_].second; }
  Status status() const override { return Status::OK(); }

 private:
  KeyValues entries_;
  size_t index_ = 0;
};

TEST(DBIterTest, MalformedInternalKeyStopsIterationWithCorruption) {
  std::string bad_type = MakeInternalKey("b", 2, kTypeValue);
  bad_type[bad_type.size() - 8] = 7;  // the type byte: 7 is no ValueType
  std::unique_ptr<Iterator> view =
      NewDBIterator(std::make_unique<VectorIterator>(
                        KeyValues{{MakeInternalKey("a", 1, kTypeValue), "a1"}, {bad_type, "b2"}}),
                    kMaxSequenceNumber);
  view->SeekToFirst();
  ASSERT_TRUE(view->Valid());
  EXPECT_EQ(view->key(), "a");
  view->Next();
  EXPECT_FALSE(view->Valid());
  EXPECT_TRUE(view->status().IsCorruption()) << view->status().ToString();
  view->SeekToFirst();  // sticky: the iterator does not start over past bad data
  EXPECT_FALSE(view->Valid());
}

TEST(TableBuilderTest, MalformedInternalKeyIsRejectedBeforeReachingDisk) {
  testing::MemoryFs fs;
  ASSERT_TRUE(fs.MkDir("/db").ok());
  Result<faultfs::FileHandle> file = fs.Open("/db/1.sst", faultfs::OpenOptions::CreateNew());
  ASSERT_TRUE(file.ok());
  TableBuilder builder(&fs, *file, "/db/1.sst", 4096);
  EXPECT_TRUE(builder.Add("short", "v").IsInvalidArgument());
  EXPECT_EQ(builder.FileSize(), 0u);
  ASSERT_TRUE(fs.Close(*file).ok());
}

// One write: (key, value) or a deletion (value empty and deleted = true).
struct Write {
  std::string key;
  std::string value;
  bool deleted;
};

// Property: split a random write history over three sources (oldest writes
// in a table, then two memtables); for a random snapshot, DBIter shows
// exactly what replaying the writes up to the snapshot into a map gives.
RC_GTEST_PROP(DBIterProperty, MatchesAMapReplayedToTheSnapshot, ()) {
  const auto key_gen = rc::gen::map(
      rc::gen::inRange(0, 12), [](int k) { return std::string(1, static_cast<char>('a' + k)); });
  const auto writes = *rc::gen::container<std::vector<Write>>(rc::gen::construct<Write>(
      key_gen, rc::gen::map(rc::gen::inRange(0, 1000), [](int v) { return std::to_string(v); }),
      rc::gen::arbitrary<bool>()));
  const size_t split_a = *rc::gen::inRange<size_t>(0, writes.size() + 1);
  const size_t split_b = *rc::gen::inRange<size_t>(split_a, writes.size() + 1);
  const SequenceNumber snapshot = *rc::gen::inRange<SequenceNumber>(0, writes.size() + 2);

  MemTable sources[3];  // [0] oldest .. [2] newest
  std::map<std::string, std::string> model;
  for (size_t i = 0; i < writes.size(); ++i) {
    const SequenceNumber seq = i + 1;
    MemTable& target = sources[i < split_a ? 0 : (i < split_b ? 1 : 2)];
    const Write& w = writes[i];
    target.Add(seq, w.deleted ? kTypeDeletion : kTypeValue, w.key, w.value);
    if (seq > snapshot) continue;
    if (w.deleted) {
      model.erase(w.key);
    } else {
      model[w.key] = w.value;
    }
  }
  testing::MemoryFs fs;
  RC_ASSERT(fs.MkDir("/db").ok());
  std::shared_ptr<Table> table = FlushToTable(sources[0], &fs, "/db/000001.sst");
  RC_ASSERT(table != nullptr);
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(sources[2].NewIterator());
  children.push_back(sources[1].NewIterator());
  children.push_back(table->NewIterator());
  std::unique_ptr<Iterator> view = NewDBIterator(NewMergingIterator(std::move(children)), snapshot);

  const KeyValues expected(model.begin(), model.end());
  RC_ASSERT(ReadAll(view.get()) == expected);
  const std::string start = *key_gen;
  const KeyValues expected_from(model.lower_bound(start), model.end());
  RC_ASSERT(ReadFrom(view.get(), start) == expected_from);
  RC_ASSERT(view->status().ok());
}

}  // namespace
}  // namespace powercut::engine
