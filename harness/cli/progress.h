// The progress line of `powercut run`: one line on stderr, redrawn in place,
// saying how far the matrix is (runs done / total, the current scenario and
// seed, crash states checked, states per second, violations so far). It is
// shown only when stderr is a terminal and only once the run has lasted a
// second, so logs and short runs stay clean. The wall clock it reads is for
// display only: nothing the run decides depends on it.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace powercut::cli {

class ProgressLine {
 public:
  // `enabled`: usually ProgressLine::StderrIsTerminal() && !quiet.
  explicit ProgressLine(bool enabled);
  ~ProgressLine();

  static bool StderrIsTerminal();

  // A new (scenario, seed) run begins; `runs_done` of `runs_total` are over.
  void StartRun(uint64_t runs_done, uint64_t runs_total, const std::string& label);
  // The current run's counts so far (called from exploring threads).
  void Update(uint64_t run_states_checked, uint64_t run_violations);
  // The current run is over; its counts join the totals.
  void FinishRun(uint64_t run_states_checked, uint64_t run_violations);
  // Seconds since the current run started (for display only).
  double RunSeconds();
  // Erases the line (if one was drawn) so normal output can follow.
  void Clear();

 private:
  using Clock = std::chrono::steady_clock;
  void DrawLocked();

  const bool enabled_;
  std::mutex mu_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
  Clock::time_point run_start_;
  bool drawn_ = false;
  uint64_t runs_done_ = 0;
  uint64_t runs_total_ = 0;
  std::string label_;
  uint64_t states_before_ = 0;  // finished runs
  uint64_t violations_before_ = 0;
  uint64_t run_states_ = 0;  // the current run
  uint64_t run_violations_ = 0;
};

}  // namespace powercut::cli
