#include "webhook/injector_mutator.h"

#include "inject/admission.h"

namespace sidecar::webhook {

InjectorMutator::InjectorMutator(ConfigSource source, const std::shared_ptr<Metrics>& metrics,
                                 inject::AdmissionCacheOptions cacheOptions)
    : source_(std::move(source)), cache_(std::make_unique<inject::AdmissionCache>(cacheOptions)) {
  if (!metrics) {
    return;
  }
  auto family = metrics->addCounter("sidecar_injection_cache_lookups_total",
                                    "Admissions answered from the injection cache (hit), computed and remembered "
                                    "(miss), or computed without it (bypass: pod too large, or a request still on the config "
                                    "before a reload)");
  if (family) {
    hits_ = &family->get().Add({{"result", "hit"}});
    misses_ = &family->get().Add({{"result", "miss"}});
    bypasses_ = &family->get().Add({{"result", "bypass"}});
  }
}

MutationResult InjectorMutator::mutate(const AdmissionRequestView& request) const {
  MutationResult result;
  inject::InjectionConfigPtr config = source_();
  if (!config) {
    result.outcome = MutationResult::Outcome::Failed;
    result.reason = "config_not_loaded";
    result.message = "the injection config has not been loaded yet";
    result.code = ErrorCode::Unavailable;
    return result;
  }
  if (request.kind != "Pod") {
    // The webhook is registered for pods only; anything else passes untouched.
    result.outcome = MutationResult::Outcome::Skipped;
    result.reason = "not_a_pod";
    result.message = "request kind is " + std::string(request.kind) + ", not Pod";
    return result;
  }
  inject::CacheLookup lookup = inject::CacheLookup::Bypass;
  auto outcome = cache_->admit(config, request.object, request.namespace_, &lookup);
  if (prometheus::Counter* counter = lookup == inject::CacheLookup::Hit    ? hits_
                                     : lookup == inject::CacheLookup::Miss ? misses_
                                                                           : bypasses_) {
    counter->Increment();
  }
  result.reason = std::string(inject::outcomeReason(outcome));
  result.message = outcome.decision.explanation;
  if (!outcome.message.empty() && outcome.message != result.message) {
    result.message += result.message.empty() ? outcome.message : ": " + outcome.message;
  }
  switch (outcome.kind) {
    case inject::AdmissionOutcome::Kind::Patched:
      result.outcome = MutationResult::Outcome::Patched;
      result.patch = std::move(outcome.patch);
      break;
    case inject::AdmissionOutcome::Kind::Skipped:
      result.outcome = MutationResult::Outcome::Skipped;
      break;
    case inject::AdmissionOutcome::Kind::Failed:
      result.outcome = MutationResult::Outcome::Failed;
      result.message = outcome.message;
      result.code = outcome.code;
      break;
  }
  return result;
}

bool InjectorMutator::ready(std::string* why) const {
  if (source_()) {
    return true;
  }
  if (why != nullptr) {
    *why = "the injection config has not been loaded yet";
  }
  return false;
}

}  // namespace sidecar::webhook
