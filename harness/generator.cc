// The seeded workload generator (see workload.h): one 64-bit seed and a
// GeneratorOptions give one workload, always the same. Key choice follows the
// options' skew and overwrite ratio; write kinds, sync flags and value sizes
// are drawn from the one Rng, so nothing else influences the result.
#include <cmath>
#include <vector>

#include "powercut/faultfs/crash_model.h"
#include "random.h"
#include "workload.h"

namespace powercut::harness {

namespace {

constexpr uint64_t kValueBytesLimit = 16 << 20;

bool IsRatio(double r) { return r >= 0.0 && r <= 1.0; }

// Tracks which keys have been written and which are live, and picks keys.
class KeyPicker {
 public:
  KeyPicker(const GeneratorOptions& options, Rng* rng) : options_(options), rng_(rng) {
    hot_count_ = std::max<uint64_t>(
        1, static_cast<uint64_t>(std::llround(options.key_count * options.hot_key_fraction)));
    hot_count_ = std::min<uint64_t>(hot_count_, options.key_count);
    for (uint64_t i = 0; i < options.key_count; ++i) unwritten_.push_back(i);
    written_flag_.assign(options.key_count, false);
    live_flag_.assign(options.key_count, false);
  }

  uint64_t ForPut() {
    const bool overwrite =
        !written_.empty() && (unwritten_.empty() || rng_->Bernoulli(options_.overwrite_ratio));
    uint64_t key = overwrite ? PickFrom(written_, written_flag_, true)
                             : PickFrom(unwritten_, written_flag_, false);
    MarkWritten(key);
    live_flag_[key] = true;
    return key;
  }

  uint64_t ForDelete() {
    std::vector<uint64_t> live;
    for (uint64_t key : written_) {
      if (live_flag_[key]) live.push_back(key);
    }
    uint64_t key = live.empty() ? Skewed() : PickFrom(live, live_flag_, true);
    live_flag_[key] = false;
    return key;
  }

  uint64_t ForRead() { return Skewed(); }

 private:
  // A key by the skew alone.
  uint64_t Skewed() {
    if (options_.key_skew == KeySkew::kUniform || hot_count_ == options_.key_count) {
      return rng_->Uniform(0, options_.key_count - 1);
    }
    if (rng_->Bernoulli(options_.hot_op_fraction)) return rng_->Uniform(0, hot_count_ - 1);
    return rng_->Uniform(hot_count_, options_.key_count - 1);
  }

  // A key of `pool` (non-empty): the skewed choice if it lands in the pool
  // (flag[key] == in_pool) within a few tries, else a uniform member.
  uint64_t PickFrom(const std::vector<uint64_t>& pool, const std::vector<bool>& flag,
                    bool in_pool) {
    for (int attempt = 0; attempt < 4; ++attempt) {
      uint64_t key = Skewed();
      if (flag[key] == in_pool) return key;
    }
    return pool[rng_->Uniform(0, pool.size() - 1)];
  }

  void MarkWritten(uint64_t key) {
    if (written_flag_[key]) return;
    written_flag_[key] = true;
    written_.push_back(key);
    for (size_t i = 0; i < unwritten_.size(); ++i) {
      if (unwritten_[i] == key) {
        unwritten_[i] = unwritten_.back();
        unwritten_.pop_back();
        break;
      }
    }
  }

  const GeneratorOptions& options_;
  Rng* rng_;
  uint64_t hot_count_ = 1;
  std::vector<uint64_t> written_, unwritten_;
  std::vector<bool> written_flag_, live_flag_;
};

void AddWrite(const GeneratorOptions& options, Rng& rng, KeyPicker& keys,
              WorkloadBuilder& builder) {
  const bool sync = rng.Bernoulli(options.sync_ratio);
  auto value_bytes = [&] { return rng.Uniform(options.value_bytes_min, options.value_bytes_max); };
  if (rng.Bernoulli(options.batch_ratio)) {
    std::vector<WorkloadBuilder::Entry> entries(
        rng.Uniform(options.batch_size_min, options.batch_size_max));
    for (WorkloadBuilder::Entry& entry : entries) {
      entry.put = !rng.Bernoulli(options.delete_ratio);
      entry.key = KeyName(entry.put ? keys.ForPut() : keys.ForDelete());
      if (entry.put) entry.value_bytes = value_bytes();
    }
    builder.Batch(entries, sync);
  } else if (rng.Bernoulli(options.delete_ratio)) {
    builder.Delete(KeyName(keys.ForDelete()), sync);
  } else {
    uint64_t key = keys.ForPut();
    builder.Put(KeyName(key), value_bytes(), sync);
  }
}

}  // namespace

Status GeneratorOptions::Validate() const {
  auto bad = [](std::string_view field, std::string_view why) {
    return Status::InvalidArgument("generator option " + std::string(field) + ": " +
                                   std::string(why));
  };
  if (op_count == 0) return bad("op_count", "must be at least 1");
  if (key_count == 0) return bad("key_count", "must be at least 1");
  for (auto [name, ratio] : {std::pair{"hot_key_fraction", hot_key_fraction},
                             {"hot_op_fraction", hot_op_fraction},
                             {"overwrite_ratio", overwrite_ratio},
                             {"delete_ratio", delete_ratio},
                             {"batch_ratio", batch_ratio},
                             {"sync_ratio", sync_ratio},
                             {"read_ratio", read_ratio},
                             {"scan_ratio", scan_ratio}}) {
    if (!IsRatio(ratio)) return bad(name, "must be in [0, 1]");
  }
  if (read_ratio + scan_ratio > 1.0) return bad("read_ratio", "read_ratio + scan_ratio > 1");
  if (value_bytes_min > value_bytes_max) return bad("value_bytes", "min > max");
  if (value_bytes_max > kValueBytesLimit) return bad("value_bytes", "max above 16 MiB");
  if (batch_size_min == 0) return bad("batch_size", "min must be at least 1");
  if (batch_size_min > batch_size_max) return bad("batch_size", "min > max");
  if (crash_every != 0) {
    Result<faultfs::CrashModel> model = faultfs::CrashModel::Parse(crash_model);
    if (!model.ok()) return bad("crash_model", model.status().message());
  }
  return Status::OK();
}

Result<Workload> Generate(const GeneratorOptions& options, uint64_t seed) {
  POWERCUT_RETURN_IF_ERROR(options.Validate());
  Rng rng(seed);
  KeyPicker keys(options, &rng);
  WorkloadBuilder builder;
  for (uint32_t i = 1; i <= options.op_count; ++i) {
    const double kind = rng.UnitDouble();
    if (kind < options.read_ratio) {
      builder.Read(KeyName(keys.ForRead()));
    } else if (kind < options.read_ratio + options.scan_ratio) {
      builder.Scan();
    } else {
      AddWrite(options, rng, keys, builder);
    }
    if (options.flush_every && i % options.flush_every == 0) builder.Flush();
    if (options.reopen_every && i % options.reopen_every == 0) builder.Reopen();
    if (options.crash_every && i % options.crash_every == 0) builder.Crash(options.crash_model);
  }
  return std::move(builder).Build();
}

}  // namespace powercut::harness
