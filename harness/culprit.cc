// Culprit analysis of a repro (see culprit.h): replay it, search its crash
// state with counterfactual replays, gather the evidence, suggest a class,
// and put it all in words.
#include "culprit.h"

#include <algorithm>

namespace powercut::harness {
namespace {

using faultfs::PendingOpFate;
using Fate = PendingOpFate::Fate;

std::string FateWord(Fate fate) {
  switch (fate) {
    case Fate::kPersisted:
      return "landed";
    case Fate::kDropped:
      return "was lost";
    case Fate::kTorn:
      return "landed torn";
  }
  return "?";
}

std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// "the create /db/000004.log was lost; the write ... landed torn (...)".
std::string DescribeCulpritOps(const CulpritEvidence& evidence) {
  std::string text;
  for (size_t index : evidence.culprits) {
    const PendingOpFate& fate = evidence.fates[index];
    if (!text.empty()) text += "; ";
    text += "the " + fate.op.ToString() + " " + FateWord(fate.fate);
    if (!fate.detail.empty()) text += " (" + fate.detail + ")";
  }
  return text;
}

// Name operations that landed after the first culprit: "the unlink /db/000003.log
// landed" — what the lost operations were overtaken by.
std::string OvertakingOps(const CulpritEvidence& evidence) {
  const size_t first = evidence.culprits.front();
  std::string text;
  int shown = 0;
  for (size_t i = first + 1; i < evidence.fates.size() && shown < 3; ++i) {
    const PendingOpFate& fate = evidence.fates[i];
    bool culprit =
        std::find(evidence.culprits.begin(), evidence.culprits.end(), i) != evidence.culprits.end();
    if (culprit || fate.fate != Fate::kPersisted) continue;
    bool interesting = fate.op.kind == faultfs::OpKind::kRename ||
                       fate.op.kind == faultfs::OpKind::kUnlink ||
                       fate.op.path.find("MANIFEST") != std::string::npos;
    if (!interesting) continue;
    text += (shown++ == 0 ? "" : ", ") + ("the " + fate.op.ToString());
  }
  return text;
}

// "; no directory fsync of /db came after it" for lost name operations.
std::string MissingSyncs(const CulpritEvidence& evidence) {
  std::string text;
  for (size_t index : evidence.culprits) {
    const faultfs::OpRecord& op = evidence.fates[index].op;
    const bool name_op = op.kind == faultfs::OpKind::kCreate ||
                         op.kind == faultfs::OpKind::kRename ||
                         op.kind == faultfs::OpKind::kUnlink || op.kind == faultfs::OpKind::kLink;
    if (evidence.fates[index].fate == Fate::kDropped && name_op) {
      return "; no directory fsync of " + ParentOf(op.path) + " came after the " +
             std::string(faultfs::OpKindName(op.kind));
    }
    if (evidence.fates[index].fate != Fate::kPersisted && op.kind == faultfs::OpKind::kWrite) {
      text = "; no fsync of " + op.path + " came after the write";
    }
  }
  return text;
}

}  // namespace

std::string ExplainCulprits(const CulpritEvidence& evidence) {
  if (evidence.culprits.empty()) {
    if (evidence.main_line) {
      return "no crash state: the failure is in the running engine (a live read or scan), "
             "so no file operation is to blame";
    }
    if (evidence.model.has_value() &&
        evidence.model->kind == faultfs::CrashModelKind::kProcessKill) {
      return "a process kill loses no file operation, so no pending operation of the crash is "
             "to blame: the evidence is in the order of the operations (see the class)";
    }
    return "no set of pending operations found whose landing (or loss) makes the state pass: "
           "the damage is not in one crash's choices";
  }
  std::string text = DescribeCulpritOps(evidence);
  if (evidence.culprits_by_dropping) {
    return text + "; the state passes if " +
           (evidence.culprits.size() == 1 ? "it had" : "they had") + " been lost instead";
  }
  std::string overtaking = OvertakingOps(evidence);
  if (!overtaking.empty()) text += ", while " + overtaking + " landed";
  return text + MissingSyncs(evidence);
}

std::string FormatCulpritReport(const CulpritReport& report, std::string_view indent) {
  const std::string in(indent);
  std::string text =
      in + "culprits (" + std::to_string(report.states_tried) + " counterfactual states tried):";
  if (report.culprits.empty()) text += " none";
  text += "\n";
  for (const PendingOpFate& fate : report.culprits) {
    std::string word = report.by_dropping ? "landed, must be lost" : FateWord(fate.fate);
    text += in + "  " + word + ": " + fate.op.ToString() +
            (fate.detail.empty() ? "" : " (" + fate.detail + ")") + "\n";
  }
  if (!report.passing_state.empty()) {
    text += in + "passes instead: " + report.passing_state + "\n";
  }
  text += in + "explanation: " + report.explanation + "\n";
  text += in + "suggested class: " +
          (report.suggested_class.empty()
               ? std::string("none")
               : report.suggested_class + " " + report.suggested_class_name) +
          ": " + report.reason + "\n";
  return text;
}

}  // namespace powercut::harness
