// The crash-state enumerator: walks the ids of a ChoiceSpace.
//
// Method. A crash state is a number in [0, N) read in mixed radix (the first
// digit least significant) and mapped digit by digit to an id (ChoiceSpace).
//   - N <= max_states: exhaustive; the numbers 0, 1, ..., N-1 in order, so
//     every distinct state comes exactly once (state 0 drops everything).
//   - N > max_states and N fits in 64 bits: Robert Floyd's sampling of
//     max_states distinct numbers (Bentley & Floyd, CACM 1987): for j in
//     [N-M, N) draw t in [0, j]; take t unless already taken, then take j.
//     One draw per state, never a duplicate, lazy, and only the taken numbers
//     are remembered.
//   - N does not fit in 64 bits: each digit is drawn on its own and a drawn
//     vector already yielded is drawn again (with spaces this large a repeat
//     is rare, but it is still never yielded twice).
// The generator is SplitMix64 over a counter, seeded by (budget.seed,
// position, model), with unbiased bounded draws by rejection; it is exactly
// specified, so a seed names the same ids on every platform.
#include <cassert>
#include <optional>
#include <set>
#include <unordered_set>

#include "crash_space.h"

namespace powercut::faultfs {
namespace {

class SampleRng {
 public:
  explicit SampleRng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return SplitMix64(state_);
  }
  // Uniform in [0, bound).  REQUIRES: bound >= 1
  uint64_t Below(uint64_t bound) {
    assert(bound >= 1);
    uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound: rejected low values
    while (true) {
      uint64_t draw = Next();
      if (draw >= threshold) return draw % bound;
    }
  }

 private:
  uint64_t state_;
};

uint64_t SamplingSeed(const EnumerationBudget& budget, uint64_t position, const CrashModel& model) {
  uint64_t model_bits = static_cast<uint64_t>(model.kind);
  if (model.kind == CrashModelKind::kTorn) {
    model_bits |= uint64_t{model.sector_bytes} << 8 | uint64_t{static_cast<uint8_t>(model.tear)}
                                                          << 40;
  }
  uint64_t seed = SplitMix64(budget.seed);
  seed = SplitMix64(seed ^ position);
  return SplitMix64(seed ^ model_bits);
}

class ChoiceEnumerator final : public CrashStateEnumerator {
 public:
  ChoiceEnumerator(const CrashModel& model, uint64_t position, ChoiceSpace space,
                   const EnumerationBudget& budget)
      : model_(model),
        position_(position),
        space_(std::move(space)),
        max_states_(budget.max_states),
        rng_(SamplingSeed(budget, position, model)) {
    assert(max_states_ >= 1);
    // A saturated space (UINT64_MAX) is at least that large: never exhaustive.
    exhaustive_ = space_.state_space() != UINT64_MAX && space_.state_space() <= max_states_;
    next_floyd_j_ = space_.state_space() - max_states_;  // used only when sampling
  }

  std::optional<CrashStateId> Next() override {
    if (exhaustive_) {
      if (emitted_ == space_.state_space()) return std::nullopt;
      return IdForNumber(emitted_++);
    }
    if (emitted_ == max_states_) return std::nullopt;
    ++emitted_;
    if (space_.state_space() != UINT64_MAX) return IdForNumber(NextFloydNumber());
    return NextDigitSample();
  }

  bool exhaustive() const override { return exhaustive_; }
  uint64_t state_space() const override { return space_.state_space(); }

 private:
  CrashStateId IdForNumber(uint64_t number) const {
    CrashStateId id{model_, position_, {}};
    id.choices.reserve(space_.digit_count());
    for (size_t digit = 0; digit < space_.digit_count(); ++digit) {
      uint64_t radix = space_.radix(digit);
      id.choices.push_back(space_.DigitForValue(digit, number % radix));
      number /= radix;
    }
    return id;
  }

  uint64_t NextFloydNumber() {
    uint64_t j = next_floyd_j_++;
    uint64_t t = rng_.Below(j + 1);
    uint64_t chosen = taken_numbers_.count(t) != 0 ? j : t;
    taken_numbers_.insert(chosen);
    return chosen;
  }

  CrashStateId NextDigitSample() {
    while (true) {
      CrashStateId id{model_, position_, {}};
      for (size_t digit = 0; digit < space_.digit_count(); ++digit) {
        id.choices.push_back(space_.DigitForValue(digit, rng_.Below(space_.radix(digit))));
      }
      if (taken_vectors_.insert(id.choices).second) return id;
    }
  }

  CrashModel model_;
  uint64_t position_;
  ChoiceSpace space_;
  uint64_t max_states_;
  bool exhaustive_ = false;
  uint64_t emitted_ = 0;
  SampleRng rng_;
  uint64_t next_floyd_j_ = 0;
  std::unordered_set<uint64_t> taken_numbers_;
  std::set<std::vector<uint64_t>> taken_vectors_;
};

}  // namespace

std::unique_ptr<CrashStateEnumerator> MakeCrashStateEnumerator(const CrashModel& model,
                                                               uint64_t position, ChoiceSpace space,
                                                               const EnumerationBudget& budget) {
  return std::make_unique<ChoiceEnumerator>(model, position, std::move(space), budget);
}

}  // namespace powercut::faultfs
