// File names of a database directory: the one place that knows how every file
// the engine writes is named, and how to tell them apart when recovery lists
// the directory. Numbers come from one counter (the version's
// next_file_number), so a WAL, a table, a manifest and a temp file never share
// a number within one database.
//
//   NNNNNN.log        a write-ahead log (WAL)
//   NNNNNN.sst        a sorted table
//   MANIFEST-NNNNNN   a manifest: the log of version edits
//   CURRENT           names the live manifest: "MANIFEST-NNNNNN\n"
//   NNNNNN.dbtmp      a temp file (the next CURRENT, before its rename)
//   CURRENT.tmp       also a temp file (accepted on parse, never written)
//   LOCK              the advisory lock that keeps a second process out
//
// NNNNNN is the decimal number, zero-padded to at least six digits. Written
// to disk (the names are the format): never change.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace powercut::engine {

enum class FileType : uint8_t {
  kLogFile,
  kTableFile,
  kManifestFile,
  kCurrentFile,
  kTempFile,
  kLockFile,
};

// Full paths inside the database directory `dbpath` (a virtual path).
std::string LogFileName(std::string_view dbpath, uint64_t number);
std::string TableFileName(std::string_view dbpath, uint64_t number);
std::string ManifestFileName(std::string_view dbpath, uint64_t number);
std::string CurrentFileName(std::string_view dbpath);
std::string TempFileName(std::string_view dbpath, uint64_t number);
std::string LockFileName(std::string_view dbpath);

// The bare name of a manifest ("MANIFEST-000003"), as CURRENT holds it.
std::string ManifestBaseName(uint64_t number);

// Classifies a bare directory entry name. False if `name` is not a file this
// engine writes; otherwise *type is set and *number too (0 for CURRENT, LOCK
// and CURRENT.tmp).
bool ParseFileName(std::string_view name, FileType* type, uint64_t* number);

}  // namespace powercut::engine
