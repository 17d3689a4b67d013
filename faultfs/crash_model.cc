// Crash-model names and crash-state ids: the text forms that go into repro
// files, reports and command lines (`--model torn-4096-junk`, `replay
// reorder@57:12x5a0`). Everything here is pure parsing and printing; which
// states a model allows, and how a state is rebuilt, lives in SimFs.
//
// Method: the id text is "<model-name>@<position>[:<choices>]". The choices
// part is absent when there are no choices (the single-state models, or a
// multi-state model at a point with nothing pending). Otherwise it takes one
// of two forms, whichever is shorter (ties go to the list):
//   bits  "<n>x<hex>"  when every choice is 0 or 1: n choices, packed most
//                      significant bit first, so the hex digits read left to
//                      right in issue order ("5xb0" = 1,0,1,1,0);
//   list  "d.d.d"      decimal digits separated by '.', where a run of k >= 3
//                      equal values v is written "v*k" ("0*6.3.1").
// Both forms are frozen: ids are written into repro files.
#include "powercut/faultfs/crash_model.h"

#include <array>
#include <charconv>
#include <cstdio>

namespace powercut::faultfs {
namespace {

struct ModelName {
  CrashModelKind kind;
  std::string_view name;
};

// Written into repro files: never rename.
constexpr std::array<ModelName, 7> kModelNames = {{
    {CrashModelKind::kProcessKill, "process-kill"},
    {CrashModelKind::kPowerLoss, "power-loss"},
    {CrashModelKind::kPrefix, "prefix"},
    {CrashModelKind::kPerFilePrefix, "per-file-prefix"},
    {CrashModelKind::kReorder, "reorder"},
    {CrashModelKind::kTorn, "torn"},
    {CrashModelKind::kZeroTail, "zero-tail"},
}};

struct TearName {
  TearContent tear;
  std::string_view name;
};
constexpr std::array<TearName, 4> kTearNames = {{
    {TearContent::kOld, "old"},
    {TearContent::kNew, "new"},
    {TearContent::kZeros, "zeros"},
    {TearContent::kJunk, "junk"},
}};

constexpr std::string_view kValidModelNames =
    "process-kill, power-loss, prefix, per-file-prefix, reorder, zero-tail, "
    "torn[-512|-4096][-old|-new|-zeros|-junk]";

Status BadModel(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("unknown crash model '" + std::string(text) + "'" +
                                 std::string(why) +
                                 "; valid models: " + std::string(kValidModelNames));
}

// Parses the suffix of a torn model name: "", "-512", "-4096-junk", "-old".
Status ParseTornSuffix(std::string_view text, std::string_view suffix, CrashModel& model) {
  if (suffix.empty()) return Status::OK();
  if (suffix.front() != '-') return BadModel(text, "");
  suffix.remove_prefix(1);
  for (std::string_view sector : {"512", "4096"}) {
    if (suffix.substr(0, sector.size()) == sector &&
        (suffix.size() == sector.size() || suffix[sector.size()] == '-')) {
      model.sector_bytes = sector == "512" ? 512 : 4096;
      suffix.remove_prefix(sector.size());
      if (suffix.empty()) return Status::OK();
      suffix.remove_prefix(1);  // the '-'
      break;
    }
  }
  for (const TearName& tear : kTearNames) {
    if (suffix == tear.name) {
      model.tear = tear.tear;
      return Status::OK();
    }
  }
  return BadModel(text, " (torn takes a sector size 512 or 4096, then old, new, zeros or junk)");
}

bool ParseDecimal(std::string_view text, uint64_t& value) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value, 10);
  return ec == std::errc() && ptr == end;
}

std::string EncodeBits(const std::vector<uint64_t>& choices) {
  std::string text = std::to_string(choices.size()) + "x";
  for (size_t i = 0; i < choices.size(); i += 4) {
    unsigned nibble = 0;
    for (size_t bit = 0; bit < 4; ++bit) {
      nibble <<= 1;
      if (i + bit < choices.size() && choices[i + bit] != 0) nibble |= 1;
    }
    text += "0123456789abcdef"[nibble];
  }
  return text;
}

std::string EncodeList(const std::vector<uint64_t>& choices) {
  std::string text;
  for (size_t i = 0; i < choices.size();) {
    size_t run = 1;
    while (i + run < choices.size() && choices[i + run] == choices[i]) ++run;
    if (!text.empty()) text += '.';
    text += std::to_string(choices[i]);
    if (run >= 3) {
      text += '*' + std::to_string(run);
      i += run;
    } else {
      i += 1;
    }
  }
  return text;
}

bool AllBits(const std::vector<uint64_t>& choices) {
  for (uint64_t choice : choices) {
    if (choice > 1) return false;
  }
  return true;
}

