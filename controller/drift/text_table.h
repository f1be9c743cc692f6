#pragma once

// The column layout shared by the drift table and the impact preview: kubectl-style, every
// column but the last padded to its widest cell plus three spaces.

#include <array>
#include <string>
#include <vector>

namespace sidecar::drift {

using TableRow = std::array<std::string, 5>;

std::string formatTable(const std::vector<TableRow>& rows);

}  // namespace sidecar::drift
