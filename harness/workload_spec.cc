// The editable workload and its line text (see workload_spec.h): conversion
// from and to Workload, printing, and a small tokenizer-based parser.
#include "workload_spec.h"

#include <cassert>
#include <charconv>
#include <cstdio>
#include <optional>

#include "powercut/faultfs/crash_model.h"
#include "powercut/printable.h"
#include "powercut/faultfs/fault_rules.h"

namespace powercut::harness {

namespace {

bool IsBareChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == ':' || c == '/' || c == '+' || c == '-';
}

std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
          char hex[5];
          std::snprintf(hex, sizeof(hex), "\\x%02x", static_cast<unsigned char>(c));
          out += hex;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string KeyText(std::string_view key) {
  bool bare = !key.empty();
  for (char c : key) bare = bare && IsBareChar(c);
  return bare ? std::string(key) : Quote(key);
}

std::string EntryText(const WorkloadBuilder::Entry& entry) {
  if (!entry.put) return "delete " + KeyText(entry.key);
  std::string value =
      entry.value ? Quote(*entry.value) : "size=" + std::to_string(entry.value_bytes);
  return "put " + KeyText(entry.key) + " " + value;
}

}  // namespace

std::vector<OpSpec> SpecFromWorkload(const Workload& workload) {
  std::vector<OpSpec> specs;
  for (const Operation& op : workload.ops) {
    OpSpec spec;
    spec.type = op.type;
    spec.sync = op.sync;
    spec.key = op.key;
    spec.crash_model = op.crash_model;
    spec.fault_rule = op.fault_rule;
    const bool in_batch = op.type == OpType::kBatch;
    for (size_t i = 0; i < op.mutations.size(); ++i) {
      const Mutation& m = op.mutations[i];
      WorkloadBuilder::Entry entry{m.is_put(), m.key, 0, std::nullopt};
      if (m.is_put()) {
        const std::string tag = ValueTag(op.write_number, static_cast<uint32_t>(i), in_batch);
        if (m.value == MakeValue(tag, m.value.size())) {
          entry.value_bytes = m.value.size();
        } else {
          entry.value = m.value;
        }
      }
      spec.entries.push_back(std::move(entry));
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

Workload BuildWorkload(const std::vector<OpSpec>& specs) {
  WorkloadBuilder builder;
  for (const OpSpec& spec : specs) {
    switch (spec.type) {
      case OpType::kPut:
        assert(spec.entries.size() == 1);
        builder.Put(spec.entries[0].key, spec.entries[0].value_bytes, spec.sync,
                    spec.entries[0].value);
        break;
      case OpType::kDelete:
        assert(spec.entries.size() == 1);
        builder.Delete(spec.entries[0].key, spec.sync);
        break;
      case OpType::kBatch:
        builder.Batch(spec.entries, spec.sync);
        break;
      case OpType::kFlush:
        builder.Flush();
        break;
      case OpType::kRead:
        builder.Read(spec.key);
        break;
      case OpType::kScan:
        builder.Scan();
        break;
      case OpType::kReopen:
        builder.Reopen();
        break;
      case OpType::kCrash:
        builder.Crash(spec.crash_model);
        break;
      case OpType::kFault:
        builder.Fault(spec.fault_rule);
        break;
    }
  }
  return std::move(builder).Build();
}

std::string OpSpecToLine(const OpSpec& spec) {
  const std::string sync = spec.sync ? " sync" : "";
  switch (spec.type) {
    case OpType::kPut:
    case OpType::kDelete:
      assert(spec.entries.size() == 1);
      return EntryText(spec.entries[0]) + sync;
    case OpType::kBatch: {
      std::string text = "batch" + sync + " {";
      for (size_t i = 0; i < spec.entries.size(); ++i) {
        text += (i ? "; " : "") + EntryText(spec.entries[i]);
      }
      return text + "}";
    }
    case OpType::kRead:
      return "read " + KeyText(spec.key);
    case OpType::kCrash:
      return "crash " + spec.crash_model;
    case OpType::kFault:
      return "fault " + spec.fault_rule;
    case OpType::kFlush:
    case OpType::kScan:
    case OpType::kReopen:
      return std::string(OpTypeName(spec.type));
  }
  return "?";
}

namespace {

struct Token {
  std::string text;
  bool quoted = false;
  bool Is(std::string_view word) const { return !quoted && text == word; }
};

Result<std::vector<Token>> Tokenize(std::string_view line) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == '{' || c == '}' || c == ';') {
      tokens.push_back({std::string(1, c), false});
      ++i;
    } else if (c == '"') {
      Token token{"", true};
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] != '\\') {
          token.text += line[i];
          continue;
        }
        if (++i == line.size()) break;
        const char e = line[i];
        if (e == 'n')
          token.text += '\n';
        else if (e == 't')
          token.text += '\t';
        else if (e == 'r')
          token.text += '\r';
        else if (e == 'x' && i + 2 < line.size()) {
          unsigned value = 0;
          auto [end, error] = std::from_chars(line.data() + i + 1, line.data() + i + 3, value, 16);
          if (error != std::errc() || end != line.data() + i + 3) {
            return Status::InvalidArgument("bad \\x escape in " + PrintableBytes(line));
          }
          token.text += static_cast<char>(value);
          i += 2;
        } else
          token.text += e;
      }
      if (i >= line.size())
        return Status::InvalidArgument("unterminated quote in: " + PrintableBytes(line));
      ++i;  // the closing quote
      tokens.push_back(std::move(token));
    } else if (IsBareChar(c) || c == '=') {
      const size_t start = i;
      while (i < line.size() && (IsBareChar(line[i]) || line[i] == '=')) ++i;
      tokens.push_back({std::string(line.substr(start, i - start)), false});
    } else {
      return Status::InvalidArgument("unexpected '" + PrintableBytes(std::string_view(&c, 1)) +
                                     "' in: " + PrintableBytes(line));
    }
  }
  return tokens;
}

