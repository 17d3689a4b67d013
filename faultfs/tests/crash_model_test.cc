// Tests of the crash-model names and crash-state ids: every model name parses
// and prints back, ids round-trip in both choice encodings, and every
// malformed input is refused with a message that says what was expected.
#include "powercut/faultfs/crash_model.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace powercut::faultfs {
namespace {

TEST(CrashModelTest, EveryCanonicalNameParsesToItsKind) {
  const std::vector<std::pair<std::string, CrashModelKind>> names = {
      {"process-kill", CrashModelKind::kProcessKill},
      {"power-loss", CrashModelKind::kPowerLoss},
      {"prefix", CrashModelKind::kPrefix},
      {"per-file-prefix", CrashModelKind::kPerFilePrefix},
      {"reorder", CrashModelKind::kReorder},
      {"torn", CrashModelKind::kTorn},
      {"zero-tail", CrashModelKind::kZeroTail},
  };
  for (const auto& [name, kind] : names) {
    Result<CrashModel> model = CrashModel::Parse(name);
    ASSERT_TRUE(model.ok()) << name << ": " << model.status().ToString();
    EXPECT_EQ(model->kind, kind) << name;
  }
}

TEST(CrashModelTest, TornDefaultsTo512AndSectorAtomic) {
  Result<CrashModel> model = CrashModel::Parse("torn");
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(model->sector_bytes, 512u);
  EXPECT_EQ(model->tear, TearContent::kOld);
  EXPECT_EQ(model->Name(), "torn-512-old");
}

TEST(CrashModelTest, TornSpellingsSetSectorSizeAndTear) {
  struct Case {
    std::string text;
    uint32_t sector_bytes;
    TearContent tear;
    std::string canonical;
  };
  const std::vector<Case> cases = {
      {"torn-4096", 4096, TearContent::kOld, "torn-4096-old"},
      {"torn-512", 512, TearContent::kOld, "torn-512-old"},
      {"torn-zeros", 512, TearContent::kZeros, "torn-512-zeros"},
      {"torn-old", 512, TearContent::kOld, "torn-512-old"},
      {"torn-new", 512, TearContent::kNew, "torn-512-new"},
      {"torn-junk", 512, TearContent::kJunk, "torn-512-junk"},
      {"torn-4096-junk", 4096, TearContent::kJunk, "torn-4096-junk"},
      {"torn-512-old", 512, TearContent::kOld, "torn-512-old"},
      {"torn-4096-new", 4096, TearContent::kNew, "torn-4096-new"},
      {"torn-4096-zeros", 4096, TearContent::kZeros, "torn-4096-zeros"},
  };
  for (const Case& c : cases) {
    Result<CrashModel> model = CrashModel::Parse(c.text);
    ASSERT_TRUE(model.ok()) << c.text << ": " << model.status().ToString();
    EXPECT_EQ(model->sector_bytes, c.sector_bytes) << c.text;
    EXPECT_EQ(model->tear, c.tear) << c.text;
    EXPECT_EQ(model->Name(), c.canonical);
  }
}

TEST(CrashModelTest, NameRoundTripsForEveryModelAndTornVariant) {
  std::vector<CrashModel> models = CrashModel::All();
  for (uint32_t sector : {512u, 4096u}) {
    for (TearContent tear :
         {TearContent::kOld, TearContent::kNew, TearContent::kZeros, TearContent::kJunk}) {
      models.push_back(
          CrashModel{.kind = CrashModelKind::kTorn, .sector_bytes = sector, .tear = tear});
    }
  }
  for (const CrashModel& model : models) {
    Result<CrashModel> parsed = CrashModel::Parse(model.Name());
    ASSERT_TRUE(parsed.ok()) << model.Name();
    EXPECT_EQ(*parsed, model) << model.Name();
    EXPECT_EQ(parsed->Name(), model.Name());
  }
}

TEST(CrashModelTest, AllListsEachKindOnceWithTornInDefaultSpelling) {
  std::vector<CrashModel> all = CrashModel::All();
  ASSERT_EQ(all.size(), 7u);
  std::vector<std::string> names;
  for (const CrashModel& model : all) names.push_back(model.Name());
  EXPECT_EQ(names,
            (std::vector<std::string>{"process-kill", "power-loss", "prefix", "per-file-prefix",
                                      "reorder", "torn-512-old", "zero-tail"}));
}

TEST(CrashModelTest, SingleStateModelsAreKillPowerLossAndZeroTail) {
  for (const CrashModel& model : CrashModel::All()) {
    bool expected = model.kind == CrashModelKind::kProcessKill ||
                    model.kind == CrashModelKind::kPowerLoss ||
                    model.kind == CrashModelKind::kZeroTail;
    EXPECT_EQ(model.single_state(), expected) << model.Name();
  }
}

TEST(CrashModelTest, TornEqualityLooksAtSectorAndTearOnlyForTorn) {
  CrashModel a{.kind = CrashModelKind::kReorder, .sector_bytes = 512};
  CrashModel b{.kind = CrashModelKind::kReorder, .sector_bytes = 4096};
  EXPECT_EQ(a, b);
  a.kind = b.kind = CrashModelKind::kTorn;
  EXPECT_FALSE(a == b);
}

TEST(CrashModelTest, UnknownNamesAreRefusedListingTheValidOnes) {
  for (std::string_view bad : {"", "powerloss", "Power-Loss", "torn-1024", "torn-512-ones",
                               "torn-zeros-512", "torn-", "torn-512-", "tornado", "reorder "}) {
    Result<CrashModel> model = CrashModel::Parse(bad);
    ASSERT_FALSE(model.ok()) << "'" << bad << "' was accepted";
    EXPECT_TRUE(model.status().IsInvalidArgument());
    EXPECT_NE(model.status().message().find("per-file-prefix"), std::string::npos)
        << model.status().message();
    EXPECT_NE(model.status().message().find("torn[-512|-4096]"), std::string::npos);
  }
}

CrashStateId MakeId(std::string_view model, uint64_t position, std::vector<uint64_t> choices) {
  return CrashStateId{
      .model = *CrashModel::Parse(model), .position = position, .choices = std::move(choices)};
}

TEST(CrashStateIdTest, SingleStateIdsHaveNoChoicesPart) {
  EXPECT_EQ(MakeId("power-loss", 57, {}).ToString(), "power-loss@57");
  EXPECT_EQ(MakeId("process-kill", 0, {}).ToString(), "process-kill@0");
  EXPECT_EQ(MakeId("zero-tail", 9, {}).ToString(), "zero-tail@9");
}

TEST(CrashStateIdTest, ZeroOneChoicesPackIntoHexMostSignificantFirst) {
  EXPECT_EQ(MakeId("reorder", 57, {1, 0, 1, 1, 0}).ToString(), "reorder@57:5xb0");
  EXPECT_EQ(MakeId("reorder", 3, {1, 1, 0, 1, 0, 0, 1, 1}).ToString(), "reorder@3:8xd3");
  // A long run is shorter as a list, and the shorter spelling wins.
  EXPECT_EQ(MakeId("reorder", 3, std::vector<uint64_t>(40, 1)).ToString(), "reorder@3:1*40");
}

TEST(CrashStateIdTest, ShortOrLargeChoicesUseTheDecimalList) {
  EXPECT_EQ(MakeId("prefix", 57, {3}).ToString(), "prefix@57:3");
  EXPECT_EQ(MakeId("reorder", 4, {1}).ToString(), "reorder@4:1");
  EXPECT_EQ(MakeId("per-file-prefix", 12, {2, 0, 5}).ToString(), "per-file-prefix@12:2.0.5");
  EXPECT_EQ(MakeId("torn-4096-junk", 8, {0, 0, 0, 0, 7, 1, 1}).ToString(),
            "torn-4096-junk@8:0*4.7.1.1");
}

TEST(CrashStateIdTest, ParseAcceptsNonCanonicalListsOfBits) {
  Result<CrashStateId> id = CrashStateId::Parse("reorder@2:1.0.1");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->choices, (std::vector<uint64_t>{1, 0, 1}));
}

