#include "controller/leader_election.h"

#include "controller/event_recorder.h"

namespace sidecar::controller {

Expected<void> validateLeaderElectionOptions(const LeaderElectionOptions& o) {
  if (o.identity.empty()) {
    return fail("leader election: identity must not be empty (use the pod name)");
  }
  if (o.name.empty() || o.ns.empty()) {
    return fail("leader election: lease name and namespace must not be empty");
  }
  if (o.retryPeriod.count() <= 0) {
    return fail("leader election: retry period must be positive");
  }
  if (o.renewDeadline <= o.retryPeriod) {
    return fail("leader election: renew deadline (" + std::to_string(o.renewDeadline.count()) +
                "ms) must be greater than the retry period (" + std::to_string(o.retryPeriod.count()) + "ms)");
  }
  if (o.leaseDuration <= o.renewDeadline) {
    return fail("leader election: lease duration (" + std::to_string(o.leaseDuration.count()) +
                "ms) must be greater than the renew deadline (" + std::to_string(o.renewDeadline.count()) + "ms)");
  }
  return {};
}

LeaderElector::LeaderElector(RestClient& client, LeaderElectionOptions options, LeaderCallbacks callbacks,
                             Clock& clock)
    : client_(client), options_(std::move(options)), callbacks_(std::move(callbacks)), clock_(clock) {}

LeaderElector::~LeaderElector() { stop(); }

void LeaderElector::start() {
  if (thread_.joinable()) {
    return;
  }
  stop_.reset();
  thread_ = std::thread([this] {
    while (!stop_.stopped()) {
      step();
      clock_.sleepFor(options_.retryPeriod, stop_);
    }
  });
}

void LeaderElector::stop() {
  stop_.stop();
  if (thread_.joinable()) {
    thread_.join();
  }
  bool wasLeading = false;
  {
    std::lock_guard lock(mutex_);
    wasLeading = leading_;
    leading_ = false;
  }
  if (wasLeading) {
    if (options_.releaseOnStop) {
      release();
    }
    if (callbacks_.onStoppedLeading) {
      callbacks_.onStoppedLeading();
    }
  }
}

bool LeaderElector::isLeader() const {
  std::lock_guard lock(mutex_);
  return leading_;
}

std::string LeaderElector::observedLeader() const {
  std::lock_guard lock(mutex_);
  return observedHolder_;
}

bool LeaderElector::tryAcquireOrRenew() {
  const auto now = clock_.now();
  const std::string stamp = rfc3339(clock_.wallNow(), true);
  const int leaseSeconds = static_cast<int>((options_.leaseDuration.count() + 999) / 1000);
  auto current = client_.get(resources::kLeases, options_.ns, options_.name);
  if (!current) {
    if (!current.error().notFound()) {
      options_.log.warn(current.error().message);
      return false;
    }
    nlohmann::json lease = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", {{"name", options_.name}, {"namespace", options_.ns}}},
        {"spec",
         {{"holderIdentity", options_.identity},
          {"leaseDurationSeconds", leaseSeconds},
          {"acquireTime", stamp},
          {"renewTime", stamp},
          {"leaseTransitions", 0}}}};
    auto created = client_.create(resources::kLeases, options_.ns, lease);
    if (!created) {
      return false;
    }
    std::lock_guard lock(mutex_);
    observedSpec_ = (*created)["spec"];
    observedHolder_ = options_.identity;
    observedTime_ = now;
    return true;
  }
  if (!current->is_object()) {
    options_.log.warn("lease " + options_.ns + "/" + options_.name + " is not an object");
    return false;
  }
  const nlohmann::json spec = (*current)["spec"].is_object() ? (*current)["spec"] : nlohmann::json::object();
  auto field = [&spec](const char* key) {
    auto it = spec.find(key);
    return it == spec.end() ? nlohmann::json() : *it;
  };
  const nlohmann::json holderField = field("holderIdentity");
  const std::string holder = holderField.is_string() ? holderField.get<std::string>() : "";
  {
    std::lock_guard lock(mutex_);
    if (spec != observedSpec_) {
      observedSpec_ = spec;
      observedHolder_ = holder;
      observedTime_ = now;
    }
    // Someone else holds a lease we have not seen go stale for a full duration.
    if (!holder.empty() && holder != options_.identity && observedTime_ + options_.leaseDuration > now) {
      return false;
    }
  }
  nlohmann::json updated = *current;
  updated["spec"] = spec;
  if (holder != options_.identity) {
    updated["spec"]["acquireTime"] = stamp;
    const nlohmann::json transitions = field("leaseTransitions");
    updated["spec"]["leaseTransitions"] = (transitions.is_number_integer() ? transitions.get<int>() : 0) + 1;
  }
  updated["spec"]["holderIdentity"] = options_.identity;
  updated["spec"]["leaseDurationSeconds"] = leaseSeconds;
  updated["spec"]["renewTime"] = stamp;
  // The resourceVersion in `updated` makes this a compare-and-swap: a 409 means we lost.
  auto written = client_.update(resources::kLeases, options_.ns, options_.name, updated);
  if (!written) {
    return false;
  }
  std::lock_guard lock(mutex_);
  observedSpec_ = (*written)["spec"];
  observedHolder_ = options_.identity;
  observedTime_ = now;
  return true;
}

void LeaderElector::step() {
  const bool held = tryAcquireOrRenew();
  const auto now = clock_.now();
  bool started = false;
  bool stopped = false;
  std::string holder;
  {
    std::lock_guard lock(mutex_);
    holder = observedHolder_;
    if (held) {
      lastRenew_ = now;
      if (!leading_) {
        leading_ = true;
        started = true;
      }
    } else if (leading_) {
      // Another holder took over, or renewals kept failing past the deadline.
      const bool lost = !holder.empty() && holder != options_.identity;
      if (lost || now - lastRenew_ >= options_.renewDeadline) {
        leading_ = false;
        stopped = true;
      }
    }
  }
  if (started && callbacks_.onStartedLeading) {
    callbacks_.onStartedLeading();
  }
  if (stopped && callbacks_.onStoppedLeading) {
    callbacks_.onStoppedLeading();
  }
  if (callbacks_.onNewLeader && !holder.empty() && holder != lastReportedLeader_) {
    lastReportedLeader_ = holder;
    callbacks_.onNewLeader(holder);
  }
}

void LeaderElector::release() {
  auto current = client_.get(resources::kLeases, options_.ns, options_.name);
  if (!current || !current->is_object() || !(*current)["spec"].is_object() ||
      (*current)["spec"]["holderIdentity"] != options_.identity) {
    return;
  }
  nlohmann::json updated = *current;
  updated["spec"]["holderIdentity"] = "";
  updated["spec"]["leaseDurationSeconds"] = 1;
  updated["spec"]["renewTime"] = rfc3339(clock_.wallNow(), true);
  (void)client_.update(resources::kLeases, options_.ns, options_.name, updated);
}

}  // namespace sidecar::controller
