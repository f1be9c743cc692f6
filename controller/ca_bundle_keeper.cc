#include "controller/ca_bundle_keeper.h"

#include "controller/webhook_ca.h"

namespace sidecar::controller {

// Wakes the keeper when the watched object's caBundle is not ours; the keeper itself re-reads
// and patches through ensureCaBundle, so the sink holds no state.
class CaBundleKeeper::Sink final : public ReflectorSink {
 public:
  Sink(CaBundleKeeper& keeper) : keeper_(keeper) {}

  void replace(std::vector<nlohmann::json> items, const std::string&) override {
    for (const auto& item : items) {
      check(item);
    }
  }
  void apply(WatchEventType type, nlohmann::json object) override {
    if (type != WatchEventType::Deleted) {
      check(object);
    }
  }

 private:
  void check(const nlohmann::json& object) {
    // The informer is shared: every MutatingWebhookConfiguration passes by, ours is one.
    if (object.value("/metadata/name"_json_pointer, "") != keeper_.options_.webhookConfigName) {
      return;
    }
    auto webhooks = object.find("webhooks");
    if (webhooks == object.end() || !webhooks->is_array()) {
      return;
    }
    for (const auto& webhook : *webhooks) {
      const nlohmann::json* bundle = nullptr;
      if (auto client = webhook.find("clientConfig");
          client != webhook.end() && client->is_object()) {
        if (auto b = client->find("caBundle"); b != client->end() && b->is_string()) {
          bundle = &*b;
        }
      }
      if (bundle == nullptr || bundle->get_ref<const std::string&>() != keeper_.expectedBundle_) {
        keeper_.wake();
        return;
      }
    }
  }

  CaBundleKeeper& keeper_;
};

CaBundleKeeper::CaBundleKeeper(RestClient& client, CaBundleKeeperOptions options, Report report)
    : client_(client),
      options_(std::move(options)),
      report_(std::move(report)),
      expectedBundle_(base64Encode(options_.caPem)),
      sink_(std::make_unique<Sink>(*this)),
      ownInformers_(options_.informers == nullptr ? std::make_unique<InformerFactory>(client_)
                                                  : nullptr),
      informers_(ownInformers_ ? ownInformers_.get() : options_.informers) {
  informers_->subscribe(resources::kMutatingWebhookConfigurations, "", *sink_);
}

CaBundleKeeper::~CaBundleKeeper() {
  stop();
  informers_->unsubscribe(*sink_);
}

void CaBundleKeeper::start() {
  thread_ = std::thread([this] { run(); });
  if (ownInformers_) {
    ownInformers_->start();
  }
}

void CaBundleKeeper::stop() {
  if (ownInformers_) {
    ownInformers_->stop();
  }
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void CaBundleKeeper::wake() {
  {
    std::lock_guard lock(mutex_);
    dirty_ = true;
  }
  cv_.notify_all();
}

void CaBundleKeeper::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    dirty_ = false;
    lock.unlock();
    auto changed = ensureCaBundle(client_, options_.webhookConfigName, options_.caPem);
    lock.lock();
    Millis wait = options_.resync;
    if (!changed) {
      wait = options_.retryAfterError;
      if (report_) {
        report_(false, "cannot update the caBundle of MutatingWebhookConfiguration " +
                           options_.webhookConfigName + ": " + changed.error().message);
      }
    } else if (*changed) {
      patches_.fetch_add(1);
      if (report_) {
        report_(true, "caBundle of MutatingWebhookConfiguration " + options_.webhookConfigName +
                          " updated");
      }
    }
    cv_.wait_for(lock, wait, [this] { return stop_ || dirty_; });
  }
}

}  // namespace sidecar::controller
