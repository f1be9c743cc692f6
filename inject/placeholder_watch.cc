#include "inject/placeholder_watch.h"

#include "inject/raw_json.h"

namespace sidecar::inject::detail {

thread_local PlaceholderWatch* PlaceholderWatch::active_ = nullptr;

PlaceholderWatch::PlaceholderWatch(std::string_view placeholder) : placeholder_(placeholder) { active_ = this; }

PlaceholderWatch::~PlaceholderWatch() { active_ = nullptr; }

void PlaceholderWatch::scan(const nlohmann::json& node) {
  if (observed_) {
    return;
  }
  if (node.is_string()) {
    observed_ = node.get_ref<const std::string&>() == placeholder_;
  } else if (isRawJson(node)) {
    // Env lists kept as bytes: the placeholder only ever replaces whole volume names, but a
    // byte search is cheap and keeps this check independent of where it can occur.
    const auto& bytes = node.get_binary();
    std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    observed_ = text.find(placeholder_) != std::string_view::npos;
  } else if (node.is_structured()) {
    for (const auto& child : node) {
      scan(child);
      if (observed_) {
        return;
      }
    }
  }
}

}  // namespace sidecar::inject::detail
