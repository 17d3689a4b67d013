// Deterministic randomness for the harness: one 64-bit seed drives a whole
// run (style habit 6). SplitMix64 expands the seed into the state of a
// xoshiro256** generator; there is no std::random_device, clock or global
// state, so a seed replays the same workload on every platform.
#pragma once

#include <cassert>
#include <cstdint>

namespace powercut::harness {

// SplitMix64: a good 64-bit mixer, used to seed and to derive sub-seeds.
inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256** (Blackman and Vigna), seeded from one 64-bit seed.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t s = seed;
    for (uint64_t& word : state_) word = SplitMix64(&s);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  uint64_t Uniform(uint64_t lo, uint64_t hi) {
    assert(lo <= hi);
    const uint64_t span = hi - lo + 1;
    if (span == 0) return Next();  // the full 64-bit range
    // Rejection sampling keeps it unbiased; the loop rarely repeats.
    const uint64_t limit = UINT64_MAX - UINT64_MAX % span;
    uint64_t x;
    do {
      x = Next();
    } while (x >= limit);
    return lo + x % span;
  }

  // Uniform in [0, 1).
  double UnitDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // True with probability `p` (p <= 0: never; p >= 1: always).
  bool Bernoulli(double p) { return UnitDouble() < p; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

}  // namespace powercut::harness
