#pragma once

// Kubernetes resource.Quantity ("100m", "1Gi", "1e3"): parsing with Go's grammar and
// errors, and the canonical spelling Go's Quantity.String() prints.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/expected.h"

namespace sidecar::kube {

class Quantity {
 public:
  enum class Format { DecimalSI, BinarySI, DecimalExponent };

  // Go's ParseQuantity (surrounding spaces trimmed like Quantity.UnmarshalJSON). Values
  // finer than 1n are rounded away from zero to 1n, as Go does. Magnitudes beyond ~1e34
  // are rejected here (Go keeps them as big decimals).
  static Expected<Quantity> parse(std::string_view text);

  // Go's Quantity.String(): the input spelling when Go keeps it ("100m", "1Gi", "1e3"),
  // else the canonical form ("2000m" -> "2", "1024Mi" -> "1Gi", "0.5" -> "500m").
  std::string toString() const;

  // ceil(value * 1000) and ceil(value), like Go's MilliValue() and Value().
  int64_t milliValue() const;
  int64_t ceilValue() const;

  Format format() const { return format_; }
  bool isZero() const { return mantissa_ == 0; }

  // value = mantissa * 10^scale exactly (scale >= -9).
  __int128 mantissa() const { return mantissa_; }
  int scale() const { return scale_; }

 private:
  __int128 mantissa_ = 0;
  int scale_ = 0;
  Format format_ = Format::DecimalSI;
  std::string cached_;  // Go reuses the input text when it is already canonical
};

}  // namespace sidecar::kube
