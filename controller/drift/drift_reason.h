#pragma once

// Why a pod's injection state differs from what injection would produce today. A pod may
// drift for several reasons at once, so they travel as a small bit set.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace sidecar::drift {

enum class DriftReason : uint8_t {
  MissingSidecar,      // injection expected, the pod has no sidecar
  UnexpectedSidecar,   // the pod has a sidecar, injection would now be skipped
  StaleTemplate,       // the sidecar came from another template version
  StaleProxyImage,     // the sidecar runs another proxy image than the config renders
  InjectionWouldFail,  // re-creating the pod today would be rejected by the webhook
};

inline constexpr size_t kReasonCount = 5;
inline constexpr std::array<DriftReason, kReasonCount> kAllReasons = {
    DriftReason::MissingSidecar, DriftReason::UnexpectedSidecar, DriftReason::StaleTemplate,
    DriftReason::StaleProxyImage, DriftReason::InjectionWouldFail};

// The CRD's enum spelling, e.g. "StaleTemplate"; also the metric label value.
std::string_view reasonName(DriftReason reason);
std::optional<DriftReason> parseReason(std::string_view name);

class ReasonSet {
 public:
  void add(DriftReason r) { bits_ |= bit(r); }
  void merge(ReasonSet other) { bits_ |= other.bits_; }
  bool has(DriftReason r) const { return (bits_ & bit(r)) != 0; }
  bool empty() const { return bits_ == 0; }
  // In the enum's order, so output is stable.
  std::vector<DriftReason> list() const;
  bool operator==(const ReasonSet&) const = default;

 private:
  static uint8_t bit(DriftReason r) { return static_cast<uint8_t>(1u << static_cast<unsigned>(r)); }
  uint8_t bits_ = 0;
};

// Per-reason pod counts.
using ReasonCounts = std::array<int64_t, kReasonCount>;

}  // namespace sidecar::drift
