// The shrinker (see shrink.h): ddmin over operations, then per-operation
// simplifications, then key renaming, each candidate judged by a fresh
// exploration.
#include "shrink.h"

#include <algorithm>
#include <map>
#include <optional>

#include "workload_spec.h"

namespace powercut::harness {

namespace {

class Shrinker {
 public:
  Shrinker(const Scenario& scenario, const EngineFactory& engine, const Failure& failure,
           const ShrinkOptions& options)
      : scenario_(scenario), engine_(engine), options_(options) {
    const Guarantee guarantee = failure.violation.guarantee;
    const std::optional<Guarantee> underlying = failure.violation.underlying;
    explore_ = options.explore;
    explore_.max_failures = 1;
    explore_.stop_at_max_failures = true;
    explore_.on_progress = nullptr;
    explore_.failure_filter = [guarantee, underlying](const Violation& v) {
      return v.guarantee == guarantee && v.underlying == underlying;
    };
  }

  ShrinkResult Run(std::vector<OpSpec> specs, Failure failure) {
    specs_ = std::move(specs);
    best_ = std::move(failure);
    bool progress = true;
    while (progress && !Exhausted()) {
      progress = RemoveOperations();
      progress = SimplifyOperations() || progress;
      progress = RenameKeys() || progress;
    }
    return ShrinkResult{.workload = BuildWorkload(specs_),
                        .failure = std::move(best_),
                        .runs = runs_,
                        .budget_exhausted = Exhausted()};
  }

 private:
  bool Exhausted() const { return runs_ >= options_.max_runs; }

  // Explores `candidate`; keeps it (and its failure) if it still fails.
  bool TryCandidate(std::vector<OpSpec> candidate) {
    if (Exhausted()) return false;
    ++runs_;
    Result<ExploreResult> result = Explore(scenario_, BuildWorkload(candidate), engine_, explore_);
    if (!result.ok() || result->failures.empty()) return false;
    specs_ = std::move(candidate);
    best_ = std::move(result->failures.front());
    return true;
  }

  // ddmin, complements only: remove chunks, finer and finer.
  bool RemoveOperations() {
    bool removed_any = false;
    size_t chunks = 2;
    while (!specs_.empty() && !Exhausted()) {
      const size_t size = specs_.size();
      chunks = std::min(chunks, size);
      const size_t chunk = (size + chunks - 1) / chunks;
      bool removed = false;
      for (size_t start = 0; start < size && !removed; start += chunk) {
        std::vector<OpSpec> candidate = specs_;
        candidate.erase(
            candidate.begin() + static_cast<std::ptrdiff_t>(start),
            candidate.begin() + static_cast<std::ptrdiff_t>(std::min(size, start + chunk)));
        removed = TryCandidate(std::move(candidate));
      }
      if (removed) {
        removed_any = true;
        chunks = std::max<size_t>(chunks - 1, 2);
      } else if (chunks >= size) {
        break;  // single operations tried: 1-minimal
      } else {
        chunks = std::min(size, chunks * 2);
      }
    }
    return removed_any;
  }

  // Simpler variants of one write: fewer batch entries, smaller values, no sync.
  std::vector<OpSpec> Variants(const OpSpec& spec) const {
    std::vector<OpSpec> variants;
    if (spec.type == OpType::kBatch) {
      for (size_t i = 0; i < spec.entries.size() && spec.entries.size() > 1; ++i) {
        OpSpec fewer = spec;
        fewer.entries.erase(fewer.entries.begin() + static_cast<std::ptrdiff_t>(i));
        variants.push_back(std::move(fewer));
      }
      if (spec.entries.size() == 1) {
        OpSpec single = spec;
        single.type = spec.entries[0].put ? OpType::kPut : OpType::kDelete;
        variants.push_back(std::move(single));
      }
    }
    for (size_t i = 0; i < spec.entries.size(); ++i) {
      const WorkloadBuilder::Entry& entry = spec.entries[i];
      if (!entry.put || (!entry.value && entry.value_bytes == 0)) continue;
      OpSpec bare = spec;
      bare.entries[i].value.reset();
      bare.entries[i].value_bytes = 0;
      variants.push_back(bare);
      if (!entry.value && entry.value_bytes > 16) {
        OpSpec half = spec;
        half.entries[i].value_bytes = entry.value_bytes / 2;
        variants.push_back(std::move(half));
      }
    }
    if (spec.sync) {
      OpSpec unsynced = spec;
      unsynced.sync = false;
      variants.push_back(std::move(unsynced));
    }
    return variants;
  }

  bool SimplifyOperations() {
    bool simplified = false;
    for (size_t i = 0; i < specs_.size() && !Exhausted(); ++i) {
      // Take the first variant that still fails, then look again at the
      // simplified operation until none does.
      bool changed = true;
      while (changed && !Exhausted()) {
        changed = false;
        for (OpSpec& variant : Variants(specs_[i])) {
          std::vector<OpSpec> candidate = specs_;
          candidate[i] = std::move(variant);
          if (TryCandidate(std::move(candidate))) {
            changed = simplified = true;
            break;
          }
        }
      }
    }
    return simplified;
  }

  // Keys renamed k0, k1, ... in order of first use, all at once.
  bool RenameKeys() {
    std::map<std::string, std::string> names;
    auto rename = [&names](std::string& key) {
      auto [it, inserted] = names.emplace(key, "");
      if (inserted) it->second = "k" + std::to_string(names.size() - 1);
      key = it->second;
    };
    std::vector<OpSpec> candidate = specs_;
    for (OpSpec& spec : candidate) {
      for (WorkloadBuilder::Entry& entry : spec.entries) rename(entry.key);
      if (spec.type == OpType::kRead) rename(spec.key);
    }
    bool same = true;
    for (size_t i = 0; i < specs_.size() && same; ++i) {
      same = OpSpecToLine(specs_[i]) == OpSpecToLine(candidate[i]);
    }
    return !same && TryCandidate(std::move(candidate));
  }

  const Scenario& scenario_;
  const EngineFactory& engine_;
  const ShrinkOptions& options_;
  ExploreOptions explore_;
  std::vector<OpSpec> specs_;
  Failure best_;
  uint64_t runs_ = 0;
};

}  // namespace

Result<ShrinkResult> Shrink(const Scenario& scenario, const Workload& workload,
                            const EngineFactory& engine, const Failure& failure,
                            const ShrinkOptions& options) {
  if (options.max_runs == 0) {
    return ShrinkResult{
        .workload = workload, .failure = failure, .runs = 0, .budget_exhausted = true};
  }
  Shrinker shrinker(scenario, engine, failure, options);
  return shrinker.Run(SpecFromWorkload(workload), failure);
}

}  // namespace powercut::harness
