// Fuzz target: the repro parser (harness/repro.h). Any text is a repro or an
// InvalidArgument at file:line:column; a repro that parses writes back to a
// text that parses to the same text again (the writer and the parser agree).
// Seeds: repros written by `powercut run` for the zoo's mutants.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_target.h"
#include "repro.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using powercut::harness::Repro;
  powercut::Result<Repro> repro = Repro::Parse(powercut::fuzz::AsText(data, size), "fuzz.repro");
  if (!repro.ok()) return 0;
  const std::string text = repro->ToText();
  powercut::Result<Repro> again = Repro::Parse(text, "written.repro");
  if (!again.ok() || again->ToText() != text) {
    std::fprintf(stderr, "a parsed repro does not survive writing and parsing again: %s\n%s\n",
                 again.ok() ? "different text" : again.status().ToString().c_str(), text.c_str());
    std::abort();
  }
  return 0;
}
