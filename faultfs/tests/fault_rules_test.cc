// Tests of the error-injection rule text: each rule kind parses into the
// fields it names, prints back to text that parses to the same rule, lists
// split on ';', and every malformed field is refused with a message naming it.
#include "powercut/faultfs/fault_rules.h"

#include <gtest/gtest.h>

namespace powercut::faultfs {
namespace {

FaultRule ParseOrDie(std::string_view text) {
  Result<FaultRule> rule = FaultRule::Parse(text);
  EXPECT_TRUE(rule.ok()) << text << ": " << rule.status().ToString();
  return rule.ok() ? *rule : FaultRule{};
}

void ExpectSameRule(const FaultRule& a, const FaultRule& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.path_glob, b.path_glob);
  EXPECT_EQ(a.nth, b.nth);
  EXPECT_EQ(a.after_failure, b.after_failure);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.length, b.length);
  EXPECT_EQ(a.bit, b.bit);
}

TEST(FaultRuleTest, FsyncEioDefaultsToDropProfile) {
  FaultRule rule = ParseOrDie("fsync-eio:*.log:3");
  EXPECT_EQ(rule.kind, FaultKind::kFsyncEio);
  EXPECT_EQ(rule.path_glob, "*.log");
  EXPECT_EQ(rule.nth, 3u);
  EXPECT_EQ(rule.after_failure, FsyncFailureProfile::kDrop);
  EXPECT_EQ(rule.ToString(), "fsync-eio:*.log:3:drop");
}

TEST(FaultRuleTest, FsyncEioTakesEachProfile) {
  EXPECT_EQ(ParseOrDie("fsync-eio:/db/*:0:keep").after_failure, FsyncFailureProfile::kKeep);
  EXPECT_EQ(ParseOrDie("fsync-eio:*:1:drop").after_failure, FsyncFailureProfile::kDrop);
  EXPECT_EQ(ParseOrDie("fsync-eio:*:1:clean-but-visible").after_failure,
            FsyncFailureProfile::kCleanButVisible);
  EXPECT_EQ(ParseOrDie("fsync-eio:*:0:keep").nth, 0u);
}

TEST(FaultRuleTest, EnospcGlobIsOptional) {
  FaultRule every = ParseOrDie("enospc:4096");
  EXPECT_EQ(every.kind, FaultKind::kEnospc);
  EXPECT_EQ(every.bytes, 4096u);
  EXPECT_EQ(every.path_glob, "*");
  EXPECT_EQ(every.ToString(), "enospc:4096:*");
  FaultRule logs = ParseOrDie("enospc:10:*.log");
  EXPECT_EQ(logs.path_glob, "*.log");
}

TEST(FaultRuleTest, ShortWriteBytesDefaultToHalf) {
  FaultRule half = ParseOrDie("short-write:*.sst:2");
  EXPECT_EQ(half.kind, FaultKind::kShortWrite);
  EXPECT_EQ(half.nth, 2u);
  EXPECT_EQ(half.bytes, 0u);
  EXPECT_EQ(half.ToString(), "short-write:*.sst:2");
  FaultRule seven = ParseOrDie("short-write:*:0:7");
  EXPECT_EQ(seven.nth, 0u);
  EXPECT_EQ(seven.bytes, 7u);
  EXPECT_EQ(seven.ToString(), "short-write:*:0:7");
}

TEST(FaultRuleTest, ReadEioNamesARange) {
  FaultRule rule = ParseOrDie("read-eio:/db/000005.sst:4096:512");
  EXPECT_EQ(rule.kind, FaultKind::kReadEio);
  EXPECT_EQ(rule.path_glob, "/db/000005.sst");
  EXPECT_EQ(rule.offset, 4096u);
  EXPECT_EQ(rule.length, 512u);
}

TEST(FaultRuleTest, BitFlipNamesAByteAndBit) {
  FaultRule rule = ParseOrDie("bitflip:/db/CURRENT:3:7");
  EXPECT_EQ(rule.kind, FaultKind::kBitFlip);
  EXPECT_EQ(rule.path_glob, "/db/CURRENT");
  EXPECT_EQ(rule.offset, 3u);
  EXPECT_EQ(rule.bit, 7u);
}

TEST(FaultRuleTest, MediaDamageRulesNameTheirBytes) {
  FaultRule zero = ParseOrDie("zero-sector:/db/000002.log:700");
  EXPECT_EQ(zero.kind, FaultKind::kZeroSector);
  EXPECT_EQ(zero.offset, 700u);
  EXPECT_EQ(zero.length, 512u);  // the default sector
  EXPECT_EQ(zero.ToString(), "zero-sector:/db/000002.log:700:512");
  FaultRule moved = ParseOrDie("misdirect:/db/CURRENT:0:8:4");
  EXPECT_EQ(moved.kind, FaultKind::kMisdirect);
  EXPECT_EQ(moved.offset, 0u);
  EXPECT_EQ(moved.target, 8u);
  EXPECT_EQ(moved.length, 4u);
  for (FaultKind kind : {FaultKind::kBitFlip, FaultKind::kZeroSector, FaultKind::kMisdirect}) {
    EXPECT_TRUE(IsMediaDamage(kind));
  }
  EXPECT_FALSE(IsMediaDamage(FaultKind::kReadEio));
}