// Reads tokens left to right, naming the line in every error.
class OpParser {
 public:
  OpParser(std::vector<Token> tokens, std::string_view line)
      : tokens_(std::move(tokens)), line_(line) {}

  Result<OpSpec> Parse();

 private:
  Status Error(std::string_view expected) const {
    return Status::InvalidArgument("expected " + std::string(expected) + " at token " +
                                   std::to_string(next_ + 1) + " of: " + PrintableBytes(line_));
  }
  bool AtEnd() const { return next_ >= tokens_.size(); }
  bool Accept(std::string_view word) {
    if (AtEnd() || !tokens_[next_].Is(word)) return false;
    ++next_;
    return true;
  }
  Result<std::string> Key() {
    if (AtEnd() ||
        (!tokens_[next_].quoted && (tokens_[next_].text == "{" || tokens_[next_].text == "}" ||
                                    tokens_[next_].text == ";"))) {
      return Error("a key");
    }
    return tokens_[next_++].text;
  }
  Result<WorkloadBuilder::Entry> Entry();

  std::vector<Token> tokens_;
  std::string_view line_;
  size_t next_ = 0;
};

Result<WorkloadBuilder::Entry> OpParser::Entry() {
  WorkloadBuilder::Entry entry{true, "", 0, std::nullopt};
  if (Accept("delete")) {
    entry.put = false;
    POWERCUT_ASSIGN_OR_RETURN(entry.key, Key());
    return entry;
  }
  if (!Accept("put")) return Error("put or delete");
  POWERCUT_ASSIGN_OR_RETURN(entry.key, Key());
  if (AtEnd()) return Error("a value (size=N or a quoted string)");
  const Token& value = tokens_[next_++];
  if (value.quoted) {
    entry.value = value.text;
    return entry;
  }
  std::string_view text = value.text;
  if (text.substr(0, 5) != "size=") return Error("a value (size=N or a quoted string)");
  auto [end, error] =
      std::from_chars(text.data() + 5, text.data() + text.size(), entry.value_bytes);
  if (error == std::errc::result_out_of_range || (error == std::errc() && end == text.data() +
      text.size() && entry.value_bytes > kMaxValueBytes)) {
    return Status::InvalidArgument(
        "value size '" + PrintableBytes(text.substr(5)) + "' is too large (the maximum is " +
        std::to_string(kMaxValueBytes) + " bytes) in: " + PrintableBytes(line_));
  }
  if (error != std::errc() || end != text.data() + text.size())
    return Error("a number after size=");
  return entry;
}

Result<OpSpec> OpParser::Parse() {
  OpSpec spec;
  if (AtEnd() || tokens_[0].quoted) return Error("an operation");
  std::optional<OpType> type = ParseOpType(tokens_[next_++].text);
  if (!type) return Error("put, delete, batch, flush, read, scan, reopen, crash or fault");
  spec.type = *type;
  if (spec.type == OpType::kPut || spec.type == OpType::kDelete) {
    --next_;  // the entry grammar starts at the operation's word
    POWERCUT_ASSIGN_OR_RETURN(WorkloadBuilder::Entry entry, Entry());
    spec.entries.push_back(std::move(entry));
    spec.sync = Accept("sync");
  } else if (spec.type == OpType::kBatch) {
    spec.sync = Accept("sync");
    if (!Accept("{")) return Error("{");
    do {
      POWERCUT_ASSIGN_OR_RETURN(WorkloadBuilder::Entry entry, Entry());
      spec.entries.push_back(std::move(entry));
    } while (Accept(";"));
    if (!Accept("}")) return Error("; or }");
  } else if (spec.type == OpType::kRead) {
    POWERCUT_ASSIGN_OR_RETURN(spec.key, Key());
  } else if (spec.type == OpType::kCrash) {
    if (AtEnd()) return Error("a crash model");
    spec.crash_model = tokens_[next_++].text;
    POWERCUT_RETURN_IF_ERROR(faultfs::CrashModel::Parse(spec.crash_model).status());
  }
  if (!AtEnd()) return Error("the end of the line");
  return spec;
}

// "fault RULE": the rule is the rest of the line (globs hold '*', which the
// tokenizer does not take). nullopt if `line` is not a fault line.
std::optional<Result<OpSpec>> ParseFaultLine(std::string_view line) {
  size_t start = 0;
  while (start < line.size() && (line[start] == ' ' || line[start] == '\t')) ++start;
  std::string_view rest = line.substr(start);
  if (rest.substr(0, 5) != "fault" || (rest.size() > 5 && rest[5] != ' ' && rest[5] != '\t')) {
    return std::nullopt;
  }
  rest.remove_prefix(5);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  if (rest.empty()) {
    return Result<OpSpec>(
        Status::InvalidArgument("expected a fault rule after 'fault' in: " + PrintableBytes(line)));
  }
  Result<faultfs::FaultRule> rule = faultfs::FaultRule::Parse(rest);
  if (!rule.ok()) {
    return Result<OpSpec>(
        Status::InvalidArgument(rule.status().message() + " in: " + PrintableBytes(line)));
  }
  OpSpec spec;
  spec.type = OpType::kFault;
  spec.fault_rule = rule->ToString();
  return Result<OpSpec>(std::move(spec));
}

}  // namespace

Result<OpSpec> ParseOpSpecLine(std::string_view line) {
  if (std::optional<Result<OpSpec>> fault = ParseFaultLine(line)) return std::move(*fault);
  POWERCUT_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(line));
  return OpParser(std::move(tokens), line).Parse();
}

}  // namespace powercut::harness
