// Writes a scenario with an explicit workload back as TOML (see
// ScenarioToToml in scenario.h): the repro file of a shrunk failure. Values
// the builder would make from the write's tag are written as value_bytes;
// any other value is written out explicitly.
#include <string>

#include "scenario.h"

namespace powercut::harness {

namespace {

// A TOML basic string.
std::string Quoted(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// "value_bytes = 40000", "" (the bare tag), or "value = \"...\"".
std::string ValueFields(const Mutation& m, uint64_t write, uint32_t index, bool in_batch,
                        std::string_view separator) {
  const std::string tag = ValueTag(write, index, in_batch);
  if (m.value == MakeValue(tag, m.value.size())) {
    return m.value.size() > tag.size()
               ? std::string(separator) + "value_bytes = " + std::to_string(m.value.size())
               : "";
  }
  return std::string(separator) + "value = " + Quoted(m.value);
}

std::string OpToToml(const Operation& op) {
  std::string text = "\n[[op]]\nkind = \"" + std::string(OpTypeName(op.type)) + "\"\n";
  switch (op.type) {
    case OpType::kPut:
      text += "key = " + Quoted(op.mutations[0].key) + "\n";
      text += ValueFields(op.mutations[0], op.write_number, 0, false, "");
      if (text.back() != '\n') text += "\n";
      break;
    case OpType::kDelete:
      text += "key = " + Quoted(op.mutations[0].key) + "\n";
      break;
    case OpType::kBatch:
      text += "mutations = [";
      for (uint32_t i = 0; i < op.mutations.size(); ++i) {
        const Mutation& m = op.mutations[i];
        text += i ? ", { " : "{ ";
        text += (m.is_put() ? "put = " : "delete = ") + Quoted(m.key);
        if (m.is_put()) text += ValueFields(m, op.write_number, i, true, ", ");
        text += " }";
      }
      text += "]\n";
      break;
    case OpType::kRead:
      text += "key = " + Quoted(op.key) + "\n";
      break;
    case OpType::kCrash:
      text += "model = " + Quoted(op.crash_model) + "\n";
      break;
    case OpType::kFault:
      text += "rule = " + Quoted(op.fault_rule) + "\n";
      break;
    case OpType::kFlush:
    case OpType::kScan:
    case OpType::kReopen:
      break;
  }
  if (op.is_write() && op.sync) text += "sync = true\n";
  return text;
}

std::string HeaderToToml(const Scenario& s) {
  std::string text = "name = " + Quoted(s.name) + "\ndescription = " + Quoted(s.description) +
                     "\ncrash_points = \"" +
                     (s.crash_points == CrashPoints::kSync ? "sync" : "all") + "\"\n";
  if (!s.models.empty()) {
    text += "models = [";
    for (size_t i = 0; i < s.models.size(); ++i) {
      text += (i ? ", " : "") + Quoted(s.models[i].Name());
    }
    text += "]\n";
  }
  text += "\n[engine]\n";
  if (s.engine.write_buffer_bytes) {
    text += "write_buffer_bytes = " + std::to_string(*s.engine.write_buffer_bytes) + "\n";
  }
  if (s.engine.block_bytes) text += "block_bytes = " + std::to_string(*s.engine.block_bytes) + "\n";
  if (s.engine.wal_recovery_mode) {
    text += "wal_recovery_mode = " + Quoted(*s.engine.wal_recovery_mode) + "\n";
  }
  if (s.engine.mutant) text += "mutant = " + Quoted(*s.engine.mutant) + "\n";
  text += "\n[multi_crash]\ndepth = " + std::to_string(s.multi_crash.depth) +
          "\ndouble_recovery = " + (s.multi_crash.double_recovery ? "true" : "false") + "\n";
  return text;
}

}  // namespace

std::string ScenarioToToml(const Scenario& scenario, const Workload& workload) {
  std::string text = HeaderToToml(scenario);
  for (const Operation& op : workload.ops) text += OpToToml(op);
  return text;
}

}  // namespace powercut::harness
