// Fixed-width and variable-length integer encodings used by every on-disk
// format of the engine (WAL payloads, write batches, version edits, tables).
// Fixed-width integers are little-endian; varints are LevelDB's base-128
// varints (7 bits per byte, low group first, high bit set on every byte but
// the last). Written to disk: the encodings never change.
//
// Decoders take a std::string_view cursor and advance it past what they
// consumed. They never read past the end of the view: on truncated or
// malformed input they return false and leave the cursor unspecified (callers
// report Corruption).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace powercut::engine {

// Longest encodings of a varint32 / varint64, in bytes.
inline constexpr size_t kMaxVarint32Bytes = 5;
inline constexpr size_t kMaxVarint64Bytes = 10;

// --- Fixed width (little-endian) ---

// REQUIRES: dst has room for 4 (resp. 8) bytes.
void EncodeFixed32(char* dst, uint32_t value);
void EncodeFixed64(char* dst, uint64_t value);
// REQUIRES: src holds at least 4 (resp. 8) readable bytes.
uint32_t DecodeFixed32(const char* src);
uint64_t DecodeFixed64(const char* src);

void PutFixed32(std::string* dst, uint32_t value);
void PutFixed64(std::string* dst, uint64_t value);

// Reads a fixed32/fixed64 from the front of `*input` and advances it.
// False if fewer than 4 (resp. 8) bytes remain.
bool GetFixed32(std::string_view* input, uint32_t* value);
bool GetFixed64(std::string_view* input, uint64_t* value);

// --- Varints ---

void PutVarint32(std::string* dst, uint32_t value);
void PutVarint64(std::string* dst, uint64_t value);
// Writes the varint at `dst` and returns the byte past it.
// REQUIRES: dst has room for VarintLength(value) bytes.
char* EncodeVarint32(char* dst, uint32_t value);
char* EncodeVarint64(char* dst, uint64_t value);

// Reads a varint from the front of `*input` and advances it. False if the
// input ends inside the varint, the varint is longer than its maximum, or
// (for varint32) its value does not fit in 32 bits.
bool GetVarint32(std::string_view* input, uint32_t* value);
bool GetVarint64(std::string_view* input, uint64_t* value);

// Number of bytes the varint encoding of `value` takes (1..10).
int VarintLength(uint64_t value);

// --- Length-prefixed strings: varint32 length, then the bytes ---

// REQUIRES: value.size() < 2^32.
void PutLengthPrefixed(std::string* dst, std::string_view value);
// Reads a length-prefixed string from the front of `*input` into `*result`
// (a view into the input) and advances the input. False if the length is
// malformed or runs past the input.
bool GetLengthPrefixed(std::string_view* input, std::string_view* result);

}  // namespace powercut::engine
