// VersionEdit encoding (round trip; every truncation, an unknown tag and a
// repeated singleton are Corruption) and file names (ParseFileName inverts
// the name builders and rejects foreign names).
#include <gtest/gtest.h>

#include "coding.h"
#include "filename.h"
#include "version_edit.h"

namespace powercut::engine {
namespace {

VersionEdit FullEdit() {
  VersionEdit edit;
  edit.log_number = 7;
  edit.next_file_number = 12;
  edit.last_sequence = uint64_t{1} << 40;
  edit.new_tables.push_back({5, 4096, "a\x01\x00\x00\x00\x00\x00\x00\x01", "zz"});
  edit.new_tables.push_back({9, 1, "", std::string(300, 'k')});
  edit.deleted_tables = {3, 4};
  return edit;
}

TEST(VersionEditTest, RoundTrips) {
  std::string encoded;
  FullEdit().EncodeTo(&encoded);
  Result<VersionEdit> decoded = VersionEdit::Decode(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  VersionEdit expected = FullEdit();
  EXPECT_EQ(*decoded, expected);
  EXPECT_EQ(*VersionEdit::Decode(""), VersionEdit{});
}

TEST(VersionEditTest, EveryTruncationIsCorruptionOrAShorterValidEdit) {
  std::string encoded;
  FullEdit().EncodeTo(&encoded);
  int corrupt = 0;
  for (size_t n = 0; n < encoded.size(); ++n) {
    Result<VersionEdit> decoded = VersionEdit::Decode(encoded.substr(0, n));
    if (!decoded.ok()) {
      EXPECT_TRUE(decoded.status().IsCorruption());
      ++corrupt;
    } else {
      EXPECT_NE(*decoded, FullEdit()) << n;  // a field-boundary prefix, never the whole
    }
  }
  EXPECT_GT(corrupt, static_cast<int>(encoded.size()) / 2);
}

TEST(VersionEditTest, UnknownTagAndRepeatedSingletonAreCorruption) {
  std::string unknown;
  PutVarint32(&unknown, 99);
  EXPECT_TRUE(VersionEdit::Decode(unknown).status().IsCorruption());
  std::string twice;
  for (int i = 0; i < 2; ++i) {
    PutVarint32(&twice, static_cast<uint32_t>(EditTag::kLogNumber));
    PutVarint64(&twice, 4);
  }
  EXPECT_TRUE(VersionEdit::Decode(twice).status().IsCorruption());
}

TEST(FileNameTest, ParseInvertsTheBuilders) {
  FileType type;
  uint64_t number = 0;
  ASSERT_TRUE(ParseFileName("000007.log", &type, &number));
  EXPECT_EQ(type, FileType::kLogFile);
  EXPECT_EQ(number, 7u);
  ASSERT_TRUE(ParseFileName("1234567.sst", &type, &number));
  EXPECT_EQ(type, FileType::kTableFile);
  EXPECT_EQ(number, 1234567u);
  ASSERT_TRUE(ParseFileName(ManifestBaseName(3), &type, &number));
  EXPECT_EQ(type, FileType::kManifestFile);
  EXPECT_EQ(number, 3u);
  ASSERT_TRUE(ParseFileName("000004.dbtmp", &type, &number));
  EXPECT_EQ(type, FileType::kTempFile);
  ASSERT_TRUE(ParseFileName("CURRENT", &type, &number));
  EXPECT_EQ(type, FileType::kCurrentFile);
  ASSERT_TRUE(ParseFileName("LOCK", &type, &number));
  EXPECT_EQ(type, FileType::kLockFile);
  EXPECT_EQ(LogFileName("/db", 7), "/db/000007.log");
  EXPECT_EQ(CurrentFileName("/db"), "/db/CURRENT");
}

TEST(FileNameTest, ForeignNamesAreRejected) {
  FileType type;
  uint64_t number = 0;
  for (const char* name : {"notes.txt", ".log", "x1.log", "MANIFEST-", "MANIFEST-12a", "CURRENTX",
                           "000001.log.bak", "99999999999999999999.sst"}) {
    EXPECT_FALSE(ParseFileName(name, &type, &number)) << name;
  }
}

}  // namespace
}  // namespace powercut::engine
