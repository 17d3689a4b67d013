// The progress line (see progress.h).
#include "progress.h"

#include <unistd.h>

#include <cstdio>

namespace powercut::cli {

namespace {
constexpr auto kQuietStart = std::chrono::seconds(1);          // draw nothing before this
constexpr auto kRedrawEvery = std::chrono::milliseconds(200);  // at most 5 redraws a second
}  // namespace

ProgressLine::ProgressLine(bool enabled)
    : enabled_(enabled), start_(Clock::now()), last_draw_(start_), run_start_(start_) {}

ProgressLine::~ProgressLine() { Clear(); }

bool ProgressLine::StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

void ProgressLine::StartRun(uint64_t runs_done, uint64_t runs_total, const std::string& label) {
  std::lock_guard<std::mutex> lock(mu_);
  runs_done_ = runs_done;
  runs_total_ = runs_total;
  label_ = label;
  run_start_ = Clock::now();
  run_states_ = 0;
  run_violations_ = 0;
  DrawLocked();
}

void ProgressLine::Update(uint64_t run_states_checked, uint64_t run_violations) {
  std::lock_guard<std::mutex> lock(mu_);
  run_states_ = run_states_checked;
  run_violations_ = run_violations;
  DrawLocked();
}

void ProgressLine::FinishRun(uint64_t run_states_checked, uint64_t run_violations) {
  std::lock_guard<std::mutex> lock(mu_);
  states_before_ += run_states_checked;
  violations_before_ += run_violations;
  run_states_ = 0;
  run_violations_ = 0;
  ++runs_done_;
  DrawLocked();
}

double ProgressLine::RunSeconds() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::chrono::duration<double>(Clock::now() - run_start_).count();
}

void ProgressLine::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!drawn_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

void ProgressLine::DrawLocked() {
  if (!enabled_) return;
  const Clock::time_point now = Clock::now();
  if (now - start_ < kQuietStart) return;
  if (drawn_ && now - last_draw_ < kRedrawEvery) return;
  last_draw_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const uint64_t states = states_before_ + run_states_;
  const uint64_t violations = violations_before_ + run_violations_;
  std::fprintf(stderr, "\r\033[K[%llu/%llu runs] %s: %llu states, %.0f states/s, %llu violations",
               static_cast<unsigned long long>(runs_done_),
               static_cast<unsigned long long>(runs_total_), label_.c_str(),
               static_cast<unsigned long long>(states), states / seconds,
               static_cast<unsigned long long>(violations));
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace powercut::cli
