// Fuzz target: the scenario parser (TOML, harness/scenario.h). Any text is a
// scenario or an InvalidArgument at file:line:column. Seeds: the scenarios
// of scenarios/ and the bad ones of harness/tests/bad_scenarios/.
#include <string>

#include "fuzz_target.h"
#include "scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)powercut::harness::ParseScenario(powercut::fuzz::AsText(data, size), "fuzz.toml");
  return 0;
}
