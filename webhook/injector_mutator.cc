#include "webhook/injector_mutator.h"

#include "inject/admission.h"

namespace sidecar::webhook {

MutationResult InjectorMutator::mutate(const AdmissionRequestView& request) const {
  MutationResult result;
  inject::InjectionConfigPtr config = source_();
  if (!config) {
    result.outcome = MutationResult::Outcome::Failed;
    result.reason = "config_not_loaded";
    result.message = "the injection config has not been loaded yet";
    return result;
  }
  if (request.kind != "Pod") {
    // The webhook is registered for pods only; anything else passes untouched.
    result.outcome = MutationResult::Outcome::Skipped;
    result.reason = "not_a_pod";
    result.message = "request kind is " + std::string(request.kind) + ", not Pod";
    return result;
  }
  auto outcome = inject::admitPod(*config, request.object, request.namespace_);
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
