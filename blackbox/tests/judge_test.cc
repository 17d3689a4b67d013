// Tests of the step-5 judge (judge.h): an acknowledged value must survive
// unless a later written value replaced it, an acknowledged delete must stay
// deleted, no value may be invented, the baseline (initial) state counts as
// written, acks after the crash point do not bind, and runs without any ack
// lines are judged only on the checker's exit. Also the checker-output
// parser and the exit-code verdicts.
#include "judge.h"

#include <gtest/gtest.h>

namespace powercut::blackbox {
namespace {

AckEvent Event(AckKind kind, std::string key, std::string value, uint64_t position, uint64_t seq) {
  AckEvent event;
  event.kind = kind;
  event.key = std::move(key);
  event.value = std::move(value);
  event.position = position;
  event.seq = seq;
  return event;
}
AckEvent W(std::string k, std::string v, uint64_t pos, uint64_t seq) {
  return Event(AckKind::kWrite, std::move(k), std::move(v), pos, seq);
}
AckEvent A(std::string k, std::string v, uint64_t pos, uint64_t seq) {
  return Event(AckKind::kAcknowledge, std::move(k), std::move(v), pos, seq);
}
AckEvent D(std::string k, uint64_t pos, uint64_t seq) {
  return Event(AckKind::kDelete, std::move(k), "", pos, seq);
}

CheckerRun Exited(int code, std::string out = "", std::string err = "") {
  CheckerRun run;
  run.exit_code = code;
  run.out = std::move(out);
  run.err = std::move(err);
  return run;
}

std::vector<Finding::Kind> Kinds(const std::vector<Finding>& findings) {
  std::vector<Finding::Kind> kinds;
  for (const Finding& f : findings) kinds.push_back(f.kind);
  return kinds;
}

TEST(JudgeTest, AcknowledgedValueMustBeKept) {
  const std::vector<AckEvent> acks = {W("k", "v1", 0, 1), A("k", "v1", 2, 4)};
  EXPECT_TRUE(JudgeState(acks, {}, 2, {{"k", "v1"}}).empty());
  const std::vector<Finding> lost = JudgeState(acks, {}, 2, {});
  ASSERT_EQ(Kinds(lost), std::vector{Finding::Kind::kMissing});
  EXPECT_EQ(lost[0].key, "k");
  EXPECT_EQ(lost[0].expected, "A k v1");
  EXPECT_EQ(lost[0].expected_seq, 4u);
  EXPECT_NE(lost[0].ToString().find("missing: key k"), std::string::npos);
  // Before the ack's position, losing it is allowed.
  EXPECT_TRUE(JudgeState(acks, {}, 1, {}).empty());
}

TEST(JudgeTest, ValueWrittenAfterTheAckIsAllowed) {
  const std::vector<AckEvent> acks = {A("k", "v1", 2, 4), W("k", "v2", 2, 5), A("k", "v3", 6, 9),
                                      W("k", "v4", 8, 11)};
  EXPECT_TRUE(JudgeState(acks, {}, 3, {{"k", "v2"}}).empty());
  // v3's ack comes after the crash point, but its write came before the ack.
  EXPECT_TRUE(JudgeState(acks, {}, 3, {{"k", "v3"}}).empty());
  // v4 was announced only after the crash point: it cannot replace v1.
  EXPECT_EQ(Kinds(JudgeState(acks, {}, 3, {{"k", "v4"}})), std::vector{Finding::Kind::kStale});
  // After v3's ack, v2 is stale.
  EXPECT_EQ(Kinds(JudgeState(acks, {}, 7, {{"k", "v2"}})), std::vector{Finding::Kind::kStale});
}

TEST(JudgeTest, AcknowledgedDeleteMustHold) {
  const std::vector<AckEvent> acks = {A("k", "v1", 1, 1), D("k", 3, 5), W("k", "v2", 4, 6)};
  EXPECT_TRUE(JudgeState(acks, {}, 3, {}).empty());
  const std::vector<Finding> undone = JudgeState(acks, {}, 3, {{"k", "v1"}});
  ASSERT_EQ(Kinds(undone), std::vector{Finding::Kind::kDeleteUndone});
  EXPECT_EQ(undone[0].expected, "D k");
  // A value written after the delete (and before the crash point) may appear.
  EXPECT_TRUE(JudgeState(acks, {}, 4, {{"k", "v2"}}).empty());
  // Before the delete's ack, the old value may still be there.
  EXPECT_TRUE(JudgeState(acks, {}, 2, {{"k", "v1"}}).empty());
}

TEST(JudgeTest, InventedValueIsReportedEvenWithoutAcks) {
  const std::vector<AckEvent> acks = {W("k", "v1", 0, 1)};
  const std::vector<Finding> invented = JudgeState(acks, {}, 1, {{"k", "garbage"}});
  ASSERT_EQ(Kinds(invented), std::vector{Finding::Kind::kInvented});
  EXPECT_EQ(invented[0].found, "garbage");
  EXPECT_EQ(Kinds(JudgeState(acks, {}, 1, {{"other", "v1"}})),
            std::vector{Finding::Kind::kInvented});
  // An unacknowledged written value may appear or not.
  EXPECT_TRUE(JudgeState(acks, {}, 1, {{"k", "v1"}}).empty());
  EXPECT_TRUE(JudgeState(acks, {}, 1, {}).empty());
}

TEST(JudgeTest, BaselineStateCountsAsWrittenButNotAsAcknowledged) {
  const KeyValues initial = {{"k", "old"}, {"j", "kept"}};
  const std::vector<AckEvent> acks = {A("k", "new", 2, 3)};
  EXPECT_TRUE(JudgeState(acks, initial, 1, {{"k", "old"}, {"j", "kept"}}).empty());
  EXPECT_TRUE(JudgeState(acks, initial, 1, {}).empty());  // no ack on them yet
  EXPECT_EQ(Kinds(JudgeState(acks, initial, 2, {{"k", "old"}})),
            std::vector{Finding::Kind::kStale});
  EXPECT_EQ(Kinds(JudgeState(acks, initial, 2, {{"j", "other"}, {"k", "new"}})),
            std::vector{Finding::Kind::kInvented});
}

TEST(JudgeTest, NoAcksJudgesOnlyTheExitCode) {
  CheckerRun ok_run = Exited(0);
  EXPECT_EQ(JudgeRun(ok_run, {}, {}, 5).kind, VerdictKind::kPass);
  CheckerRun failed = Exited(1, "", "cannot open");
  EXPECT_EQ(JudgeRun(failed, {}, {}, 5).kind, VerdictKind::kRecoveryFailed);
  CheckerRun inconsistent = Exited(2);
  EXPECT_EQ(JudgeRun(inconsistent, {}, {}, 5).kind, VerdictKind::kInconsistent);
  CheckerRun odd = Exited(7);
  Verdict odd_verdict = JudgeRun(odd, {}, {}, 5);
  EXPECT_EQ(odd_verdict.kind, VerdictKind::kCheckerError);
  EXPECT_NE(odd_verdict.detail.find("exit 7"), std::string::npos);
  CheckerRun slow;
  slow.timed_out = true;
  EXPECT_EQ(JudgeRun(slow, {}, {}, 5).kind, VerdictKind::kCheckerError);
  EXPECT_EQ(DescribeExit(slow), "timed out");
}

TEST(JudgeTest, RunWithFindingsAndBadOutput) {
  const std::vector<AckEvent> acks = {A("k", "v", 1, 1)};
  Verdict lost = JudgeRun(Exited(0, "other x\n"), acks, {}, 1);
  EXPECT_EQ(lost.kind, VerdictKind::kLostOrInvented);
  EXPECT_EQ(lost.findings.size(), 2u);  // k missing, other invented
  Verdict bad = JudgeRun(Exited(0, "k v\nnot-a-pair\n"), acks, {}, 1);
  EXPECT_EQ(bad.kind, VerdictKind::kCheckerError);
  EXPECT_NE(bad.detail.find("line 2"), std::string::npos) << bad.detail;
}

TEST(JudgeTest, CheckerOutputParser) {
  Result<KeyValues> state = ParseCheckerOutput("a 1\n\nb 2\r\nc 3");
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(*state, (KeyValues{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  for (const char* bad : {"a\n", "a 1 2\n", " a 1\n", "a \n", "a 1\na 2\n", "a\t1\n"}) {
    EXPECT_FALSE(ParseCheckerOutput(bad).ok()) << bad;
  }
  Result<KeyValues> twice = ParseCheckerOutput("x 1\nx 2\n");
  EXPECT_NE(twice.status().message().find("printed twice"), std::string::npos);
}

}  // namespace
}  // namespace powercut::blackbox
