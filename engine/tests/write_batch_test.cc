// Tests of WriteBatch: the exact encoding (it is the WAL record payload),
// sequence and count stamping, Append, and that Iterate rejects every
// malformed encoding with Corruption, without crashing, over-reading, or
// handing a partial batch to the handler.
#include "powercut/engine/write_batch.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "coding.h"
#include "write_batch_internal.h"

namespace powercut::engine {
namespace {

// Records every entry as text: "Put(k, v)" / "Delete(k)".
class Recorder : public WriteBatch::Handler {
 public:
  void Put(std::string_view key, std::string_view value) override {
    entries.push_back("Put(" + std::string(key) + ", " + std::string(value) + ")");
  }
  void Delete(std::string_view key) override {
    entries.push_back("Delete(" + std::string(key) + ")");
  }
  std::vector<std::string> entries;
};

Status Replay(std::string_view contents, std::vector<std::string>* entries) {
  WriteBatch batch;
  POWERCUT_RETURN_IF_ERROR(WriteBatchInternal::SetContents(&batch, contents));
  Recorder recorder;
  Status status = batch.Iterate(&recorder);
  *entries = recorder.entries;
  return status;
}

TEST(WriteBatchTest, EmptyBatchIsJustTheHeader) {
  WriteBatch batch;
  EXPECT_EQ(batch.Count(), 0u);
  EXPECT_EQ(WriteBatchInternal::ByteSize(batch), kWriteBatchHeaderSize);
  EXPECT_EQ(WriteBatchInternal::Contents(batch), std::string(12, '\0'));
  Recorder recorder;
  EXPECT_TRUE(batch.Iterate(&recorder).ok());
  EXPECT_TRUE(recorder.entries.empty());
}

TEST(WriteBatchTest, EncodingMatchesTheDocumentedFormat) {
  WriteBatch batch;
  batch.Put("k", "vv");
  batch.Delete("d");
  WriteBatchInternal::SetSequence(&batch, 0x0102030405060708ull);
  std::string expected;
  PutFixed64(&expected, 0x0102030405060708ull);
  PutFixed32(&expected, 2);
  expected += std::string("\x01\x01k\x02vv", 6);
  expected += std::string(
      "\x00\x01"
      "d",
      3);
  EXPECT_EQ(WriteBatchInternal::Contents(batch), expected);
  EXPECT_EQ(WriteBatchInternal::Sequence(batch), 0x0102030405060708ull);
}

TEST(WriteBatchTest, IterateReplaysEntriesInOrder) {
  WriteBatch batch;
  batch.Put("foo", "bar");
  batch.Delete("box");
  batch.Put("baz", "");
  EXPECT_EQ(batch.Count(), 3u);
  Recorder recorder;
  ASSERT_TRUE(batch.Iterate(&recorder).ok());
  EXPECT_EQ(recorder.entries,
            (std::vector<std::string>{"Put(foo, bar)", "Delete(box)", "Put(baz, )"}));
}

TEST(WriteBatchTest, AppendConcatenatesEntriesAndKeepsSequence) {
  WriteBatch a;
  WriteBatchInternal::SetSequence(&a, 200);
  a.Put("a", "1");
  WriteBatch b;
  WriteBatchInternal::SetSequence(&b, 999);
  b.Put("b", "2");
  b.Delete("c");
  a.Append(b);
  EXPECT_EQ(a.Count(), 3u);
  EXPECT_EQ(WriteBatchInternal::Sequence(a), 200u);
  Recorder recorder;
  ASSERT_TRUE(a.Iterate(&recorder).ok());
  EXPECT_EQ(recorder.entries, (std::vector<std::string>{"Put(a, 1)", "Put(b, 2)", "Delete(c)"}));
}

TEST(WriteBatchTest, ClearResetsToEmpty) {
  WriteBatch batch;
  batch.Put("a", "b");
  batch.Clear();
  EXPECT_EQ(batch.Count(), 0u);
  EXPECT_EQ(WriteBatchInternal::ByteSize(batch), kWriteBatchHeaderSize);
}

TEST(WriteBatchTest, ContentsRoundTripThroughSetContents) {
  WriteBatch batch;
  batch.Put(std::string(300, 'k'), std::string(70000, 'v'));
  batch.Delete("gone");
  WriteBatchInternal::SetSequence(&batch, 42);
  WriteBatch copy;
  ASSERT_TRUE(WriteBatchInternal::SetContents(&copy, WriteBatchInternal::Contents(batch)).ok());
  EXPECT_EQ(WriteBatchInternal::Sequence(copy), 42u);
  EXPECT_EQ(copy.Count(), 2u);
  Recorder recorder;
  ASSERT_TRUE(copy.Iterate(&recorder).ok());
  EXPECT_EQ(recorder.entries.size(), 2u);
}

TEST(WriteBatchTest, SetContentsRejectsRecordShorterThanHeader) {
  WriteBatch batch;
  batch.Put("keep", "me");
  const Status status = WriteBatchInternal::SetContents(&batch, std::string(11, '\0'));
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
  EXPECT_EQ(batch.Count(), 1u) << "a rejected SetContents leaves the batch unchanged";
}

TEST(WriteBatchTest, CountMismatchIsCorruptionAndNothingIsReplayed) {
  WriteBatch batch;
  batch.Put("a", "1");
  batch.Put("b", "2");
  WriteBatchInternal::SetCount(&batch, 3);
  Recorder recorder;
  EXPECT_TRUE(batch.Iterate(&recorder).IsCorruption());
  EXPECT_TRUE(recorder.entries.empty());
  WriteBatchInternal::SetCount(&batch, 1);
  EXPECT_TRUE(batch.Iterate(&recorder).IsCorruption());
  EXPECT_TRUE(recorder.entries.empty());
}

TEST(WriteBatchTest, UnknownTagIsCorruption) {
  std::string contents(12, '\0');
  EncodeFixed32(contents.data() + 8, 1);
  contents += std::string("\x07\x01k", 3);
  std::vector<std::string> entries;
  const Status status = Replay(contents, &entries);
  EXPECT_TRUE(status.IsCorruption());
  EXPECT_NE(status.message().find("unknown entry tag 7"), std::string::npos) << status.message();
}

TEST(WriteBatchTest, EveryTruncationOfAValidBatchIsCorruptionOrAPrefixNeverACrash) {
  WriteBatch batch;
  batch.Put("alpha", "one");
  batch.Delete("beta");
  batch.Put("gamma", std::string(200, 'g'));
  const std::string full(WriteBatchInternal::Contents(batch));
  for (size_t length = kWriteBatchHeaderSize; length < full.size(); ++length) {
    std::vector<std::string> entries;
    // The count in the header is 3, so any truncation loses an entry or a byte.
    EXPECT_TRUE(Replay(full.substr(0, length), &entries).IsCorruption()) << length;
    EXPECT_TRUE(entries.empty()) << length;
  }
}

RC_GTEST_PROP(WriteBatchTest, ArbitraryContentsNeverCrashAndValidOnesReplayFully,
              (const std::vector<char>& bytes)) {
  std::vector<std::string> entries;
  const Status status = Replay(std::string_view(bytes.data(), bytes.size()), &entries);
  if (bytes.size() < kWriteBatchHeaderSize) {
    RC_ASSERT(status.IsCorruption());
  } else if (status.ok()) {
    RC_ASSERT(entries.size() == DecodeFixed32(bytes.data() + 8));
  } else {
    RC_ASSERT(status.IsCorruption());
    RC_ASSERT(entries.empty());
  }
}

RC_GTEST_PROP(WriteBatchTest, BuiltBatchesRoundTrip,
              (const std::vector<std::pair<std::string, std::string>>& puts)) {
  WriteBatch batch;
  std::vector<std::string> expected;
  for (const auto& [key, value] : puts) {
    if (value.empty()) {
      batch.Delete(key);
      expected.push_back("Delete(" + key + ")");
    } else {
      batch.Put(key, value);
      expected.push_back("Put(" + key + ", " + value + ")");
    }
  }
  std::vector<std::string> entries;
  RC_ASSERT(Replay(WriteBatchInternal::Contents(batch), &entries).ok());
  RC_ASSERT(entries == expected);
}

}  // namespace
}  // namespace powercut::engine
