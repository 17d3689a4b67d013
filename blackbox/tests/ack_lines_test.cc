// Tests of the ack-line parser and joiner: the three line forms, lines split
// across trace records and interleaved between processes, and bad lines
// reported with their number, pid and trace seq.
#include "ack_lines.h"

#include <gtest/gtest.h>

namespace powercut::blackbox {
namespace {

TEST(AckLinesTest, ParsesTheThreeForms) {
  Result<AckEvent> write = ParseAckLine("W k1 v1", "here");
  ASSERT_TRUE(write.ok()) << write.status().ToString();
  EXPECT_EQ(write->kind, AckKind::kWrite);
  EXPECT_EQ(write->key, "k1");
  EXPECT_EQ(write->value, "v1");
  Result<AckEvent> ack = ParseAckLine("A k2 v2\r", "here");
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->kind, AckKind::kAcknowledge);
  EXPECT_EQ(ack->ToString(), "A k2 v2");
  Result<AckEvent> del = ParseAckLine("D k3", "here");
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->kind, AckKind::kDelete);
  EXPECT_EQ(del->key, "k3");
  EXPECT_EQ(del->value, "");
}

TEST(AckLinesTest, BadLinesNameTheLineAndWhatIsValid) {
  for (const char* line : {"X k v", "A k", "A k v extra", "D k v", "A  k v", "A k\tv", "A"}) {
    Result<AckEvent> event = ParseAckLine(line, "ack line 7 of pid 9");
    ASSERT_FALSE(event.ok()) << line;
    EXPECT_NE(event.status().message().find("ack line 7 of pid 9"), std::string::npos);
    EXPECT_NE(event.status().message().find("valid lines"), std::string::npos);
  }
}

TEST(AckLinesTest, JoinsPiecesPerPidInOrder) {
  AckLineJoiner joiner;
  ASSERT_TRUE(joiner.Add(10, "A a ", 1, 0).ok());
  ASSERT_TRUE(joiner.Add(20, "W b 2\nA b", 2, 1).ok());
  ASSERT_TRUE(joiner.Add(10, "1\nD c\n", 3, 2).ok());
  ASSERT_TRUE(joiner.Add(20, " 2\n", 4, 5).ok());
  ASSERT_TRUE(joiner.Finish().ok());
  const std::vector<AckEvent>& events = joiner.events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].ToString(), "W b 2");
  EXPECT_EQ(events[0].pid, 20);
  EXPECT_EQ(events[0].position, 1u);
  EXPECT_EQ(events[1].ToString(), "A a 1");
  EXPECT_EQ(events[1].seq, 3u);  // completed by the record of seq 3
  EXPECT_EQ(events[1].position, 2u);
  EXPECT_EQ(events[2].ToString(), "D c");
  EXPECT_EQ(events[3].ToString(), "A b 2");
  EXPECT_EQ(events[3].position, 5u);
  EXPECT_EQ(events[3].line, 2u);
}

TEST(AckLinesTest, UnterminatedLastLineCountsAndBlankLinesAreSkipped) {
  AckLineJoiner joiner;
  ASSERT_TRUE(joiner.Add(1, "\nA k v", 1, 3).ok());
  EXPECT_TRUE(joiner.events().empty());
  ASSERT_TRUE(joiner.Finish().ok());
  ASSERT_EQ(joiner.events().size(), 1u);
  EXPECT_EQ(joiner.events()[0].line, 2u);
  EXPECT_EQ(joiner.events()[0].position, 3u);
}

TEST(AckLinesTest, JoinerReportsTheBadLineNumberAndSeq) {
  AckLineJoiner joiner;
  ASSERT_TRUE(joiner.Add(42, "A k v\n", 5, 0).ok());
  Status status = joiner.Add(42, "A k v\nput k v\n", 17, 0);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("ack line 3 of pid 42 (trace seq 17)"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("'put k v'"), std::string::npos);
}

// A bad line is quoted with its control and non-ASCII bytes escaped: it used
// to be copied raw into the message (and so to the terminal).
TEST(AckLinesTest, BadLineBytesAreEscapedInTheError) {
  Result<AckEvent> event = ParseAckLine("A k\x1b[31m\xff", "ack line 1");
  ASSERT_FALSE(event.ok());
  EXPECT_NE(event.status().message().find("'A k\\x1b[31m\\xff'"), std::string::npos)
      << event.status().message();
  for (char c : event.status().message()) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << int(c);
}

}  // namespace
}  // namespace powercut::blackbox
