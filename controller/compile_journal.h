#pragma once

// Crash memory for config compiles. Every replica compiles the same ConfigMaps, so an input
// that crashes the compiler would take down every replica, at every restart, for as long as
// the ConfigMap says it — and with failurePolicy Fail no pod could be created anywhere. The
// journal writes down which inputs are being compiled before the compile starts; a process
// that restarts after dying mid-compile therefore knows which inputs did it, never compiles
// them again, and serves the last inputs that did compile (kept here too) instead.
//
// State lives in one small JSON file in a directory that outlives the container (the
// Deployment mounts an emptyDir), replaced atomically on every change. Without a directory
// the journal still quarantines within the process (a compile that threw) but cannot
// survive a crash. Not thread-safe: one reloader thread owns it.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/expected.h"
#include "controller/config_sources.h"

namespace sidecar::controller {

struct CompileRecord {
  std::string hash;  // sha256Hex of the sources
  std::vector<SourceVersion> versions;
  int64_t unixSeconds = 0;  // when the compile started
};

class CompileJournal {
 public:
  // Reads `<dir>/config-journal.json` (created with the directory if absent). A record that
  // was in flight there means the previous process died compiling it: it is quarantined
  // from now on and reported by crashedLastRun(). An unreadable or corrupt file is not
  // fatal: the journal starts empty and `warning` says why.
  static std::unique_ptr<CompileJournal> open(const std::string& dir, std::string* warning);
  // A journal that remembers nothing across restarts.
  static std::unique_ptr<CompileJournal> inMemory();

  // The record the previous process died compiling, if any.
  const std::optional<CompileRecord>& crashedLastRun() const { return crashed_; }
  // The quarantine record for these inputs, if they ever crashed a compile.
  std::optional<CompileRecord> quarantined(const std::string& hash) const;

  // Persists `record` as in flight; call right before compiling. An error means the
  // protection is off for this compile (the caller logs it and compiles anyway).
  Expected<void> begin(const CompileRecord& record);
  // The compile returned: clears the in-flight record; on success also keeps `sources` as
  // the last good inputs.
  Expected<void> succeeded(const CompileRecord& record, const ConfigSources& sources);
  Expected<void> failed();

  struct LastGood {
    CompileRecord record;
    ConfigSources sources;
  };
  const std::optional<LastGood>& lastGood() const { return lastGood_; }

  const std::string& path() const { return path_; }

 private:
  CompileJournal() = default;
  Expected<void> save();

  std::string path_;  // empty: in memory only
  std::optional<CompileRecord> inFlight_;
  std::optional<CompileRecord> crashed_;
  std::deque<CompileRecord> quarantined_;  // oldest first, bounded
  std::optional<LastGood> lastGood_;
};

}  // namespace sidecar::controller
