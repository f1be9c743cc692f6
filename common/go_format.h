#pragma once

// Go's strconv float-to-text conversions, shared by the template engine (fmt's %v, %g, %e,
// %f, %b, %x), the Kubernetes codec (yaml.v2's and sigs.k8s.io/yaml's float text) and
// encoding/json's output, so all agree to the last digit.

#include <string>

namespace sidecar {

// strconv.AppendFloat(out, v, fmt, prec, bitSize): fmt one of 'b' 'e' 'E' 'f' 'F' 'g' 'G'
// 'x' 'X'; prec -1 asks for the shortest text that reads back as the same float of that
// width. bitSize 32 first narrows v as Go's float32(v) does: a finite double beyond
// float32's range becomes an infinity, a tiny one zero (sign kept). NaN and infinities print
// as "NaN", "+Inf", "-Inf".
void appendGoFloat(std::string& out, double v, char fmt, int prec, int bitSize = 64);

// strconv.FormatFloat(v, 'g', -1, bitSize): %e form ("1e+06", "1.5e-07") when the decimal
// exponent is < -4 or >= 6, else plain decimals.
std::string formatGoFloat(double v, int bitSize = 64);

// encoding/json's text for a float64 ("0.5", "1000", "1e-07", "1e+21").
std::string formatJsonFloat(double v);

}  // namespace sidecar
