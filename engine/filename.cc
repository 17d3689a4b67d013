// File names of a database directory (see filename.h for the list).
#include "filename.h"

#include <cstdio>

#include "powercut/faultfs/file_system.h"

namespace powercut::engine {
namespace {

std::string NumberedName(uint64_t number, std::string_view suffix) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%06llu", static_cast<unsigned long long>(number));
  return std::string(buffer) + std::string(suffix);
}

// Parses a decimal number made of the whole of `digits`. False on an empty
// string, a non-digit, or overflow.
bool ParseNumber(std::string_view digits, uint64_t* number) {
  if (digits.empty() || digits.size() > 19) return false;
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  *number = value;
  return true;
}

bool ConsumeSuffix(std::string_view* name, std::string_view suffix) {
  if (name->size() <= suffix.size() || !name->ends_with(suffix)) return false;
  name->remove_suffix(suffix.size());
  return true;
}

}  // namespace

std::string LogFileName(std::string_view dbpath, uint64_t number) {
  return faultfs::JoinPath(dbpath, NumberedName(number, ".log"));
}
std::string TableFileName(std::string_view dbpath, uint64_t number) {
  return faultfs::JoinPath(dbpath, NumberedName(number, ".sst"));
}
std::string ManifestBaseName(uint64_t number) { return "MANIFEST-" + NumberedName(number, ""); }
std::string ManifestFileName(std::string_view dbpath, uint64_t number) {
  return faultfs::JoinPath(dbpath, ManifestBaseName(number));
}
std::string CurrentFileName(std::string_view dbpath) {
  return faultfs::JoinPath(dbpath, "CURRENT");
}
std::string TempFileName(std::string_view dbpath, uint64_t number) {
  return faultfs::JoinPath(dbpath, NumberedName(number, ".dbtmp"));
}
std::string LockFileName(std::string_view dbpath) { return faultfs::JoinPath(dbpath, "LOCK"); }

bool ParseFileName(std::string_view name, FileType* type, uint64_t* number) {
  if (name == "CURRENT" || name == "LOCK" || name == "CURRENT.tmp") {
    *type = name == "CURRENT" ? FileType::kCurrentFile
            : name == "LOCK"  ? FileType::kLockFile
                              : FileType::kTempFile;
    *number = 0;
    return true;
  }
  if (name.starts_with("MANIFEST-")) {
    if (!ParseNumber(name.substr(9), number)) return false;
    *type = FileType::kManifestFile;
    return true;
  }
  std::string_view rest = name;
  if (ConsumeSuffix(&rest, ".log")) {
    *type = FileType::kLogFile;
  } else if (ConsumeSuffix(&rest, ".sst")) {
    *type = FileType::kTableFile;
  } else if (ConsumeSuffix(&rest, ".dbtmp")) {
    *type = FileType::kTempFile;
  } else {
    return false;
  }
  return ParseNumber(rest, number);
}

}  // namespace powercut::engine
