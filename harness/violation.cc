// Printing of guarantees and violations (see violation.h).
#include "violation.h"

#include <array>

#include "mutation.h"

namespace powercut::harness {

namespace {

constexpr std::array<std::string_view, 9> kGuaranteeNames = {"acknowledged-durable",
                                                             "atomic-batches",
                                                             "no-invention",
                                                             "no-hole",
                                                             "durable-recovery",
                                                             "reads-stay-true",
                                                             "crash-safe-recovery",
                                                             "read-consistency",
                                                             "recovers"};
static_assert(kGuaranteeNames.size() == static_cast<size_t>(Guarantee::kRecovers) + 1);

}  // namespace

std::string_view GuaranteeName(Guarantee guarantee) {
  return kGuaranteeNames[static_cast<size_t>(guarantee)];
}

std::string Violation::ToString() const {
  std::string text(GuaranteeName(guarantee));
  if (underlying) text += " (" + std::string(GuaranteeName(*underlying)) + ")";
  text += ":";
  if (!key.empty()) {
    text += " key " + key + ": expected ";
    if (expected.empty()) text += "nothing";
    for (size_t i = 0; i < expected.size(); ++i) {
      text += (i ? " or " : "") + ShortValueOrAbsent(expected[i]);
    }
    if (expected_truncated) text += " or ...";
    text += ", found " + ShortValueOrAbsent(found);
  }
  if (!writes.empty()) {
    text += " (write";
    text += writes.size() > 1 ? "s" : "";
    for (size_t i = 0; i < writes.size(); ++i) text += (i ? ", " : " ") + std::to_string(writes[i]);
    text += ")";
  }
  if (!explanation.empty()) text += (text.back() == ':' ? " " : ": ") + explanation;
  if (!crash_state_id.empty()) text += "\n  crash state: " + crash_state_id;
  for (const std::string& op : context_ops) text += "\n    " + op;
  return text;
}

}  // namespace powercut::harness