TEST(CrashStateIdTest, RoundTripsForEveryModel) {
  const std::vector<std::vector<uint64_t>> choice_sets = {{},
                                                          {0},
                                                          {1},
                                                          {5},
                                                          {1, 0},
                                                          {0, 0, 0, 0, 0, 0, 0, 0, 0},
                                                          {1, 1, 1, 0, 0, 0, 1, 1, 1, 1},
                                                          {2, 2, 2, 9, 18446744073709551615ull},
                                                          {1, 1, 1}};
  for (const CrashModel& model : CrashModel::All()) {
    for (const auto& choices : choice_sets) {
      CrashStateId id{.model = model, .position = 123456789, .choices = choices};
      Result<CrashStateId> parsed = CrashStateId::Parse(id.ToString());
      ASSERT_TRUE(parsed.ok()) << id.ToString() << ": " << parsed.status().ToString();
      EXPECT_EQ(*parsed, id) << id.ToString();
    }
  }
}

RC_GTEST_PROP(CrashStateIdProperty, AnyIdRoundTrips, (uint64_t position, bool bits_only)) {
  const auto model = *rc::gen::elementOf(CrashModel::All());
  auto choices = bits_only
                     ? *rc::gen::container<std::vector<uint64_t>>(rc::gen::inRange<uint64_t>(0, 2))
                     : *rc::gen::container<std::vector<uint64_t>>(rc::gen::inRange<uint64_t>(0, 4));
  CrashStateId id{.model = model, .position = position, .choices = choices};
  Result<CrashStateId> parsed = CrashStateId::Parse(id.ToString());
  RC_ASSERT(parsed.ok());
  RC_ASSERT(*parsed == id);
}

TEST(CrashStateIdTest, MalformedIdsAreRefusedWithTheExpectedForm) {
  for (std::string_view bad : {"",
                               "power-loss",
                               "power-loss@",
                               "power-loss@x",
                               "power-loss@-1",
                               "nosuch@3",
                               "reorder@5:",
                               "reorder@5:1..2",
                               "reorder@5:1.",
                               "reorder@5:a",
                               "reorder@5:3x",
                               "reorder@5:3xff",
                               "reorder@5:5xb1",
                               "reorder@5:5xB0",
                               "reorder@5:x0",
                               "reorder@5:0x",
                               "reorder@5:1*2",
                               "reorder@5:1*",
                               "prefix@5:3:4",
                               "reorder@99999999999999999999:1",
                               "prefix@5: 3"}) {
    Result<CrashStateId> id = CrashStateId::Parse(bad);
    ASSERT_FALSE(id.ok()) << "'" << bad << "' was accepted";
    EXPECT_TRUE(id.status().IsInvalidArgument());
    EXPECT_NE(id.status().message().find("<model>@<position>"), std::string::npos)
        << id.status().message();
    EXPECT_NE(id.status().message().find("zero-tail"), std::string::npos);
  }
}

}  // namespace
}  // namespace powercut::faultfs
