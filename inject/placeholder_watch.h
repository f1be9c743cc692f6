#pragma once

// Internal to the injection core. AdmissionCache computes an injection once for a pod whose
// per-pod service-account volume name was replaced by a placeholder, and reuses the result
// for every later pod that differs only in that name. That is exact only if the computation
// treated the name as an opaque token (copied it, compared it), never looked at it. The
// template is the one part that could look, and every way pod data reaches a template passes
// through template_data.cc, which reports here. A computation that saw the placeholder is
// thrown away and redone on the real pod.

#include <string_view>

#include <nlohmann/json.hpp>

namespace sidecar::inject::detail {

class PlaceholderWatch {
 public:
  // Watches on this thread until destroyed; watches do not nest.
  explicit PlaceholderWatch(std::string_view placeholder);
  ~PlaceholderWatch();
  PlaceholderWatch(const PlaceholderWatch&) = delete;
  PlaceholderWatch& operator=(const PlaceholderWatch&) = delete;

  bool observed() const { return observed_; }

  // A string value handed to a template.
  static void noteString(std::string_view value) {
    if (active_ != nullptr && value == active_->placeholder_) {
      active_->observed_ = true;
    }
  }
  // A whole subtree handed to a template (printed, serialized, converted to generic data).
  static void noteJson(const nlohmann::json& subtree) {
    if (active_ != nullptr && !active_->observed_) {
      active_->scan(subtree);
    }
  }

 private:
  void scan(const nlohmann::json& node);

  static thread_local PlaceholderWatch* active_;
  std::string_view placeholder_;
  bool observed_ = false;
};

}  // namespace sidecar::inject::detail
