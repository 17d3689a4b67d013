// Tests of the CRC32C implementation against published vectors (RFC 3720
// B.4, the "123456789" check value) and of its incremental and masking laws.
#include "crc32c.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

namespace powercut::engine::crc32c {
namespace {

TEST(Crc32cTest, MatchesStandardCheckValue) { EXPECT_EQ(Value("123456789", 9), 0xe3069283u); }

TEST(Crc32cTest, MatchesRfc3720Vectors) {
  char buf[32];
  std::fill(buf, buf + 32, 0);
  EXPECT_EQ(Value(buf, sizeof(buf)), 0x8a9136aau);
  std::fill(buf, buf + 32, static_cast<char>(0xff));
  EXPECT_EQ(Value(buf, sizeof(buf)), 0x62a8ab43u);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<char>(i);
  EXPECT_EQ(Value(buf, sizeof(buf)), 0x46dd794eu);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<char>(31 - i);
  EXPECT_EQ(Value(buf, sizeof(buf)), 0x113fdb5cu);

  const unsigned char iscsi_read[48] = {0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00,
                                        0x00, 0x18, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                        0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(Value(reinterpret_cast<const char*>(iscsi_read), sizeof(iscsi_read)), 0xd9963a56u);
}

TEST(Crc32cTest, EmptyInputIsZero) { EXPECT_EQ(Value("", 0), 0u); }

TEST(Crc32cTest, DifferentInputsDiffer) { EXPECT_NE(Value("a", 1), Value("foo", 3)); }

TEST(Crc32cTest, MaskChangesTheValueAndUnmaskRestoresIt) {
  const uint32_t crc = Value("foo", 3);
  EXPECT_NE(crc, Mask(crc));
  EXPECT_NE(crc, Mask(Mask(crc)));
  EXPECT_EQ(crc, Unmask(Mask(crc)));
  EXPECT_EQ(crc, Unmask(Unmask(Mask(Mask(crc)))));
}

// Bit-at-a-time reference, independent of the table construction.
uint32_t ReferenceCrc(const std::string& data) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
  }
  return ~crc;
}

RC_GTEST_PROP(Crc32cTest, AgreesWithBitwiseReference, (const std::string& data)) {
  RC_ASSERT(Value(data.data(), data.size()) == ReferenceCrc(data));
}

// The portable path is what runs on CPUs without SSE4.2: check it on its own.
RC_GTEST_PROP(Crc32cTest, PortablePathAgreesWithBitwiseReference, (const std::string& data)) {
  RC_ASSERT(ExtendPortable(0, data.data(), data.size()) == ReferenceCrc(data));
}

TEST(Crc32cTest, PortableAndDispatchedPathsAgreeOnEveryLengthAndAlignment) {
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(i * 131 + 7));
  for (size_t start = 0; start < 9; ++start) {
    for (size_t length = 0; start + length <= data.size(); length += 7) {
      ASSERT_EQ(Extend(0x12345678u, data.data() + start, length),
                ExtendPortable(0x12345678u, data.data() + start, length))
          << "start " << start << " length " << length
          << (HardwareAccelerated() ? " (hardware path)" : " (portable path)");
    }
  }
}

RC_GTEST_PROP(Crc32cTest, ExtendEqualsValueOfConcatenation,
              (const std::string& a, const std::string& b)) {
  const std::string both = a + b;
  RC_ASSERT(Extend(Value(a.data(), a.size()), b.data(), b.size()) ==
            Value(both.data(), both.size()));
}

}  // namespace
}  // namespace powercut::engine::crc32c
