// Tests of the fixed-width and varint encodings: exact bytes for known
// values, round trips over the whole range, and rejection (without reading
// past the input) of truncated or overlong encodings.
#include "coding.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace powercut::engine {
namespace {

TEST(CodingTest, FixedIntegersAreLittleEndian) {
  std::string s;
  PutFixed32(&s, 0x04030201u);
  PutFixed64(&s, 0x0c0b0a0908070605ull);
  ASSERT_EQ(s.size(), 12u);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(s[i], static_cast<char>(i + 1)) << i;
  EXPECT_EQ(DecodeFixed32(s.data()), 0x04030201u);
  EXPECT_EQ(DecodeFixed64(s.data() + 4), 0x0c0b0a0908070605ull);
}

TEST(CodingTest, GetFixedRejectsShortInput) {
  std::string s;
  PutFixed64(&s, 7);
  std::string_view short_input(s.data(), 7);
  uint64_t v64 = 0;
  EXPECT_FALSE(GetFixed64(&short_input, &v64));
  std::string_view three(s.data(), 3);
  uint32_t v32 = 0;
  EXPECT_FALSE(GetFixed32(&three, &v32));
  std::string_view full(s);
  ASSERT_TRUE(GetFixed64(&full, &v64));
  EXPECT_EQ(v64, 7u);
  EXPECT_TRUE(full.empty());
}

TEST(CodingTest, VarintKnownEncodings) {
  std::string s;
  PutVarint32(&s, 0);
  PutVarint32(&s, 127);
  PutVarint32(&s, 128);
  PutVarint32(&s, 300);
  EXPECT_EQ(s, std::string("\x00\x7f\x80\x01\xac\x02", 6));
  EXPECT_EQ(VarintLength(0), 1);
  EXPECT_EQ(VarintLength(127), 1);
  EXPECT_EQ(VarintLength(128), 2);
  EXPECT_EQ(VarintLength(std::numeric_limits<uint32_t>::max()), 5);
  EXPECT_EQ(VarintLength(std::numeric_limits<uint64_t>::max()), 10);
}

TEST(CodingTest, Varint32RoundTripsAcrossPowersOfTwo) {
  std::vector<uint32_t> values;
  for (int shift = 0; shift < 32; ++shift) {
    const uint32_t power = uint32_t{1} << shift;
    values.insert(values.end(), {power - 1, power, power + 1});
  }
  std::string s;
  for (uint32_t v : values) PutVarint32(&s, v);
  std::string_view input(s);
  for (uint32_t expected : values) {
    uint32_t actual = 0;
    ASSERT_TRUE(GetVarint32(&input, &actual));
    EXPECT_EQ(actual, expected);
  }
  EXPECT_TRUE(input.empty());
}

TEST(CodingTest, Varint64RoundTripsExtremes) {
  const std::vector<uint64_t> values = {
      0, 1, 127, 128, uint64_t{1} << 35, std::numeric_limits<uint64_t>::max()};
  std::string s;
  for (uint64_t v : values) PutVarint64(&s, v);
  std::string_view input(s);
  for (uint64_t expected : values) {
    uint64_t actual = 0;
    ASSERT_TRUE(GetVarint64(&input, &actual));
    EXPECT_EQ(actual, expected);
  }
  EXPECT_TRUE(input.empty());
}

TEST(CodingTest, TruncatedVarintIsRejectedAtEveryLength) {
  std::string s;
  PutVarint64(&s, std::numeric_limits<uint64_t>::max());
  for (size_t length = 0; length < s.size(); ++length) {
    // A heap copy of exactly `length` bytes: ASan catches any over-read.
    std::vector<char> exact(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(length));
    std::string_view input(exact.data(), exact.size());
    uint64_t value = 0;
    EXPECT_FALSE(GetVarint64(&input, &value)) << length;
  }
}

TEST(CodingTest, OverlongVarintsAreRejected) {
  const std::string eleven_bytes(10, '\x80');
  std::string_view input(eleven_bytes);
  uint64_t v64 = 0;
  EXPECT_FALSE(GetVarint64(&input, &v64));
  // 2^64 would need an 11th bit in the 10th byte.
  const std::string too_big = std::string(9, '\xff') + '\x02';
  input = too_big;
  EXPECT_FALSE(GetVarint64(&input, &v64));
  // 2^32 does not fit a varint32.
  std::string s;
  PutVarint64(&s, uint64_t{1} << 32);
  input = s;
  uint32_t v32 = 0;
  EXPECT_FALSE(GetVarint32(&input, &v32));
}

TEST(CodingTest, LengthPrefixedRoundTripAndRejectsOverrun) {
  std::string s;
  PutLengthPrefixed(&s, "");
  PutLengthPrefixed(&s, "foo");
  PutLengthPrefixed(&s, std::string(200, 'x'));
  std::string_view input(s);
  std::string_view out;
  ASSERT_TRUE(GetLengthPrefixed(&input, &out));
  EXPECT_EQ(out, "");
  ASSERT_TRUE(GetLengthPrefixed(&input, &out));
  EXPECT_EQ(out, "foo");
  ASSERT_TRUE(GetLengthPrefixed(&input, &out));
  EXPECT_EQ(out, std::string(200, 'x'));
  EXPECT_TRUE(input.empty());

  std::string bad;
  PutVarint32(&bad, 10);
  bad += "abc";  // claims 10 bytes, has 3
  input = bad;
  EXPECT_FALSE(GetLengthPrefixed(&input, &out));
  EXPECT_EQ(input.size(), bad.size()) << "a failed decode leaves the input in place";
}

RC_GTEST_PROP(CodingTest, Varint64RoundTrips, (uint64_t value)) {
  std::string s;
  PutVarint64(&s, value);
  RC_ASSERT(s.size() == static_cast<size_t>(VarintLength(value)));
  std::string_view input(s);
  uint64_t decoded = 0;
  RC_ASSERT(GetVarint64(&input, &decoded));
  RC_ASSERT(decoded == value);
  RC_ASSERT(input.empty());
}

RC_GTEST_PROP(CodingTest, DecodersNeverOverreadArbitraryBytes, (const std::vector<char>& bytes)) {
  std::vector<char> exact(bytes);  // heap buffer of exactly this size
  std::string_view input(exact.data(), exact.size());
  std::string_view piece;
  while (GetLengthPrefixed(&input, &piece)) {
    RC_ASSERT(piece.data() >= exact.data());
    RC_ASSERT(piece.data() + piece.size() <= exact.data() + exact.size());
  }
  input = std::string_view(exact.data(), exact.size());
  uint64_t value = 0;
  while (GetVarint64(&input, &value)) {
  }
}

}  // namespace
}  // namespace powercut::engine
