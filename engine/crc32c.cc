// CRC32C in software, slicing-by-8: eight 256-entry tables, built at compile
// time, let the main loop consume 8 input bytes per step with 8 table lookups
// instead of one lookup per byte.
//
// Method: table[0][b] is the CRC of the single byte b (reflected polynomial
// 0x82F63B78). table[k][b] is the CRC of byte b followed by k zero bytes, so
// the contributions of 8 consecutive bytes can be looked up independently and
// XORed together. The CRC register is kept pre-inverted (~crc) throughout, as
// the standard definition requires, and inverted back on return.
//
// On x86-64 CPUs with SSE4.2 the same function is computed by the crc32
// instruction (8 bytes per step); the choice is made once, at first use, and
// both paths are checked against the same known vectors in crc32c_test.
#include "crc32c.h"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define POWERCUT_CRC32C_HARDWARE 1
#endif
#include <cstring>

namespace powercut::engine::crc32c {
namespace {

constexpr uint32_t kReflectedPolynomial = 0x82F63B78u;
constexpr int kSlices = 8;

using Tables = std::array<std::array<uint32_t, 256>, kSlices>;

constexpr Tables BuildTables() {
  Tables tables{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1) ? (crc >> 1) ^ kReflectedPolynomial : crc >> 1;
    }
    tables[0][byte] = crc;
  }
  for (uint32_t byte = 0; byte < 256; ++byte) {
    for (int k = 1; k < kSlices; ++k) {
      const uint32_t previous = tables[k - 1][byte];
      tables[k][byte] = (previous >> 8) ^ tables[0][previous & 0xff];
    }
  }
  return tables;
}

constexpr Tables kTables = BuildTables();

// Little-endian load, independent of the host's byte order.
inline uint32_t LoadLittleEndian32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

}  // namespace

uint32_t ExtendPortable(uint32_t crc, const char* data, size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  uint32_t state = ~crc;
  while (n >= kSlices) {
    const uint32_t low = LoadLittleEndian32(p) ^ state;
    const uint32_t high = LoadLittleEndian32(p + 4);
    state = kTables[7][low & 0xff] ^ kTables[6][(low >> 8) & 0xff] ^
            kTables[5][(low >> 16) & 0xff] ^ kTables[4][low >> 24] ^ kTables[3][high & 0xff] ^
            kTables[2][(high >> 8) & 0xff] ^ kTables[1][(high >> 16) & 0xff] ^
            kTables[0][high >> 24];
    p += kSlices;
    n -= kSlices;
  }
  while (n > 0) {
    state = (state >> 8) ^ kTables[0][(state ^ *p) & 0xff];
    ++p;
    --n;
  }
  return ~state;
}

#ifdef POWERCUT_CRC32C_HARDWARE
namespace {

__attribute__((target("sse4.2"))) uint32_t ExtendSse42(uint32_t crc, const char* data, size_t n) {
  uint64_t state = ~crc;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, data, sizeof(word));  // x86 is little-endian
    state = _mm_crc32_u64(state, word);
    data += 8;
    n -= 8;
  }
  auto narrow = static_cast<uint32_t>(state);
  while (n > 0) {
    narrow = _mm_crc32_u8(narrow, static_cast<unsigned char>(*data));
    ++data;
    --n;
  }
  return ~narrow;
}

}  // namespace

bool HardwareAccelerated() {
  static const bool supported = __builtin_cpu_supports("sse4.2");
  return supported;
}

uint32_t Extend(uint32_t crc, const char* data, size_t n) {
  return HardwareAccelerated() ? ExtendSse42(crc, data, n) : ExtendPortable(crc, data, n);
}
#else
bool HardwareAccelerated() { return false; }

uint32_t Extend(uint32_t crc, const char* data, size_t n) { return ExtendPortable(crc, data, n); }
#endif

}  // namespace powercut::engine::crc32c
