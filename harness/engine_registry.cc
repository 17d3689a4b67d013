// The engine registry (see engine_adapter.h): adapters by name, and the one
// place that knows which adapters are compiled in.
#include <cassert>

#include "engine_adapter.h"

namespace powercut::harness {

#ifdef POWERCUT_HARNESS_HAVE_REFERENCE_ENGINE
// Defined in reference_adapter.cc, compiled only when the engine is built.
Status RegisterReferenceEngine(EngineRegistry* registry);
#endif

Result<KvState> ScanState(EngineAdapter& engine) {
  POWERCUT_ASSIGN_OR_RETURN(auto pairs, engine.Scan());
  KvState state;
  for (auto& [key, value] : pairs) {
    if (!state.emplace(std::move(key), std::move(value)).second) {
      return Status::Corruption(std::string(engine.name()) + ": scan returned a key twice");
    }
  }
  return state;
}

EngineRegistry& EngineRegistry::Default() {
  static EngineRegistry* registry = [] {
    auto* r = new EngineRegistry();
    Status status = RegisterBuiltinEngines(r);
    assert(status.ok() && "built-in engine names are distinct");
    status.IgnoreError();  // asserted above: the built-in names cannot clash
    return r;
  }();
  return *registry;
}

Status EngineRegistry::Register(std::string name, EngineFactory factory) {
  if (factories_.count(name)) {
    return Status::InvalidArgument("engine '" + name + "' is already registered");
  }
  factories_.emplace(std::move(name), std::move(factory));
  return Status::OK();
}

Result<std::unique_ptr<EngineAdapter>> EngineRegistry::Create(
    std::string_view name, const EngineSettings& settings) const {
  auto it = factories_.find(name);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& [known_name, factory] : factories_) {
      known += (known.empty() ? "" : ", ") + known_name;
    }
    return Status::InvalidArgument("unknown engine '" + std::string(name) +
                                   "' (known: " + (known.empty() ? "none" : known) + ")");
  }
  return it->second(settings);
}

std::vector<std::string> EngineRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, factory] : factories_) names.push_back(name);
  return names;
}

Status RegisterBuiltinEngines(EngineRegistry* registry) {
#ifdef POWERCUT_HARNESS_HAVE_REFERENCE_ENGINE
  POWERCUT_RETURN_IF_ERROR(RegisterReferenceEngine(registry));
#endif
  (void)registry;
  return Status::OK();
}

}  // namespace powercut::harness
