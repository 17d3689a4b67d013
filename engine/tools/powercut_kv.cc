// powercut-kv: a command-line front end to the reference engine on the real
// file system. Each invocation opens (creating if needed) the database in
// DIR, does one thing durably (sync=true), and closes it. It doubles as the
// black-box checker of the harness's own engine: `scan` prints the recovered
// state as `key value` lines.
//
// Exit codes: 0 success, 1 key not found (get), 2 any error or bad usage.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "powercut/engine/db.h"
#include "powercut/faultfs/posix_fs.h"

namespace {

using powercut::Status;
using powercut::engine::DB;

constexpr int kExitNotFound = 1;
constexpr int kExitError = 2;

constexpr std::string_view kUsage =
    "usage: powercut-kv COMMAND DIR [ARGS]\n"
    "commands:\n"
    "  put  DIR KEY VALUE   store VALUE under KEY (durably)\n"
    "  get  DIR KEY         print KEY's value; exit 1 if absent\n"
    "  del  DIR KEY         delete KEY (durably)\n"
    "  scan DIR             print every `key value` line in key order\n"
    "  flush DIR            write the memtable to a table\n"
    "  --help               this text\n"
    "exit status: 0 ok, 1 not found, 2 error or bad usage\n";

int Fail(const Status& status) {
  std::cerr << "powercut-kv: " << status.ToString() << "\n";
  return kExitError;
}

int Usage(std::string_view problem) {
  std::cerr << "powercut-kv: " << problem << "\n" << kUsage;
  return kExitError;
}

// The virtual path PosixFs("") maps onto DIR: absolute and normalised.
std::string VirtualPath(const std::string& dir) {
  std::string path = std::filesystem::absolute(dir).lexically_normal().string();
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

int RunCommand(DB& db, const std::vector<std::string>& args) {
  const std::string& command = args[0];
  powercut::engine::WriteOptions sync_write;
  sync_write.sync = true;
  Status status;
  if (command == "put" || command == "del" || command == "flush") {
    status = command == "put"   ? db.Put(sync_write, args[2], args[3])
             : command == "del" ? db.Delete(sync_write, args[2])
                                : db.Flush();
    return status.ok() ? 0 : Fail(status);
  }
  if (command == "get") {
    powercut::Result<std::string> value = db.Get({}, args[2]);
    if (value.status().IsNotFound()) {
      std::cerr << "powercut-kv: key '" << args[2] << "' not found\n";
      return kExitNotFound;
    }
    if (!value.ok()) return Fail(value.status());
    std::cout << *value << "\n";
    return 0;
  }
  std::unique_ptr<powercut::engine::Iterator> it = db.NewIterator({});
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::cout << it->key() << " " << it->value() << "\n";
  }
  return it->status().ok() ? 0 : Fail(it->status());
}

int Run(const std::vector<std::string>& args) {
  powercut::faultfs::PosixFs fs("");
  powercut::engine::Options options;
  auto db = DB::Open(options, VirtualPath(args[1]), &fs);
  if (!db.ok()) return Fail(db.status());
  const int code = RunCommand(**db, args);
  Status close_status = (*db)->Close();
  if (!close_status.ok() && code == 0) return Fail(close_status);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  if (args.empty()) return Usage("missing command");
  const std::string& command = args[0];
  const size_t expected = command == "put"                            ? 4
                          : (command == "get" || command == "del")    ? 3
                          : (command == "scan" || command == "flush") ? 2
                                                                      : 0;
  if (expected == 0) return Usage("unknown command '" + command + "'");
  if (args.size() != expected) return Usage("wrong number of arguments for " + command);
  return Run(args);
}
