// Deliberately broken engines: canaries that the explorer MUST catch. Each
// wraps the reference engine and breaks one durability rule on purpose, the
// way a real bug would (TigerBeetle's "canary" habit: test the tester). A run
// of the matrix that passes a canary means the harness has gone blind.
//
//   broken-ack-before-fsync   every write is acknowledged without its WAL
//                             fsync (sync=true is quietly turned into
//                             sync=false): a power cut loses acknowledged-
//                             durable writes.
//   broken-recovery-rewrites-current
//                             before recovering, rewrites the CURRENT file in
//                             place: truncate, fsync, write, fsync. A crash
//                             between the two fsyncs leaves an empty CURRENT,
//                             so a crash *inside recovery* loses the database
//                             (guarantee 6); without one, all is well.
//
// They are registered in EngineRegistry::Default() whenever the explorer is
// linked into a program (see broken_adapters.cc); never use them for data.
#pragma once

#include "engine_adapter.h"

namespace powercut::harness {

// Registers the canaries in `registry`. InvalidArgument if a name is taken.
Status RegisterBrokenEngines(EngineRegistry* registry);

// True once the canaries are in EngineRegistry::Default() (they are put
// there at program start; the explorer calls this so the linker keeps them).
bool BrokenEnginesRegistered();

}  // namespace powercut::harness
