// The stand-in ReadTrace of a build without shim/trace_reader (see
// trace_types.h): it reports that black-box traces cannot be read.
#include "trace_types.h"

#ifndef POWERCUT_BLACKBOX_HAVE_TRACE_READER
namespace powercut::shim {

Result<Trace> ReadTrace(const std::string& file) {
  return Status::InvalidArgument("cannot read trace " + file +
                                 ": this build has no shim trace reader (shim/trace_reader.cc)");
}

}  // namespace powercut::shim
#endif