TEST(FaultRuleTest, EveryKindRoundTripsThroughToString) {
  for (std::string_view text :
       {"fsync-eio:*.log:3", "fsync-eio:*:0:keep", "fsync-eio:/db/MANIFEST-*:1:clean-but-visible",
        "enospc:0", "enospc:18446744073709551615:/x/*", "short-write:*:1",
        "short-write:*.log:5:100", "read-eio:*:0:1", "read-eio:/a:100:4096", "bitflip:/a/b:0:0",
        "bitflip:/db/000001.log:123:5", "zero-sector:/db/000002.log:700", "zero-sector:/a:0:4096",
        "misdirect:/db/CURRENT:0:8:8"}) {
    FaultRule rule = ParseOrDie(text);
    Result<FaultRule> again = FaultRule::Parse(rule.ToString());
    ASSERT_TRUE(again.ok()) << rule.ToString() << ": " << again.status().ToString();
    ExpectSameRule(*again, rule);
    EXPECT_EQ(again->ToString(), rule.ToString());
  }
}

TEST(FaultRuleTest, ParseListSplitsOnSemicolonsAndSkipsEmptyParts) {
  Result<std::vector<FaultRule>> rules =
      FaultRule::ParseList(";fsync-eio:*.log:1;; enospc:100 ;bitflip:/f:0:1;");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].kind, FaultKind::kFsyncEio);
  EXPECT_EQ((*rules)[1].kind, FaultKind::kEnospc);
  EXPECT_EQ((*rules)[2].kind, FaultKind::kBitFlip);
  Result<std::vector<FaultRule>> none = FaultRule::ParseList("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(FaultRuleTest, ParseListReportsTheBadRule) {
  Result<std::vector<FaultRule>> rules = FaultRule::ParseList("enospc:1;fsync-eio:*:x");
  ASSERT_FALSE(rules.ok());
  EXPECT_TRUE(rules.status().IsInvalidArgument());
  EXPECT_NE(rules.status().message().find("fsync-eio:*:x"), std::string::npos)
      << rules.status().message();
}

TEST(FaultRuleTest, ProfileNamesAreTheRuleSpellings) {
  EXPECT_EQ(FsyncFailureProfileName(FsyncFailureProfile::kDrop), "drop");
  EXPECT_EQ(FsyncFailureProfileName(FsyncFailureProfile::kKeep), "keep");
  EXPECT_EQ(FsyncFailureProfileName(FsyncFailureProfile::kCleanButVisible), "clean-but-visible");
}

struct BadRule {
  std::string text;
  std::string message_part;  // what the error must mention
};

TEST(FaultRuleTest, MalformedRulesNameTheFieldAndWhatIsValid) {
  const std::vector<BadRule> cases = {
      {"", "valid rules"},
      {"fsync-eio", "fsync-eio:GLOB:N"},
      {"fsync-eio:*", "fsync-eio:GLOB:N"},
      {"fsync-eio:*:1:drop:extra", "fsync-eio:GLOB:N"},
      {"fsync-eio::1", "GLOB must not be empty"},
      {"fsync-eio:*:one", "N (the Nth fsync"},
      {"fsync-eio:*:-1", "N (the Nth fsync"},
      {"fsync-eio:*:1:lose", "drop, keep or clean-but-visible"},
      {"enospc", "enospc:BYTES[:GLOB]"},
      {"enospc:lots", "BYTES"},
      {"enospc:99999999999999999999", "BYTES"},
      {"enospc:1:", "GLOB must not be empty"},
      {"short-write:*", "short-write:GLOB:N[:BYTES]"},
      {"short-write:*:1:half", "BYTES"},
      {"read-eio:*:0", "read-eio:GLOB:OFFSET:LENGTH"},
      {"read-eio:*:x:1", "OFFSET"},
      {"read-eio:*:0:0", "LENGTH must be at least 1"},
      {"read-eio:*:18446744073709551615:2", "overflows"},
      {"bitflip:/a:0", "bitflip:PATH:OFFSET:BIT"},
      {"bitflip:*.log:0:1", "PATH must be an absolute file path"},
      {"bitflip:/:0:1", "PATH must be an absolute file path"},
      {"bitflip:/a:0:8", "BIT must be 0-7"},
      {"bitflip:/a:z:1", "OFFSET"},
      {"zero-sector:/a", "zero-sector:PATH:OFFSET[:SECTOR]"},
      {"zero-sector:/a:0:1000", "SECTOR must be a power of two"},
      {"zero-sector:/a:0:256", "SECTOR must be a power of two"},
      {"zero-sector:*.log:0", "PATH must be an absolute file path"},
      {"misdirect:/a:0:8", "misdirect:PATH:FROM:TO:LENGTH"},
      {"misdirect:/a:0:8:0", "LENGTH must be at least 1"},
      {"misdirect:/a:8:8:4", "FROM and TO must differ"},
      {"misdirect:/a:18446744073709551615:0:2", "overflows"},
      {"eio:*:1", "valid rules"},
      {"FSYNC-EIO:*:1", "valid rules"},
  };
  for (const BadRule& c : cases) {
    Result<FaultRule> rule = FaultRule::Parse(c.text);
    ASSERT_FALSE(rule.ok()) << "'" << c.text << "' was accepted";
    EXPECT_TRUE(rule.status().IsInvalidArgument());
    EXPECT_NE(rule.status().message().find(c.message_part), std::string::npos)
        << c.text << " -> " << rule.status().message();
    EXPECT_NE(rule.status().message().find("'" + c.text + "'"), std::string::npos)
        << "the error quotes the rule: " << rule.status().message();
  }
}

}  // namespace
}  // namespace powercut::faultfs
