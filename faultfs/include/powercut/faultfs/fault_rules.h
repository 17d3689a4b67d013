// Error-injection rules (no crash): faults a file system returns to the
// program while it runs, so its error handling can be tested. The same rule
// text is understood by SimFs and by the LD_PRELOAD shim (environment
// variable POWERCUT_FAULTS, rules separated by ';').
//
// Rule text (fields separated by ':'):
//   fsync-eio:GLOB:N[:drop|keep|clean-but-visible]
//        the Nth fsync/fdatasync/directory fsync of a path matching GLOB fails
//        with EIO (N = 0: every one). After the failure the simulated page
//        cache behaves per the profile (Rebello et al., ATC'20):
//          drop               the dirty data is thrown away; a retry "succeeds"
//                             without it (fsyncgate)  [default]
//          keep               the data stays dirty; a retry may persist it
//          clean-but-visible  reads still show the data, but it never reaches
//                             the disk; a retry "succeeds"
//   enospc:BYTES[:GLOB]
//        writes to matching paths fail with ENOSPC once BYTES bytes in total
//        have been written to them; the write that crosses the limit is short.
//   short-write:GLOB:N[:BYTES]
//        the Nth write to a matching path writes only BYTES bytes (default:
//        half, at least 1) and returns that count (N = 0: every one).
//   read-eio:GLOB:OFFSET:LENGTH
//        reads of a matching path that overlap [OFFSET, OFFSET+LENGTH) fail
//        with EIO.
//   bitflip:PATH:OFFSET:BIT
//        flips bit BIT (0-7) of byte OFFSET of PATH's durable data (and of the
//        page cache), as a media error would. Applied once, when added.
//   zero-sector:PATH:OFFSET[:SECTOR]
//        the SECTOR-byte sector (default 512; a power of two, 512-65536)
//        holding byte OFFSET of PATH reads back as zeros (clipped to the
//        file's end), in the durable data and the page cache: a sector the
//        device lost or remapped (a latent sector error "repaired" by zero
//        fill). Applied once, when added.
//   misdirect:PATH:FROM:TO:LENGTH
//        a misdirected write: the LENGTH bytes written for offset FROM landed
//        at offset TO instead. [TO, TO+LENGTH) now holds them and
//        [FROM, FROM+LENGTH) holds what was there before the write, which
//        for a file written once (every file of the reference engine) is
//        nothing: zeros. Both ranges must lie inside the file. Applied once.
// bitflip, zero-sector and misdirect are media damage: they change what is
// on the disk, not what a call returns (IsMediaDamage).
// GLOB is fnmatch(3) syntax over the whole virtual path ("*.log", "/db/*").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/status.h"

namespace powercut::faultfs {

enum class FaultKind : uint8_t {
  kFsyncEio,
  kEnospc,
  kShortWrite,
  kReadEio,
  kBitFlip,
  kZeroSector,
  kMisdirect,
};

// bitflip, zero-sector and misdirect: damage SimFs applies to the data once,
// when the rule is added (the other kinds are errors returned by calls).
bool IsMediaDamage(FaultKind kind);

enum class FsyncFailureProfile : uint8_t { kDrop, kKeep, kCleanButVisible };

struct FaultRule {
  FaultKind kind = FaultKind::kFsyncEio;
  std::string path_glob = "*";  // media damage: the exact path
  uint64_t nth = 1;             // fsync-eio, short-write: 1-based; 0 = every
  FsyncFailureProfile after_failure = FsyncFailureProfile::kDrop;
  uint64_t bytes = 0;   // enospc: budget; short-write: bytes written (0 = half)
  uint64_t offset = 0;  // read-eio, bitflip, zero-sector, misdirect (FROM)
  uint64_t length = 0;  // read-eio, zero-sector (the sector size), misdirect
  uint64_t target = 0;  // misdirect: TO
  uint32_t bit = 0;     // bitflip

  // Parses one rule (syntax above); errors name the field and what was valid.
  static Result<FaultRule> Parse(std::string_view text);
  // Parses rules separated by ';' (empty parts ignored).
  static Result<std::vector<FaultRule>> ParseList(std::string_view text);
  // The rule text; Parse(ToString()) gives back the same rule.
  std::string ToString() const;
};

std::string_view FsyncFailureProfileName(FsyncFailureProfile profile);

// A fault that fired: which rule, on which operation, at which position.
struct FiredFault {
  std::string rule;       // FaultRule::ToString()
  std::string operation;  // "fsync", "write", "read", ...
  std::string path;
  uint64_t position = 0;  // SimFs::position() when it fired
};

}  // namespace powercut::faultfs
