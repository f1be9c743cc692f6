#include "controller/drift/drift_reason.h"

namespace sidecar::drift {

std::string_view reasonName(DriftReason reason) {
  switch (reason) {
    case DriftReason::MissingSidecar:
      return "MissingSidecar";
    case DriftReason::UnexpectedSidecar:
      return "UnexpectedSidecar";
    case DriftReason::StaleTemplate:
      return "StaleTemplate";
    case DriftReason::StaleProxyImage:
      return "StaleProxyImage";
    case DriftReason::InjectionWouldFail:
      return "InjectionWouldFail";
  }
  return "Unknown";
}

std::optional<DriftReason> parseReason(std::string_view name) {
  for (DriftReason r : kAllReasons) {
    if (reasonName(r) == name) {
      return r;
    }
  }
  return std::nullopt;
}

std::vector<DriftReason> ReasonSet::list() const {
  std::vector<DriftReason> out;
  for (DriftReason r : kAllReasons) {
    if (has(r)) {
      out.push_back(r);
    }
  }
  return out;
}

}  // namespace sidecar::drift
