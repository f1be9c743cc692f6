#include "controller/compile_journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace sidecar::controller {

namespace {

using nlohmann::json;

constexpr const char* kFileName = "config-journal.json";
// A pod that keeps meeting new poison inputs forgets the oldest ones; they are compiled
// again only if the ConfigMap goes back to exactly them.
constexpr size_t kMaxQuarantined = 32;

json toJson(const CompileRecord& r) {
  json versions = json::array();
  for (const auto& v : r.versions) {
    versions.push_back({{"name", v.name}, {"resourceVersion", v.resourceVersion}});
  }
  return {{"hash", r.hash}, {"versions", std::move(versions)}, {"unixSeconds", r.unixSeconds}};
}

CompileRecord recordFrom(const json& j) {
  CompileRecord r;
  r.hash = j.at("hash").get<std::string>();
  r.unixSeconds = j.value("unixSeconds", int64_t{0});
  for (const auto& v : j.value("versions", json::array())) {
    r.versions.push_back({v.at("name").get<std::string>(), v.value("resourceVersion", "")});
  }
  return r;
}

std::string errnoText(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Write to a temporary file, flush it to disk, then rename over the old one and flush the
// directory: a crash at any point leaves either the old or the new state, never half.
Expected<void> writeAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return fail(errnoText("cannot create", tmp));
  }
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const std::string message = errnoText("cannot write", tmp);
      ::close(fd);
      return fail(message);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const std::string message = errnoText("cannot sync", tmp);
    ::close(fd);
    return fail(message);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail(errnoText("cannot rename onto", path));
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace

std::unique_ptr<CompileJournal> CompileJournal::inMemory() {
  return std::unique_ptr<CompileJournal>(new CompileJournal());
}

std::unique_ptr<CompileJournal> CompileJournal::open(const std::string& dir, std::string* warning) {
  auto journal = inMemory();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    if (warning != nullptr) {
      *warning = "config journal: cannot create " + dir + ": " + ec.message() +
                 "; a config that crashes the compile will not be quarantined";
    }
    return journal;
  }
  journal->path_ = (std::filesystem::path(dir) / kFileName).string();
  std::ifstream in(journal->path_, std::ios::binary);
  if (!in) {
    return journal;  // first start of this pod
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    const json state = json::parse(buffer.str());
    if (state.contains("inFlight") && !state["inFlight"].is_null()) {
      journal->crashed_ = recordFrom(state["inFlight"]);
    }
    for (const auto& q : state.value("quarantined", json::array())) {
      journal->quarantined_.push_back(recordFrom(q));
    }
    if (state.contains("lastGood") && !state["lastGood"].is_null()) {
      const json& g = state["lastGood"];
      LastGood good{recordFrom(g.at("record")), {}};
      const json& s = g.at("sources");
      good.sources.injectConfig = s.at("config").get<std::string>();
      good.sources.hasValues = s.contains("values");
      good.sources.values = s.value("values", "");
      good.sources.hasMesh = s.contains("mesh");
      good.sources.mesh = s.value("mesh", "");
      // A file edited by hand must not smuggle in inputs under another hash.
      if (sha256Hex(good.sources) == good.record.hash) {
        journal->lastGood_ = std::move(good);
      } else if (warning != nullptr) {
        *warning = "config journal " + journal->path_ +
                   ": the last good config does not match its hash; ignored";
      }
    }
  } catch (const json::exception& e) {
    if (warning != nullptr) {
      *warning =
          "config journal " + journal->path_ + " is unreadable (" + e.what() + "); starting afresh";
    }
    *journal = CompileJournal();
    journal->path_ = (std::filesystem::path(dir) / kFileName).string();
    return journal;
  }
  if (journal->crashed_) {
    if (!journal->quarantined(journal->crashed_->hash)) {
      journal->quarantined_.push_back(*journal->crashed_);
      while (journal->quarantined_.size() > kMaxQuarantined) {
        journal->quarantined_.pop_front();
      }
    }
    // The quarantine is on disk before anything else happens: a second crash (of the
    // fallback, say) must not forget the first.
    if (auto saved = journal->save(); !saved && warning != nullptr) {
      *warning = "config journal: " + saved.error().message;
    }
  }
  return journal;
}

std::optional<CompileRecord> CompileJournal::quarantined(const std::string& hash) const {
  for (const auto& q : quarantined_) {
    if (q.hash == hash) {
      return q;
    }
  }
  return std::nullopt;
}

Expected<void> CompileJournal::begin(const CompileRecord& record) {
  inFlight_ = record;
  return save();
}

Expected<void> CompileJournal::succeeded(const CompileRecord& record,
                                         const ConfigSources& sources) {
  inFlight_.reset();
  lastGood_ = LastGood{record, sources};
  return save();
}

Expected<void> CompileJournal::failed() {
  inFlight_.reset();
  return save();
}

Expected<void> CompileJournal::save() {
  if (path_.empty()) {
    return {};
  }
  json state = json::object();
  state["inFlight"] = inFlight_ ? toJson(*inFlight_) : json(nullptr);
  json quarantined = json::array();
  for (const auto& q : quarantined_) {
    quarantined.push_back(toJson(q));
  }
  state["quarantined"] = std::move(quarantined);
  if (lastGood_) {
    json sources = {{"config", lastGood_->sources.injectConfig}};
    if (lastGood_->sources.hasValues) {
      sources["values"] = lastGood_->sources.values;
    }
    if (lastGood_->sources.hasMesh) {
      sources["mesh"] = lastGood_->sources.mesh;
    }
    state["lastGood"] = {{"record", toJson(lastGood_->record)}, {"sources", std::move(sources)}};
  } else {
    state["lastGood"] = nullptr;
  }
  // Invalid UTF-8 in a ConfigMap value must not make the journal unwritable.
  return writeAtomically(path_, state.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace sidecar::controller
