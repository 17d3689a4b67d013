// Benchmarks registered at run time rather than by static macros, because
// their list depends on which peer engines this binary was built with.
#pragma once

namespace powercut::bench {

// BM_EngineFill/<engine>/{nosync,sync} and BM_EngineRead/<engine>.
void RegisterEngineBenchmarks();

}  // namespace powercut::bench
