#include "controller/reflector.h"

namespace sidecar::controller {

Reflector::Reflector(RestClient& client, ReflectorOptions options, ReflectorSink& sink, Clock& clock, Random& random)
    : client_(client), options_(std::move(options)), sink_(sink), clock_(clock), backoff_(options_.backoff, random) {}

Reflector::~Reflector() { stop(); }

void Reflector::start() {
  if (thread_.joinable()) {
    return;
  }
  stop_.reset();
  thread_ = std::thread([this] { run(); });
}

void Reflector::stop() {
  stop_.stop();
  {
    std::lock_guard lock(mutex_);
    if (currentStream_ != nullptr) {
      currentStream_->cancel();
    }
  }
  if (thread_.joinable()) {
    thread_.join();
  }
}

bool Reflector::waitForSync(Millis timeout) const {
  std::unique_lock lock(mutex_);
  return syncedCv_.wait_for(lock, timeout, [this] { return synced_.load(); });
}

ReflectorStats Reflector::stats() const {
  std::lock_guard lock(mutex_);
  ReflectorStats s = stats_;
  s.lastResourceVersion = resourceVersion_;
  return s;
}

void Reflector::recordError(const std::string& message) {
  std::lock_guard lock(mutex_);
  ++stats_.errors;
  stats_.lastError = message;
  options_.log.warn(options_.resource.resource + ": " + message);
}

bool Reflector::listAll() {
  std::vector<nlohmann::json> items;
  std::string continueToken;
  std::string listRv;
  for (;;) {
    ListOptions lo;
    lo.labelSelector = options_.labelSelector;
    lo.fieldSelector = options_.fieldSelector;
    lo.limit = options_.pageSize;
    lo.continueToken = continueToken;
    auto page = client_.list(options_.resource, options_.ns, lo);
    if (!page) {
      recordError(page.error().message);
      return false;
    }
    if (!page->is_object() || !(*page)["metadata"].is_object()) {
      recordError("list " + options_.resource.resource + ": response has no metadata object");
      return false;
    }
    const auto& meta = (*page)["metadata"];
    if (listRv.empty()) {
      listRv = meta.value("resourceVersion", "");
    }
    if (auto it = page->find("items"); it != page->end() && it->is_array()) {
      for (auto& item : *it) {
        items.push_back(std::move(item));
      }
    }
    continueToken = meta.value("continue", "");
    if (continueToken.empty()) {
      break;
    }
    if (stop_.stopped()) {
      return false;
    }
  }
  sink_.replace(std::move(items), listRv);
  {
    std::lock_guard lock(mutex_);
    resourceVersion_ = listRv;
    ++stats_.lists;
    synced_ = true;
  }
  syncedCv_.notify_all();
  return true;
}

bool Reflector::watchOnce() {
  WatchOptions wo;
  wo.labelSelector = options_.labelSelector;
  wo.fieldSelector = options_.fieldSelector;
  {
    std::lock_guard lock(mutex_);
    wo.resourceVersion = resourceVersion_;
  }
  wo.timeoutSeconds = options_.watchTimeoutSeconds;
  wo.allowBookmarks = true;
  auto stream = client_.watch(options_.resource, options_.ns, wo);
  if (!stream) {
    if (stream.error().gone()) {
      std::lock_guard lock(mutex_);
      ++stats_.relistsOnGone;
      return true;
    }
    recordError(stream.error().message);
    clock_.sleepFor(backoff_.next(), stop_);
    return false;
  }
  {
    std::lock_guard lock(mutex_);
    ++stats_.watches;
    currentStream_ = stream->get();
  }
  // stop() may have fired between the check and publishing the stream.
  if (stop_.stopped()) {
    (*stream)->cancel();
  }
  bool relist = false;
  bool failed = false;
  for (;;) {
    auto line = (*stream)->nextLine();
    if (!line) {
      if (!stop_.stopped()) {
        recordError(line.error().message);
        failed = true;
      }
      break;
    }
    if (!line->has_value()) {
      break;  // server-side timeout: renew from the last resourceVersion
    }
    auto event = nlohmann::json::parse(**line, nullptr, false);
    if (!event.is_object() || !event.contains("object") || !event["object"].is_object()) {
      recordError("watch: malformed event line");
      failed = true;
      break;
    }
    const std::string type = event["type"].is_string() ? event["type"].get<std::string>() : "";
    nlohmann::json& object = event["object"];
    if (type == "ERROR") {
      const auto code = object.find("code");
      if (code != object.end() && code->is_number() && code->get<int>() == 410) {
        std::lock_guard lock(mutex_);
        ++stats_.relistsOnGone;
        relist = true;
      } else {
        const auto msg = object.find("message");
        recordError("watch ERROR event: " +
                    (msg != object.end() && msg->is_string() ? msg->get<std::string>() : std::string("(no message)")));
        failed = true;
      }
      break;
    }
    const auto& eventMeta = object["metadata"];
    const auto rvField = eventMeta.is_object() ? eventMeta.find("resourceVersion") : eventMeta.end();
    const std::string rv =
        eventMeta.is_object() && rvField != eventMeta.end() && rvField->is_string() ? rvField->get<std::string>() : "";
    if (type == "BOOKMARK") {
      std::lock_guard lock(mutex_);
      ++stats_.bookmarks;
      if (!rv.empty()) {
        resourceVersion_ = rv;
      }
      continue;
    }
    WatchEventType t;
    if (type == "ADDED") {
      t = WatchEventType::Added;
    } else if (type == "MODIFIED") {
      t = WatchEventType::Modified;
    } else if (type == "DELETED") {
      t = WatchEventType::Deleted;
    } else {
      recordError("watch: unknown event type " + type);
      continue;
    }
    sink_.apply(t, std::move(object));
    backoff_.reset();
    std::lock_guard lock(mutex_);
    ++stats_.events;
    if (!rv.empty()) {
      resourceVersion_ = rv;
    }
  }
  {
    std::lock_guard lock(mutex_);
    currentStream_ = nullptr;
  }
  if (failed && !stop_.stopped()) {
    clock_.sleepFor(backoff_.next(), stop_);
  }
  return relist;
}

void Reflector::run() {
  bool needList = true;
  while (!stop_.stopped()) {
    if (needList) {
      if (!listAll()) {
        clock_.sleepFor(backoff_.next(), stop_);
        continue;
      }
      backoff_.reset();
      needList = false;
    }
    needList = watchOnce();
  }
}

}  // namespace sidecar::controller
