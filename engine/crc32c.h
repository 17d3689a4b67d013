// CRC32C (Castagnoli polynomial 0x1EDC6F41, reflected 0x82F63B78): the
// checksum of every WAL/manifest physical record and, through the memtable
// helper's table format, of every table block. A table-driven software
// implementation (slicing-by-8), so the engine depends on no hardware feature
// and the result is identical on every host.
//
// Mask()/Unmask() follow LevelDB: storing the CRC of data that itself contains
// CRCs (a record holding a checksummed block) makes accidental matches likely,
// so what is written to disk is the CRC rotated right by 15 bits plus a
// constant. Written to disk: the masking must never change.
#pragma once

#include <cstddef>
#include <cstdint>

namespace powercut::engine::crc32c {

// Returns the CRC32C of concat(A, data[0, n)) where `crc` is the CRC32C of
// some string A. Extend(0, data, n) is the CRC32C of data[0, n).
uint32_t Extend(uint32_t crc, const char* data, size_t n);
// The same function, always computed with the portable table-driven code.
uint32_t ExtendPortable(uint32_t crc, const char* data, size_t n);
// True when Extend uses the CPU's CRC32C instruction (SSE4.2).
bool HardwareAccelerated();

// Returns the CRC32C of data[0, n).
inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }

// Written to disk: never change.
inline constexpr uint32_t kMaskDelta = 0xa282ead8u;

// Returns the masked representation of `crc`, the form stored on disk.
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

// Returns the CRC whose masked representation is `masked`.
inline uint32_t Unmask(uint32_t masked) {
  const uint32_t rotated = masked - kMaskDelta;
  return (rotated >> 17) | (rotated << 15);
}

}  // namespace powercut::engine::crc32c