// Decodes "<n>x<hex>". False on any malformation.
bool DecodeBits(std::string_view text, std::vector<uint64_t>& choices) {
  size_t x = text.find('x');
  uint64_t count = 0;
  if (!ParseDecimal(text.substr(0, x), count)) return false;
  std::string_view hex = text.substr(x + 1);
  if (hex.size() != (count + 3) / 4) return false;
  choices.clear();
  for (size_t i = 0; i < hex.size(); ++i) {
    unsigned nibble = 0;
    auto [ptr, ec] = std::from_chars(hex.data() + i, hex.data() + i + 1, nibble, 16);
    if (ec != std::errc() || (hex[i] >= 'A' && hex[i] <= 'F')) return false;
    for (int bit = 3; bit >= 0; --bit) {
      bool set = (nibble >> bit) & 1;
      if (choices.size() < count) {
        choices.push_back(set ? 1 : 0);
      } else if (set) {
        return false;  // padding bits must be zero, so each id has one spelling
      }
    }
  }
  return true;
}

// Decodes "d.d*k.d". False on any malformation.
bool DecodeList(std::string_view text, std::vector<uint64_t>& choices) {
  choices.clear();
  size_t start = 0;
  while (true) {
    size_t dot = text.find('.', start);
    std::string_view item = text.substr(start, dot == std::string_view::npos ? dot : dot - start);
    size_t star = item.find('*');
    uint64_t value = 0;
    uint64_t run = 1;
    if (!ParseDecimal(item.substr(0, star), value)) return false;
    if (star != std::string_view::npos) {
      if (!ParseDecimal(item.substr(star + 1), run) || run < 3) return false;
      if (run > (uint64_t{1} << 24)) return false;  // no id is that long; refuse to allocate
    }
    choices.insert(choices.end(), run, value);
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

Status BadId(std::string_view text, std::string_view why) {
  return Status::InvalidArgument(
      "bad crash-state id '" + std::string(text) + "': " + std::string(why) +
      "; expected '<model>@<position>[:<choices>]' such as 'power-loss@57', 'prefix@57:3' or "
      "'reorder@57:5xb0', with <model> one of: " +
      std::string(kValidModelNames));
}

}  // namespace

Result<CrashModel> CrashModel::Parse(std::string_view text) {
  for (const ModelName& entry : kModelNames) {
    if (entry.kind == CrashModelKind::kTorn) continue;
    if (text == entry.name) return CrashModel{.kind = entry.kind};
  }
  constexpr std::string_view kTorn = "torn";
  if (text.substr(0, kTorn.size()) == kTorn) {
    CrashModel model{.kind = CrashModelKind::kTorn};
    POWERCUT_RETURN_IF_ERROR(ParseTornSuffix(text, text.substr(kTorn.size()), model));
    return model;
  }
  return BadModel(text, "");
}

std::string CrashModel::Name() const {
  std::string name;
  for (const ModelName& entry : kModelNames) {
    if (entry.kind == kind) name = entry.name;
  }
  assert(!name.empty() && "every CrashModelKind has a name");
  if (kind != CrashModelKind::kTorn) return name;
  name += '-' + std::to_string(sector_bytes);
  for (const TearName& entry : kTearNames) {
    if (entry.tear == tear) name += '-' + std::string(entry.name);
  }
  return name;
}

std::vector<CrashModel> CrashModel::All() {
  std::vector<CrashModel> models;
  for (const ModelName& entry : kModelNames) models.push_back(CrashModel{.kind = entry.kind});
  return models;
}

bool CrashModel::single_state() const {
  return kind == CrashModelKind::kProcessKill || kind == CrashModelKind::kPowerLoss ||
         kind == CrashModelKind::kZeroTail;
}

std::string CrashStateId::ToString() const {
  std::string text = model.Name() + '@' + std::to_string(position);
  if (choices.empty()) return text;
  std::string list = EncodeList(choices);
  if (AllBits(choices)) {
    std::string bits = EncodeBits(choices);
    if (bits.size() < list.size()) list = std::move(bits);
  }
  return text + ':' + list;
}

Result<CrashStateId> CrashStateId::Parse(std::string_view text) {
  size_t at = text.find('@');
  if (at == std::string_view::npos) return BadId(text, "no '@' after the model name");
  Result<CrashModel> model = CrashModel::Parse(text.substr(0, at));
  if (!model.ok()) return BadId(text, "'" + std::string(text.substr(0, at)) + "' is no model");
  CrashStateId id{.model = *model, .position = 0, .choices = {}};
  std::string_view rest = text.substr(at + 1);
  size_t colon = rest.find(':');
  if (!ParseDecimal(rest.substr(0, colon), id.position)) {
    return BadId(text, "the position after '@' must be a decimal number");
  }
  if (colon == std::string_view::npos) return id;
  std::string_view choices = rest.substr(colon + 1);
  bool decoded = choices.find('x') != std::string_view::npos ? DecodeBits(choices, id.choices)
                                                             : DecodeList(choices, id.choices);
  if (!decoded || id.choices.empty()) {
    return BadId(text,
                 "the choices after ':' must be '<n>x<hex digits>' or decimal numbers "
                 "separated by '.' (a run written 'value*count')");
  }
  return id;
}

}  // namespace powercut::faultfs
