// LazyTable: opening a table on first use (see table_cache.h for why this
// is as safe as opening every table at recovery).
#include "table_cache.h"

#include <cassert>

#include "version.h"

namespace powercut::engine {

LazyTable::LazyTable(faultfs::FileSystem* fs, std::string path, uint64_t file_size)
    : fs_(fs), path_(std::move(path)), file_size_(file_size) {}

LazyTable::LazyTable(std::unique_ptr<Table> table)
    : fs_(nullptr), path_(table->path()), file_size_(table->file_size()) {
  table_ = std::move(table);
  opened_.store(table_.get(), std::memory_order_release);
}

Result<const Table*> LazyTable::Open() const {
  if (const Table* table = opened_.load(std::memory_order_acquire)) return table;
  std::lock_guard lock(mu_);
  if (table_ != nullptr) return table_.get();  // another thread opened it meanwhile
  assert(fs_ != nullptr && "an already-open LazyTable has a table");
  Result<std::unique_ptr<Table>> table = Table::Open(fs_, path_, file_size_);
  if (!table.ok()) return NameFile(table.status(), path_);
  table_ = std::move(table).value();
  opened_.store(table_.get(), std::memory_order_release);
  return table_.get();
}

}  // namespace powercut::engine
